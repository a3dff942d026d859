"""Generated input for access requests and their decisions, invitations, roles, accepting an invitation, CSOC's
nomination of lead administrators and its create-user form."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from respond.accounts.access_requests import MAX_REASON_LENGTH, access_request_create
from respond.accounts.invitations import invitation_send
from respond.accounts.models import AccessRequest, Role, User
from respond.core.audit import Auditor
from tests.factories import member
from tests.fuzz.harness import assert_shown, example, page_text, shown_after, submit
from tests.fuzz.strategies import (
    accepted_text,
    budget,
    emails,
    field_value,
    nasty_text,
    plain_text,
    single_spaced,
    submissions,
)

pytestmark = pytest.mark.django_db

ROLES = [Role.RESPONDER.value, Role.ADMINISTRATOR.value]
names = st.one_of(nasty_text, plain_text)
addresses = st.one_of(nasty_text, emails)


@budget
@given(reason=st.one_of(nasty_text, accepted_text(MAX_REASON_LENGTH)))
def test_asking_for_access(as_charlie, charlie, trust_a, alice, reason):
    # alice administers Trust A: without an administrator, every request is refused (nobody could approve it).
    client = as_charlie
    with example():
        outcome = submit(client, f"/access/request/{trust_a.ods_code}/", {"reason": reason})
        if outcome.valid:
            assert charlie.access_requests.get().reason == reason.strip()  # type: ignore[attr-defined]


@pytest.fixture
def access_request(charlie, trust_a):
    return access_request_create(
        requester=charlie, organisation=trust_a, reason="We run their IT", auditor=Auditor.for_user(charlie)
    )


@budget
@given(
    data=submissions(
        st.fixed_dictionaries(
            {"decision": st.sampled_from([*ROLES, "deny"]), "reason": accepted_text(MAX_REASON_LENGTH)}
        ),
        {"decision": field_value(*ROLES, "deny"), "reason": st.one_of(nasty_text, plain_text)},
    )
)
def test_deciding_an_access_request(as_alice, access_request, trust_a, data):
    client, request = as_alice, access_request
    with example():
        url = f"/access/organisations/{trust_a.ods_code}/requests/{request.pk}/"
        outcome = submit(client, url, data)
        if outcome.valid:
            decided = AccessRequest.objects.get(pk=request.pk)
            if data["decision"] == "deny":
                assert decided.decision_reason == data["reason"].strip()
            else:
                assert decided.requester.memberships.get(organisation=trust_a).role == data["decision"]


@budget
@given(
    data=submissions(
        st.fixed_dictionaries({"full_name": accepted_text(200), "email": emails, "role": st.sampled_from(ROLES)}),
        {"full_name": names, "email": addresses, "role": field_value(*ROLES)},
    )
)
def test_inviting_someone(as_alice, trust_a, data):
    client = as_alice
    with example():
        outcome = submit(client, f"/access/organisations/{trust_a.ods_code}/invite/", data)
        if outcome.valid:
            shown_after(client, outcome, data["email"].strip().lower(), single_spaced(data["full_name"]))


@budget
@given(
    data=submissions(
        st.fixed_dictionaries({"role": st.sampled_from(ROLES)}),
        {"role": field_value(*ROLES)},
    ),
    name=accepted_text(200).map(single_spaced),
    role_before=st.sampled_from(ROLES),
)
def test_changing_a_role(as_alice, trust_a, data, name, role_before):
    # A person of Trust A with any name, whose role alice changes.
    client = as_alice
    with example():
        person = member(trust_a, role_before, email="person@alpha.nhs.uk", full_name=name)
        outcome = submit(client, f"/access/organisations/{trust_a.ods_code}/users/{person.pk}/role/", data)
        if outcome.valid:
            assert person.memberships.get().role == data["role"]  # type: ignore[attr-defined]
            shown_after(client, outcome, f"{person.display_name} is now {Role(data['role']).label.lower()}")


@pytest.fixture
def invitation_token(alice, trust_a):
    sent = invitation_send(
        email="newcomer@alpha.nhs.uk",
        full_name="New Comer",
        organisation=trust_a,
        role=Role.RESPONDER,
        invited_by=alice,
        auditor=Auditor.for_user(alice),
        notify=False,
    )
    return sent.token


# A password the validators accept: long, not common, not all digits (one may be like the person's name, and be
# refused). Passwords are not trimmed: spaces and control characters are part of them.
passwords = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), min_size=12, max_size=100).map(
    lambda text: f"{text}-Zq7"
)


@budget
@given(
    data=submissions(
        passwords.map(lambda password: {"password1": password, "password2": password}),
        {"password1": st.one_of(nasty_text, passwords), "password2": st.one_of(nasty_text, passwords)},
    )
)
def test_accepting_an_invitation(client, invitation_token, data):
    with example():
        outcome = submit(client, f"/invitations/{invitation_token}/", data)
        if outcome.valid:
            newcomer = User.objects.get(email="newcomer@alpha.nhs.uk")
            assert newcomer.check_password(data["password1"])


@budget
@given(
    data=submissions(
        st.fixed_dictionaries(
            {
                "organisation": st.sampled_from(["RBB", "rbb", " RBB "]),
                "full_name": accepted_text(200),
                "email": emails,
                "nominated_by": accepted_text(200),
            }
        ),
        {
            "organisation": field_value("RBB", "rbb", " RBB ", "R0A"),
            "full_name": names,
            "email": addresses,
            "nominated_by": names,
        },
    )
)
def test_nominating_a_lead_administrator(as_csoc, trust_b, data):
    client = as_csoc
    with example():
        outcome = submit(client, "/csoc/lead-administrators/", data)
        if outcome.valid:
            shown_after(client, outcome, data["email"].strip().lower())


# A person meant: a role in an organisation named by its code, or a global role with no organisation.
_meant_roles = st.one_of(
    st.tuples(st.sampled_from(["RAA", "raa", " RAA "]), st.sampled_from(["administrator", "responder"])),
    st.tuples(st.just(""), st.sampled_from(["auditor", "csoc"])),
)


@budget
@given(
    data=submissions(
        st.tuples(emails, accepted_text(200), _meant_roles).map(
            lambda each: {"email": each[0], "full_name": each[1], "organisation": each[2][0], "role": each[2][1]}
        ),
        {
            "email": addresses,
            "full_name": names,
            "organisation": field_value("RAA", "raa", ""),
            "role": field_value("administrator", "responder", "auditor", "csoc"),
        },
    )
)
def test_creating_a_user(as_csoc, trust_a, data):
    client = as_csoc
    with example():
        outcome = submit(client, "/users/new/", data)
        if outcome.valid:
            shown_after(client, outcome, data["email"].strip().lower(), single_spaced(data["full_name"]))


@budget
@given(
    data=submissions(
        st.fixed_dictionaries(
            {
                "name": accepted_text(100),
                "organisations": st.just(["a"]),
                "access": st.sampled_from(["read", "respond"]),
                "valid_days": st.sampled_from(["7", "30", "90"]),
            }
        ),
        {
            "name": names,
            "organisations": st.lists(field_value("a", "0"), max_size=2),
            "access": field_value("read", "respond"),
            "valid_days": field_value("7", "30", "90", "0", "9999"),
        },
    )
)
def test_making_an_api_token(as_alice, trust_a, data):
    data = {**data, "organisations": [str(trust_a.pk) if each == "a" else each for each in data["organisations"]]}
    with example():
        outcome = submit(as_alice, "/api-tokens/", data, accepted=(200,))
        if outcome.valid:
            assert_shown(page_text(outcome.response), data["name"])
