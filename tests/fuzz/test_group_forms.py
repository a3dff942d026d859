"""Generated input for the closed incident groups' forms: opening a group, a post (with files), a reply, editing a
post, inviting members, answering an invitation, the choice of emails and a member's role."""

import json
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, provisional
from hypothesis import strategies as st

from respond.accounts.models import GlobalRole, Role
from respond.core.markdown import render_markdown
from respond.groups.indicators import parse_indicators
from respond.groups.models import (
    GROUP_DEFAULT_MARKINGS,
    GroupMember,
    IncidentGroup,
    Marking,
    MemberRole,
    MemberStatus,
    Post,
)
from tests.factories import global_user, member
from tests.fuzz.forms import text_or_plain
from tests.fuzz.harness import assert_shown, example, html_text, page_text, shown_after, submit
from tests.fuzz.strategies import accepted_text, budget, emails, field_value, nasty_text, plain_text, submissions
from tests.groups.setup import join, write_post

pytestmark = pytest.mark.django_db

MARKINGS = Marking.values
EXTENSIONS = ["txt", "csv", "pdf", "png", "json", "xlsx", "exe", "html", ""]
file_names = st.one_of(
    st.tuples(st.one_of(plain_text, st.just("notes")), st.sampled_from(EXTENSIONS)).map(lambda pair: ".".join(pair)),
    nasty_text.map(lambda text: text[:300]),
)
file_contents = st.one_of(
    st.binary(max_size=200),
    st.sampled_from([b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b'{"type": "bundle"}', b"a,b\n=1+1,2\n"]),
    plain_text.map(str.encode),
)
uploads = st.lists(st.tuples(file_names, file_contents), max_size=3)

# Files a group accepts, with any name: each type's contents as that type begins, or text for text files.
_text = accepted_text(2000).map(str.encode)
_accepted_contents = {
    "txt": _text,
    "csv": _text,
    "pdf": st.binary(max_size=100).map(lambda tail: b"%PDF-1.7\n" + tail),
    "png": st.binary(max_size=100).map(lambda tail: b"\x89PNG\r\n\x1a\n" + tail),
    "gif": st.binary(max_size=100).map(lambda tail: b"GIF89a" + tail),
    "xlsx": st.binary(max_size=100).map(lambda tail: b"PK\x03\x04" + tail),
    "json": accepted_text(200).map(
        lambda text: json.dumps({"type": "bundle", "objects": [{"type": "note", "content": text}]}).encode()
    ),
}
accepted_files = st.lists(
    st.sampled_from(list(_accepted_contents)).flatmap(
        lambda extension: st.tuples(
            accepted_text(100).map(lambda stem: f"{stem}.{extension}"), _accepted_contents[extension]
        )
    ),
    max_size=5,
)
# Indicators of compromise, one a line: addresses, domains (sometimes defanged), URLs and hashes.
_hash = st.sampled_from([16, 20, 32]).flatmap(lambda size: st.binary(min_size=size, max_size=size)).map(bytes.hex)
_indicator = st.one_of(
    st.ip_addresses().map(str),
    provisional.domains(max_length=60),
    provisional.domains(max_length=60).map(lambda domain: domain.replace(".", "[.]", 1)),
    provisional.urls(),
    _hash,
    _hash.map(str.upper),
)
accepted_indicators = st.lists(_indicator, max_size=5).map("\n".join)


@pytest.fixture
def as_morgan(morgan, signed_in):
    return signed_in(morgan)


@pytest.fixture
def as_mel(mel, signed_in):
    return signed_in(mel)


def _files(chosen: list[tuple[str, bytes]]) -> list[SimpleUploadedFile]:
    """The files as a browser sends them: a name with no folder in it (the test client refuses others)."""
    names = [os.path.basename(name.replace("\x00", "").replace("\\", "/")) for name, _ in chosen]
    return [
        SimpleUploadedFile(name if name not in ("", ".", "..") else "file", content)
        for name, (_, content) in zip(names, chosen, strict=True)
    ]


