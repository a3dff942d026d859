"""Generated input for the closed incident groups' forms: opening a group, a post (with files), a reply, editing a
post, inviting members, answering an invitation, the choice of emails and a member's role."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from respond.groups.models import GroupMember, Marking, MemberRole, MemberStatus, Post
from tests.fuzz.forms import text_or_plain
from tests.fuzz.harness import example, page_text, submit
from tests.fuzz.strategies import budget, emails, field_value, nasty_text, plain_text
from tests.groups.setup import write_post

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
    name=st.one_of(nasty_text, plain_text),
    purpose=text_or_plain,
    marking=field_value(*MARKINGS),
    alerts=st.lists(field_value("0", "1"), max_size=2),
)
def test_opening_a_group(as_morgan, name, purpose, marking, alerts):
    with example():
        data = {"name": name, "purpose": purpose, "default_marking": marking, "alerts": alerts}
        outcome = submit(as_morgan, "/groups/open/", data)
        if outcome.valid:
            assert name.strip() in page_text(as_morgan.get(outcome.location))


@budget
@given(
    title=st.one_of(nasty_text, plain_text),
    body=text_or_plain,
    marking=field_value(*MARKINGS),
    indicators=st.one_of(text_or_plain, st.just("192.0.2.1\nexample.com\n44d88612fea8a8f36de82e1278abb02f")),
    files=uploads,
)
def test_posting_to_a_group(as_mel, group, group_files, title, body, marking, indicators, files):
    data = {"title": title, "body": body, "marking": marking, "indicators": indicators, "attachments": _files(files)}
    with example():
        stored = set(group_files.rglob("*"))
        outcome = submit(as_mel, f"/groups/{group.pk}/posts/new/", data)
        if outcome.valid:
            post = Post.objects.get(group=group, parent=None)
            assert post.title == title.strip()
            assert title.strip() in page_text(as_mel.get(outcome.location))
        else:
            assert set(group_files.rglob("*")) == stored, "a refused post left files behind"


@pytest.fixture
def thread(group, morgan):
    return write_post(group, morgan, title="Situation", body="What we know so far")


@budget
@given(body=text_or_plain, marking=field_value(*MARKINGS), files=uploads)
def test_replying_in_a_group(as_mel, group, thread, group_files, body, marking, files):
    data = {"body": body, "marking": marking, "attachments": _files(files)}
    with example():
        stored = set(group_files.rglob("*"))
        outcome = submit(as_mel, f"/groups/{group.pk}/posts/{thread.pk}/", data)
        if outcome.valid:
            assert Post.objects.get(parent=thread).body == body.strip()
            assert as_mel.get(outcome.location, follow=True).status_code == 200
        else:
            assert set(group_files.rglob("*")) == stored, "a refused reply left files behind"


@budget
@given(title=st.one_of(nasty_text, plain_text), body=text_or_plain, marking=field_value(*MARKINGS))
def test_editing_a_post(as_morgan, group, thread, title, body, marking):
    with example():
        data = {"title": title, "body": body, "marking": marking}
        outcome = submit(as_morgan, f"/groups/{group.pk}/posts/{thread.pk}/edit/", data)
        if outcome.valid:
            thread.refresh_from_db()
            assert thread.title == title.strip()


@budget
@given(
    users=st.one_of(text_or_plain, st.lists(st.one_of(emails, st.just("mel@gamma.nhs.uk"))).map("\n".join)),
    ods_codes=st.one_of(text_or_plain, st.just("RCC, RAA")),
    kinds=st.lists(field_value("nhs_trust", "icb"), max_size=2),
    new_email=st.one_of(nasty_text, emails, st.just("")),
    new_full_name=st.one_of(nasty_text, plain_text, st.just("")),
    new_ods_code=field_value("RCC", ""),
)
def test_inviting_to_a_group(as_morgan, group, users, ods_codes, kinds, new_email, new_full_name, new_ods_code):
    data = {
        "users": users,
        "ods_codes": ods_codes,
        "organisation_types": kinds,
        "new_email": new_email,
        "new_full_name": new_full_name,
        "new_ods_code": new_ods_code,
    }
    with example():
        outcome = submit(as_morgan, f"/groups/{group.pk}/members/invite/", data)
        if outcome.valid:
            assert outcome.location.endswith(f"/groups/{group.pk}/members/")


@pytest.fixture
def invited(group, alice, trust_a, signed_in):
    GroupMember.objects.create(
        group=group, user=alice, email=alice.email, organisation=trust_a, status=MemberStatus.INVITED
    )
    return signed_in(alice)


@budget
@given(answer=field_value("accept", "decline"))
def test_answering_a_group_invitation(invited, group, alice, answer):
    with example():
        outcome = submit(invited, f"/groups/{group.pk}/invitation/", {"answer": answer})
        if outcome.valid:
            status = GroupMember.objects.get(group=group, user=alice).status
            assert status == (MemberStatus.ACTIVE if answer == "accept" else MemberStatus.DECLINED)


@budget
@given(digest=field_value("immediate", "hourly"))
def test_choosing_group_emails(as_mel, group, mel, digest):
    # The choice is a pair of buttons: anything else is ignored and the group's page shown again.
    with example():
        before = GroupMember.objects.get(group=group, user=mel).digest
        submit(as_mel, f"/groups/{group.pk}/emails/", {"digest": digest})
        after = GroupMember.objects.get(group=group, user=mel).digest
        assert after == (digest if digest in ("immediate", "hourly") else before)


@budget
@given(role=field_value(*MemberRole.values))
def test_changing_a_group_role(as_morgan, group, mel, role):
    target = GroupMember.objects.get(group=group, user=mel)
    with example():
        outcome = submit(as_morgan, f"/groups/{group.pk}/members/{target.pk}/role/", {"role": role})
        if outcome.valid:
            target.refresh_from_db()
            assert target.role == role
