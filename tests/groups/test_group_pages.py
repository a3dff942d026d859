"""The main journey through the pages: open a group, invite, accept, post, reply, remove, close."""

import re

import pytest
from django.urls import reverse

from respond.core.models import AuditLog
from respond.groups.models import GroupMember, IncidentGroup, MemberStatus, Post
from respond.notifications.models import MessageKind, Notification

pytestmark = pytest.mark.django_db


def test_csoc_opens_a_group_and_is_its_moderator(signed_in, morgan):
    client = signed_in(morgan)
    response = client.post(
        reverse("groups:open"),
        {"name": "Ransomware at three trusts", "purpose": "Share what you see.", "default_marking": "red"},
    )
    group = IncidentGroup.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:invite", args=[group.pk])
    assert group.default_marking == "red"
    [moderator] = GroupMember.objects.filter(group=group)
    assert (moderator.user, moderator.role, moderator.status) == (morgan, "moderator", "active")
    assert AuditLog.objects.filter(action="group.opened", object_id=str(group.pk)).exists()


def test_opening_needs_a_name_purpose_and_strict_marking(signed_in, morgan):
    response = signed_in(morgan).post(reverse("groups:open"), {"name": "", "purpose": "", "default_marking": "green"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter the group&#39;s name" in page or "Enter the group's name" in page
    assert "Select a valid choice" in page or "TLP" in page
    assert not IncidentGroup.objects.exists()


def test_only_csoc_opens_groups(signed_in, alice, auditor):
    assert signed_in(alice).get(reverse("groups:open")).status_code == 403
    assert signed_in(auditor).get(reverse("groups:open")).status_code == 403


def test_invite_organisation_administrators_and_they_accept(signed_in, group, morgan, trust_a, alice, bob, charlie):
    client = signed_in(morgan)
    response = client.post(reverse("groups:invite", args=[group.pk]), {"ods_codes": "RAA\nRBB"})
    assert response.status_code == 302
    invited = GroupMember.objects.filter(group=group, status=MemberStatus.INVITED)
    assert {m.user for m in invited} == {alice, charlie}  # administrators only: not bob
    emails = Notification.objects.filter(kind=MessageKind.GROUP_EMAIL)
    assert set(emails.values_list("address", flat=True)) == {alice.email, charlie.email}
    # Alice sees her invitation and accepts; before that, the group is 404 to her.
    alice_client = signed_in(alice)
    assert alice_client.get(reverse("groups:detail", args=[group.pk])).status_code == 404
    assert "WannaCry response" in alice_client.get(reverse("groups:list")).content.decode()
    response = alice_client.post(reverse("groups:answer", args=[group.pk]), {"answer": "accept"})
    assert response["Location"] == reverse("groups:detail", args=[group.pk])
    assert alice_client.get(reverse("groups:detail", args=[group.pk])).status_code == 200
    # Charlie declines and stays outside.
    charlie_client = signed_in(charlie)
    charlie_client.post(reverse("groups:answer", args=[group.pk]), {"answer": "decline"})
    assert charlie_client.get(reverse("groups:detail", args=[group.pk])).status_code == 404
    assert AuditLog.objects.filter(action="group.member_joined", actor=alice).exists()
    assert AuditLog.objects.filter(action="group.invitation_declined", actor=charlie).exists()


def test_unknown_ods_codes_are_listed_with_their_lines_and_nobody_is_invited(signed_in, group, morgan, trust_a, alice):
    response = signed_in(morgan).post(reverse("groups:invite", args=[group.pk]), {"ods_codes": "RAA\nZZZ99\n\nQQQ1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Line 2: ZZZ99 is not the ODS code of an open organisation" in page
    assert "Line 4: QQQ1 is not the ODS code of an open organisation" in page
    assert not GroupMember.objects.filter(group=group, status=MemberStatus.INVITED).exists()
    assert 'value="RAA' in page or "RAA\nZZZ99" in page  # what was typed is kept


def test_a_role_change_says_the_new_role(signed_in, group, morgan, csoc):
    # The page once said the role the member had before (found by the generated-input tests).
    colleague = GroupMember.objects.create(
        group=group, user=csoc, email=csoc.email, organisation=None, status=MemberStatus.ACTIVE
    )
    client = signed_in(morgan)
    response = client.post(reverse("groups:member_role", args=[group.pk, colleague.pk]), {"role": "moderator"})
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.role == "moderator"
    assert f"{colleague.name} is now a moderator" in client.get(response["Location"]).content.decode()


def test_member_posts_and_replies_and_the_thread_shows_both(signed_in, group, mel):
    client = signed_in(mel)
    response = client.post(
        reverse("groups:new_post", args=[group.pk]),
        {"title": "Encrypted shares at RCC", "body": "We see **encryption**.", "marking": "red"},
    )
    post = Post.objects.get(parent__isnull=True)
    assert response["Location"] == reverse("groups:post", args=[group.pk, post.pk])
    response = client.post(
        reverse("groups:post", args=[group.pk, post.pk]), {"body": "Update: contained.", "marking": "red"}
    )
    assert response.status_code == 302
    page = client.get(reverse("groups:post", args=[group.pk, post.pk])).content.decode()
    assert "<strong>encryption</strong>" in page
    assert "Update: contained." in page
    assert "TLP:RED" in page


def test_an_empty_post_is_refused_and_nothing_is_written(signed_in, group, mel):
    response = signed_in(mel).post(
        reverse("groups:new_post", args=[group.pk]), {"title": "Kept title", "body": "  ", "marking": "red"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter the post" in page
    assert 'value="Kept title"' in page
    assert not Post.objects.exists()


def test_removed_member_gets_404_everywhere(signed_in, group, morgan, mel, write):
    post = write(group, mel)
    membership = GroupMember.objects.get(group=group, user=mel)
    client = signed_in(morgan)
    client.post(reverse("groups:remove_member", args=[group.pk, membership.pk]))
    mel_client = signed_in(mel)
    for url in (
        reverse("groups:detail", args=[group.pk]),
        reverse("groups:post", args=[group.pk, post.pk]),
        reverse("groups:members", args=[group.pk]),
    ):
        assert mel_client.get(url).status_code == 404
    assert AuditLog.objects.filter(action="group.member_removed", actor=morgan).exists()


def test_losing_the_invited_organisation_loses_the_group_at_once(signed_in, group, mel, trust_c):
    client = signed_in(mel)
    assert client.get(reverse("groups:detail", args=[group.pk])).status_code == 200
    mel.memberships.filter(organisation=trust_c).delete()
    assert client.get(reverse("groups:detail", args=[group.pk])).status_code == 404


def test_closed_group_is_read_only_but_readable(signed_in, group, morgan, mel, write):
    post = write(group, mel)
    signed_in(morgan).post(reverse("groups:close", args=[group.pk]))
    client = signed_in(mel)
    assert client.get(reverse("groups:detail", args=[group.pk])).status_code == 200
    assert "read-only" in client.get(reverse("groups:post", args=[group.pk, post.pk])).content.decode()
    response = client.post(reverse("groups:post", args=[group.pk, post.pk]), {"body": "late", "marking": "red"})
    assert response.status_code == 409
    assert client.get(reverse("groups:new_post", args=[group.pk])).status_code == 409
    assert Post.objects.count() == 1


def test_a_major_incident_alert_offers_to_open_a_group_for_it(signed_in, morgan, trust_a):
    from tests.notifications.conftest import make_alert

    alert = make_alert(organisations=[trust_a], major_incident=True, author=morgan)
    client = signed_in(morgan)
    page = client.get(reverse("alerts_csoc:detail", args=[alert.pk])).content.decode()
    link = f"{reverse('groups:open')}?alert={alert.threat_id}"
    assert "Open a closed incident group for this major incident" in page
    assert link in page
    form_page = client.get(link).content.decode()
    assert re.search(rf'value="{alert.pk}"[^>]*checked', form_page)
    assert f"{alert.threat_id} incident group" in form_page