@budget
@given(
    data=submissions(
        st.fixed_dictionaries(
            {
                "name": accepted_text(120),
                "purpose": accepted_text(),
                "default_marking": st.sampled_from(GROUP_DEFAULT_MARKINGS),
                "alerts": st.just([]),
            }
        ),
        {
            "name": st.one_of(nasty_text, plain_text),
            "purpose": text_or_plain,
            "default_marking": field_value(*MARKINGS),
            "alerts": st.lists(field_value("0", "1"), max_size=2),
        },
    )
)
def test_opening_a_group(as_morgan, data):
    with example():
        outcome = submit(as_morgan, "/groups/open/", data)
        if outcome.valid:  # it leads to inviting members; the group's page shows its name and purpose
            page = page_text(as_morgan.get(IncidentGroup.objects.get().get_absolute_url()))
            assert_shown(page, data["name"], html_text(render_markdown(data["purpose"].strip())))


def _shown_post(data: dict, post: Post) -> list[str]:
    """What a post's page shows of it: its body as rendered, its indicators, its files' names (as kept: Django
    takes a file's name apart before the service sees it, e.g. it decodes HTML entities)."""
    assert post.files.count() == len(data["attachments"])  # type: ignore[attr-defined]
    shown = [html_text(render_markdown(data["body"].strip()))]
    shown += [indicator.value for indicator in parse_indicators(data.get("indicators", ""))]
    return [*shown, *(file.name for file in post.files.all())]  # type: ignore[attr-defined]


_meant_post = {
    "body": accepted_text(markdown=True),
    "marking": st.sampled_from(MARKINGS),
    "attachments": accepted_files,
}
_any_post = {"body": text_or_plain, "marking": field_value(*MARKINGS), "attachments": uploads}


@budget
@given(
    data=submissions(
        st.fixed_dictionaries(
            {"title": accepted_text(200), "indicators": st.one_of(st.just(""), accepted_indicators), **_meant_post}
        ),
        {
            "title": st.one_of(nasty_text, plain_text),
            "indicators": st.one_of(text_or_plain, st.just("192.0.2.1\nexample.com\n44d88612fea8a8f36de82e1278abb02f")),
            **_any_post,
        },
    )
)
def test_posting_to_a_group(as_mel, group, group_files, data):
    data = {**data, "attachments": _files(data["attachments"])}
    with example():
        stored = set(group_files.rglob("*"))
        outcome = submit(as_mel, f"/groups/{group.pk}/posts/new/", data)
        if outcome.valid:
            post = Post.objects.get(group=group, parent=None)
            assert post.title == data["title"].strip()
            shown_after(as_mel, outcome, data["title"], *_shown_post(data, post))
        else:
            assert set(group_files.rglob("*")) == stored, "a refused post left files behind"


@pytest.fixture
def thread(group, morgan):
    return write_post(group, morgan, title="Situation", body="What we know so far")


@budget
@given(data=submissions(st.fixed_dictionaries(_meant_post), _any_post))
def test_replying_in_a_group(as_mel, group, thread, group_files, data):
    data = {**data, "attachments": _files(data["attachments"])}
    with example():
        stored = set(group_files.rglob("*"))
        outcome = submit(as_mel, f"/groups/{group.pk}/posts/{thread.pk}/", data)
        if outcome.valid:
            reply = Post.objects.get(parent=thread)
            assert reply.body == data["body"].strip()
            assert_shown(page_text(as_mel.get(outcome.location, follow=True)), *_shown_post(data, reply))
        else:
            assert set(group_files.rglob("*")) == stored, "a refused reply left files behind"


@budget
@given(
    data=submissions(
        st.fixed_dictionaries(
            {"title": accepted_text(200), "body": accepted_text(markdown=True), "marking": st.sampled_from(MARKINGS)}
        ),
        {"title": st.one_of(nasty_text, plain_text), "body": text_or_plain, "marking": field_value(*MARKINGS)},
    )
)
def test_editing_a_post(as_morgan, group, thread, data):
    with example():
        outcome = submit(as_morgan, f"/groups/{group.pk}/posts/{thread.pk}/edit/", data)
        if outcome.valid:
            assert Post.objects.get(pk=thread.pk).title == data["title"].strip()
            page = page_text(as_morgan.get(outcome.location, follow=True))
            assert_shown(page, data["title"], html_text(render_markdown(data["body"].strip())))


