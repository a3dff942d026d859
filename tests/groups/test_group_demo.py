"""seed_demo opens one closed incident group for the demo major-incident alert, with the demo users in it."""

import pytest
from django.core.management import call_command

from respond.groups.models import GroupMember, IncidentGroup, MemberRole, Post

pytestmark = pytest.mark.django_db


def test_seed_demo_opens_the_demo_group_once(group_files):
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115 - closed at exit
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115 - safe to run again
    group = IncidentGroup.objects.get()
    alert = group.alerts.get()
    assert alert.major_incident
    assert "NetScaler" in alert.title
    members = GroupMember.objects.current().filter(group=group)
    assert {m.email for m in members.filter(role=MemberRole.MODERATOR)} == {
        "csoc@england.demo.invalid",
        "csoc.approver@england.demo.invalid",
    }
    assert {m.email for m in members.filter(role=MemberRole.MEMBER)} == {
        "admin@r0a.demo.invalid",
        "responder@r0a.demo.invalid",
        "responder@0df.demo.invalid",
    }
    assert Post.objects.filter(group=group, pinned=True).count() == 1
    assert Post.objects.filter(group=group, parent__isnull=False).count() == 1
    assert Post.objects.filter(group=group, files__isnull=False).count() == 1
    assert any(group_files.rglob("*.csv"))
