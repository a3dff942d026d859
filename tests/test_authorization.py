"""Who can open which page: one row per URL, one column per role.

Roles: anonymous; bob responds for Trust A; alice administers Trust A; charlie administers Trust B;
an auditor; CSOC staff. Add a row for every new page (and a column when a new role appears).
"""

from typing import NamedTuple

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

SIGN_IN = "sign in"  # redirected to the sign-in page


class Row(NamedTuple):
    name: str
    kwargs: dict
    anonymous: int | str
    bob: int | str
    alice: int | str
    charlie: int | str
    auditor: int | str
    csoc: int | str


ROLES = ("anonymous", "bob", "alice", "charlie", "auditor", "csoc")

# fmt: off
ACCESS = [
    #    url name                   kwargs                  anonymous bob  alice charlie auditor csoc
    Row("home",                     {},                     SIGN_IN,  200, 200,  200,    200,    200),
    Row("organisations:list",       {},                     SIGN_IN,  200, 200,  200,    200,    200),
    Row("organisations:detail",     {"ods_code": "RAA"},    SIGN_IN,  200, 200,  200,    200,    200),
    Row("organisations:detail",     {"ods_code": "RBB"},    SIGN_IN,  200, 200,  200,    200,    200),
    Row("organisations:detail",     {"ods_code": "ZZZ99"},  SIGN_IN,  404, 404,  404,    404,    404),
    Row("organisations:import",     {},                     SIGN_IN,  403, 403,  403,    403,    200),
    Row("core:audit_log",           {},                     SIGN_IN,  403, 403,  403,    403,    200),
    Row("core:csoc_tools",          {},                     SIGN_IN,  403, 403,  403,    403,    200),
    Row("reports:index",            {},                     SIGN_IN,  403, 403,  403,    200,    200),
    Row("reports:over_time",        {},                     SIGN_IN,  403, 403,  403,    200,    200),
    Row("reports:organisation",     {"ods_code": "RAA"},    SIGN_IN,  200, 200,  403,    200,    200),
    Row("reports:organisation",     {"ods_code": "RBB"},    SIGN_IN,  403, 403,  200,    200,    200),
    Row("exchange:alert_stix",      {"threat_id": "CC-4000"}, 404,   404, 404,  404,    404,    404),
    Row("notifications:webhooks",   {"ods_code": "RAA"},    SIGN_IN,  403, 200,  403,    403,    403),
    Row("notifications:webhooks",   {"ods_code": "RBB"},    SIGN_IN,  403, 403,  200,    403,    403),
    Row("notifications:add_webhook", {"ods_code": "RAA"},   SIGN_IN,  403, 200,  403,    403,    403),
    Row("notifications:webhook",    {"ods_code": "RAA", "pk": 999}, SIGN_IN, 403, 404, 403, 403,  403),
    Row("followup:chase",           {"threat_id": "CC-4000"}, SIGN_IN, 403, 403,  403,    404,    404),
    Row("api_tokens:index",         {},                     SIGN_IN,  200, 200,  200,    200,    200),
    Row("api-v1:openapi-view",      {},                     200,      200, 200,  200,    200,    200),
]
# fmt: on

CASES = [(row, role) for row in ACCESS for role in ROLES]


def _case_id(case: tuple[Row, str]) -> str:
    row, role = case
    arguments = ",".join(str(value) for value in row.kwargs.values())
    return f"{row.name}({arguments})-{role}"


@pytest.fixture
def client_for(request, signed_in, trust_a, trust_b):
    """client_for(role) -> a test client for that role, signed in with MFA unless anonymous."""

    def _client(role: str) -> Client:
        if role == "anonymous":
            return Client()
        return signed_in(request.getfixturevalue(role))

    return _client


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
def test_access(client_for, case):
    row, role = case
    url = reverse(row.name, kwargs=row.kwargs)
    expected = getattr(row, role)
    response = client_for(role).get(url)
    if expected == SIGN_IN:
        assert response.status_code == 302, f"{role} got {response.status_code} from {url}"
        assert response["Location"].startswith(reverse(settings.LOGIN_URL) + "?next=")
    else:
        assert response.status_code == expected, f"{role} got {response.status_code} from {url}, not {expected}"


# Closed incident groups: everyone outside a group gets 404 for every URL under it (its existence is sensitive),
# including auditors and CSOC staff not in it. Columns add the group's moderator (morgan, CSOC), a member (mel)
# and a removed member (rex). Keyword values in <> are filled in from the group made for each case.
class GroupRow(NamedTuple):
    name: str
    kwargs: dict
    anonymous: int | str
    bob: int | str
    alice: int | str
    charlie: int | str
    auditor: int | str
    csoc: int | str
    moderator: int | str
    member: int | str
    removed: int | str