# Whom a moderator means to invite: registered people by email address (in any case, on lines or separated by
# commas), organisations' administrators by ODS code, someone without an account yet, or several of these.
_registered = st.lists(
    st.sampled_from(["alice@alpha.nhs.uk", "ALICE@alpha.nhs.uk", "mel@gamma.nhs.uk", "bob@alpha.nhs.uk"]), min_size=1
)
_new_person = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {"new_email": emails, "new_full_name": accepted_text(200), "new_ods_code": st.sampled_from(["RCC", "raa"])}
    ),
)
_meant_invitees = (
    st.tuples(
        st.fixed_dictionaries(
            {
                "users": st.one_of(st.just(""), _registered.map("\n".join), _registered.map(", ".join)),
                "ods_codes": st.sampled_from(["", "RCC", "rcc, RAA", "RAA\n"]),
            }
        ),
        _new_person,
    )
    .map(lambda pair: {**pair[0], **pair[1]})
    .filter(lambda chosen: chosen["users"] or chosen["ods_codes"] or chosen.get("new_email"))
)


@budget
@given(
    data=submissions(
        _meant_invitees,
        {
            "users": st.one_of(text_or_plain, st.lists(st.one_of(emails, st.just("mel@gamma.nhs.uk"))).map("\n".join)),
            "ods_codes": st.one_of(text_or_plain, st.just("RCC, RAA")),
            "organisation_types": st.lists(field_value("nhs_trust", "icb"), max_size=2),
            "new_email": st.one_of(nasty_text, emails, st.just("")),
            "new_full_name": st.one_of(nasty_text, plain_text, st.just("")),
            "new_ods_code": field_value("RCC", ""),
        },
    )
)
def test_inviting_to_a_group(as_morgan, group, alice, bob, data):
    with example():
        outcome = submit(as_morgan, f"/groups/{group.pk}/members/invite/", data)
        if outcome.valid:
            assert outcome.location.endswith(f"/groups/{group.pk}/members/")
            if data.get("new_email"):
                shown_after(as_morgan, outcome, data["new_email"].strip().lower())


@pytest.fixture
def invited(group, alice, trust_a, signed_in):
    GroupMember.objects.create(
        group=group, user=alice, email=alice.email, organisation=trust_a, status=MemberStatus.INVITED
    )
    return signed_in(alice)


@budget
@given(
    data=submissions(
        st.fixed_dictionaries({"answer": st.sampled_from(["accept", "decline"])}),
        {"answer": field_value("accept", "decline")},
    )
)
def test_answering_a_group_invitation(invited, group, alice, data):
    with example():
        outcome = submit(invited, f"/groups/{group.pk}/invitation/", data)
        if outcome.valid:
            status = GroupMember.objects.get(group=group, user=alice).status
            assert status == (MemberStatus.ACTIVE if data["answer"] == "accept" else MemberStatus.DECLINED)


@budget
@given(digest=field_value("immediate", "hourly"))
def test_choosing_group_emails(as_mel, group, mel, digest):
    # The choice is a pair of buttons: anything else is ignored and the group's page shown again.
    with example():
        before = GroupMember.objects.get(group=group, user=mel).digest
        submit(as_mel, f"/groups/{group.pk}/emails/", {"digest": digest})
        after = GroupMember.objects.get(group=group, user=mel).digest
        assert after == (digest if digest in ("immediate", "hourly") else before)


# A member of any name, CSOC staff (who may moderate) or not, made a moderator or a member.
_meant_roles = st.one_of(
    st.tuples(st.just(True), st.sampled_from(MemberRole.values)), st.tuples(st.just(False), st.just(MemberRole.MEMBER))
).map(lambda pair: {"csoc": pair[0], "role": pair[1]})


@budget
@given(
    data=submissions(_meant_roles, {"csoc": st.booleans(), "role": field_value(*MemberRole.values)}),
    name=accepted_text(200),
)
def test_changing_a_group_role(as_morgan, group, trust_c, data, name):
    with example():
        if data["csoc"]:
            person = global_user(GlobalRole.CSOC, email="pat@csoc.nhs.uk", full_name=name)
        else:
            person = member(trust_c, Role.RESPONDER, email="pat@gamma.nhs.uk", full_name=name)
        target = join(group, person, None if data["csoc"] else trust_c)
        form = {field: value for field, value in data.items() if field != "csoc"}
        outcome = submit(as_morgan, f"/groups/{group.pk}/members/{target.pk}/role/", form)
        if outcome.valid:
            changed = GroupMember.objects.get(pk=target.pk)
            assert changed.role == data["role"]
            shown_after(as_morgan, outcome, f"{changed.name} is now a {changed.get_role_display().lower()}")
