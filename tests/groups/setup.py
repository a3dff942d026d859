"""Group fixtures, shared by tests/groups and the authorization matrix: a group opened by a CSOC moderator
(morgan), with mel (an administrator of Trust C, invited through it) as a member and rex removed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from respond.accounts.models import GlobalRole, Role
from respond.core.audit import Auditor
from respond.groups import services
from respond.groups.models import GroupMember, IncidentGroup, Marking, MemberStatus, Post
from respond.groups.posts import Draft, post_create
from tests.factories import OrganisationFactory, global_user, member


@pytest.fixture
def group_files(settings, tmp_path):
    """Files go to a temporary folder through the same storage API (the setting a deployment changes)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "group_files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "group-files")},
        },
    }
    return tmp_path / "group-files"


@pytest.fixture
def trust_c():
    return OrganisationFactory(ods_code="RCC", name="Gamma Hospitals NHS Trust")


@pytest.fixture
def morgan():
    """CSOC staff: the group's moderator."""
    return global_user(GlobalRole.CSOC, email="morgan@csoc.nhs.uk", full_name="Morgan Moderator")


@pytest.fixture
def mel(trust_c):
    """Administrator of Trust C: a member, invited through Trust C."""
    return member(trust_c, Role.ADMINISTRATOR, email="mel@gamma.nhs.uk", full_name="Mel Member")


@pytest.fixture
def rex(trust_c):
    """Administrator of Trust C, removed from the group."""
    return member(trust_c, Role.ADMINISTRATOR, email="rex@gamma.nhs.uk", full_name="Rex Removed")


def join(group: IncidentGroup, user, organisation=None) -> GroupMember:
    return GroupMember.objects.create(
        group=group, user=user, email=user.email, organisation=organisation, status=MemberStatus.ACTIVE
    )


@pytest.fixture
def group(morgan, mel, rex, trust_c):
    opened = services.group_open(
        name="WannaCry response",
        purpose="Coordinating the response.",
        alerts=[],
        default_marking=Marking.AMBER_STRICT,
        moderators=[],
        opened_by=morgan,
        auditor=Auditor.for_user(morgan),
    )
    join(opened, mel, trust_c)
    removed = join(opened, rex, trust_c)
    services.member_remove(member=removed, auditor=Auditor.for_user(morgan))
    return opened


def write_post(
    group, author, title="Situation", body="Body text", parent=None, marking=Marking.AMBER_STRICT, **kw
) -> Post:
    draft = Draft(title=title, body=body, marking=marking, indicators=kw.pop("indicators", ""))
    return post_create(group=group, author=author, draft=draft, parent=parent, auditor=Auditor.for_user(author), **kw)


@pytest.fixture
def write():
    """write(group, author, title, body, **extra) -> a post through the service."""
    return write_post


def text_file(name: str = "notes.txt", content: bytes = b"Seen at 10:02\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")