GROUP_ROLES = (*ROLES, "moderator", "member", "removed")
G = {"group_id": "<group>"}
P = {**G, "post_id": "<post>"}
M = {**G, "member_id": "<member>"}
# fmt: off
GROUP_ACCESS = [
    #         url name                 kwargs                       anon     bob  alice char aud  csoc mod  mem  removed
    GroupRow("groups:list",            {},                          SIGN_IN, 200, 200, 200, 200, 200, 200, 200, 200),
    GroupRow("groups:open",            {},                          SIGN_IN, 403, 403, 403, 403, 200, 200, 403, 403),
    GroupRow("groups:detail",          G,                           SIGN_IN, 404, 404, 404, 404, 404, 200, 200, 404),
    GroupRow("groups:detail",          {"group_id": 999999},        SIGN_IN, 404, 404, 404, 404, 404, 404, 404, 404),
    GroupRow("groups:digest",          G,                           SIGN_IN, 404, 404, 404, 404, 404, 302, 302, 404),
    GroupRow("groups:new_post",        G,                           SIGN_IN, 404, 404, 404, 404, 404, 200, 200, 404),
    GroupRow("groups:post",            P,                           SIGN_IN, 404, 404, 404, 404, 404, 200, 200, 404),
    GroupRow("groups:post",            {**G, "post_id": 999999},    SIGN_IN, 404, 404, 404, 404, 404, 404, 404, 404),
    GroupRow("groups:edit_post",       P,                           SIGN_IN, 404, 404, 404, 404, 404, 200, 200, 404),
    GroupRow("groups:post_history",    P,                           SIGN_IN, 404, 404, 404, 404, 404, 200, 200, 404),
    GroupRow("groups:moderate_post",   {**P, "action": "pin"},      SIGN_IN, 404, 404, 404, 404, 404, 200, 403, 404),
    GroupRow("groups:moderate_post",   {**P, "action": "urgent"},   SIGN_IN, 404, 404, 404, 404, 404, 200, 403, 404),
    GroupRow("groups:moderate_post",   {**P, "action": "delete"},   SIGN_IN, 404, 404, 404, 404, 404, 200, 403, 404),
    GroupRow("groups:file",            {**G, "file_id": "<file>"},  SIGN_IN, 404, 404, 404, 404, 404, 200, 200, 404),
    GroupRow("groups:indicators_csv",  G,                           SIGN_IN, 404, 404, 404, 404, 404, 200, 200, 404),
    GroupRow("group_stix:group_indicators", G,                      SIGN_IN, 404, 404, 404, 404, 404, 200, 200, 404),
    GroupRow("group_stix:post_indicators",  P,                      SIGN_IN, 404, 404, 404, 404, 404, 200, 200, 404),
    GroupRow("group_stix:post_indicators",  {**G, "post_id": 999999}, SIGN_IN, 404, 404, 404, 404, 404, 404, 404, 404),
    GroupRow("groups:members",         G,                           SIGN_IN, 404, 404, 404, 404, 404, 200, 200, 404),
    GroupRow("groups:invite",          G,                           SIGN_IN, 404, 404, 404, 404, 404, 200, 403, 404),
    GroupRow("groups:remove_member",   M,                           SIGN_IN, 404, 404, 404, 404, 404, 200, 403, 404),
    GroupRow("groups:member_role",     M,                           SIGN_IN, 404, 404, 404, 404, 404, 200, 403, 404),
    GroupRow("groups:close",           G,                           SIGN_IN, 404, 404, 404, 404, 404, 200, 403, 404),
    GroupRow("groups:leave",           G,                           SIGN_IN, 404, 404, 404, 404, 404, 200, 200, 404),
    GroupRow("groups:answer",          G,                           SIGN_IN, 404, 404, 404, 404, 404, 404, 404, 404),
]
# fmt: on


def _group_row_id(row: GroupRow) -> str:
    return f"{row.name}({','.join(str(value) for value in row.kwargs.values())})"


@pytest.fixture
def group_objects(group, mel, group_files):
    from respond.groups.models import GroupMember
    from tests.groups.setup import text_file, write_post

    post = write_post(group, mel, uploads=[text_file()], indicators="192.0.2.1")
    return {
        "<group>": group.pk,
        "<post>": post.pk,
        "<file>": post.files.get().pk,
        "<member>": GroupMember.objects.get(group=group, user=mel).pk,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("row", GROUP_ACCESS, ids=[_group_row_id(row) for row in GROUP_ACCESS])
def test_group_access(client_for, group_objects, morgan, mel, rex, row):
    """One case per URL, every role in turn (GET only, so no role's request changes what the next one sees)."""
    kwargs = {key: group_objects.get(value, value) for key, value in row.kwargs.items()}
    url = reverse(row.name, kwargs=kwargs)
    people = {"moderator": "morgan", "member": "mel", "removed": "rex"}
    wrong = []
    for role in GROUP_ROLES:
        expected = getattr(row, role)
        response = client_for(people.get(role, role)).get(url)
        if expected == SIGN_IN:
            ok = response.status_code == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL) + "?next=")
        else:
            ok = response.status_code == expected
        if not ok:
            wrong.append(f"{role} got {response.status_code}, not {expected}")
    assert not wrong, f"{url}: {'; '.join(wrong)}"
