"""Invitations, urgent posts and digests go through the outbox and GOV.UK Notify (a local server speaking its
API). They name the group and link to it; an urgent email gives the post's title; nothing else of the group's
content is ever in a message. Text messages only to members who opted in for major incidents."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from respond.core.audit import Auditor
from respond.groups import services
from respond.groups.models import Digest, GroupMember, MemberStatus
from respond.groups.posts import post_mark_urgent, send_digests
from respond.notifications.models import Channel, MessageKind, Notification
from tests.notifications.conftest import deliver_everything, with_mobile

pytestmark = pytest.mark.django_db

SECRET = "ZEBRA-7731-SECRET"


def texts(notify_server) -> dict[str, str]:
    return {r.to: r.personalisation["body"] for r in notify_server.records if r.type == "sms"}


def emails(notify_server) -> dict[str, tuple[str, str]]:
    return {
        r.to: (r.personalisation["subject"], r.personalisation["body"])
        for r in notify_server.records
        if r.type == "email"
    }


def test_invitations_are_emailed_and_texted_to_those_who_opted_in(notify, signed_in, group, morgan, alice, charlie):
    with_mobile(alice, "+447700900111")
    with_mobile(charlie, "+447700900222", opt_in=False)
    signed_in(morgan).post(reverse("groups:invite", args=[group.pk]), {"ods_codes": "RAA, RBB"})
    deliver_everything()
    sent = emails(notify)
    assert set(sent) == {alice.email, charlie.email}
    subject, body = sent[alice.email]
    assert subject == "Invitation to the closed incident group WannaCry response"
    assert "https://cyber-alerts.example.nhs.uk/groups/" in body
    assert "Coordinating" not in body  # the purpose is content
    assert texts(notify) == {
        "+447700900111": 'Respond to a cyber alert: you are invited to the closed incident group "WannaCry response". '
        "Sign in to answer: https://cyber-alerts.example.nhs.uk/groups/\n"
    }


def test_an_urgent_post_texts_a_signpost_and_emails_its_title_only(notify, write, group, morgan, mel, rex):
    with_mobile(mel, "+447700900333")
    with_mobile(rex, "+447700900444")  # removed: told nothing
    post = write(group, morgan, title="Patch now: CVE-2017-0144", body=f"Details {SECRET}", indicators="198.51.100.9")
    Notification.objects.all().delete()
    post_mark_urgent(post=post, auditor=Auditor.for_user(morgan))
    deliver_everything()
    assert set(texts(notify)) == {"+447700900333"}
    sms = texts(notify)["+447700900333"]
    assert "WannaCry response" in sms
    assert f"/groups/{group.pk}/" in sms
    assert "CVE-2017-0144" not in sms  # a text carries no content, not even the title
    sent = emails(notify)
    assert set(sent) == {mel.email, morgan.email}
    body = sent[mel.email][1]
    assert "Patch now: CVE-2017-0144" in body
    assert SECRET not in body
    assert "198.51.100.9" not in body
    assert Notification.objects.filter(channel=Channel.SMS, kind=MessageKind.GROUP_SMS).count() == 1


def test_an_urgent_post_goes_once(write, group, morgan):
    post = write(group, morgan)
    post_mark_urgent(post=post, auditor=Auditor.for_user(morgan))
    with pytest.raises(Exception, match="already marked urgent"):
        post_mark_urgent(post=post, auditor=Auditor.for_user(morgan))


def test_new_posts_email_immediate_members_a_signpost_without_content(write, group, morgan, mel):
    write(group, mel, title=f"Title {SECRET}", body=f"Body {SECRET}")
    [notification] = Notification.objects.filter(kind=MessageKind.GROUP_EMAIL)
    assert notification.address == morgan.email  # not the author
    assert SECRET not in notification.composed.subject
    assert SECRET not in notification.composed.body


def test_hourly_members_get_one_digest_an_hour_and_urgent_ones_at_once(write, group, morgan, mel):
    member = GroupMember.objects.get(group=group, user=mel)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.digest_choose(member=member, digest=Digest.HOURLY, auditor=Auditor.for_user(mel))
    with time_machine.travel(start + timedelta(minutes=5)):
        write(group, morgan, title=f"One {SECRET}")
        write(group, morgan, title="Two")
        write(group, mel, title="Mel's own")
    assert not Notification.objects.filter(address=mel.email).exists()  # hourly: nothing yet
    assert send_digests(now=start + timedelta(hours=1)) == 1
    [digest] = Notification.objects.filter(address=mel.email)
    assert "There are 2 new posts" in digest.composed.body
    assert SECRET not in digest.composed.body
    assert send_digests(now=start + timedelta(hours=1, minutes=1)) == 0  # idempotent
    urgent = write(group, morgan, title="Urgent one")
    post_mark_urgent(post=urgent, auditor=Auditor.for_user(morgan))
    assert Notification.objects.filter(address=mel.email).count() == 2


def test_closed_groups_are_archived_after_the_retention_period(group, morgan, mel, signed_in, settings):
    settings.GROUP_RETENTION_DAYS = 30
    services.group_close(group=group, closed_by=morgan, auditor=Auditor.for_user(morgan))
    mel_client, morgan_client = signed_in(mel), signed_in(morgan)
    assert services.groups_archive(now=timezone.now() + timedelta(days=29)) == 0
    assert mel_client.get(reverse("groups:detail", args=[group.pk])).status_code == 200
    assert services.groups_archive(now=timezone.now() + timedelta(days=31)) == 1
    assert services.groups_archive(now=timezone.now() + timedelta(days=32)) == 0
    group.refresh_from_db()
    assert group.archived_at is not None
    assert group.posts.model.objects.filter(group=group).count() == group.posts.count()  # content kept
    assert mel_client.get(reverse("groups:detail", args=[group.pk])).status_code == 404
    assert morgan_client.get(reverse("groups:detail", args=[group.pk])).status_code == 404


def test_the_scheduler_runs_digests_hourly_and_archiving_daily():
    from crontask import scheduler

    from respond.groups import tasks

    names = {job.name for job in scheduler.get_jobs()}
    assert any("send_group_digests" in name for name in names), names
    assert any("archive_closed_groups" in name for name in names), names
    assert tasks.archive_closed_groups.call() == 0


def test_invited_by_email_without_an_account_makes_an_account_invitation(signed_in, group, morgan, trust_a):
    from respond.accounts.models import Invitation

    response = signed_in(morgan).post(
        reverse("groups:invite", args=[group.pk]),
        {"new_email": "Nia@Alpha.nhs.uk", "new_full_name": "Nia New", "new_ods_code": "raa"},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="nia@alpha.nhs.uk")
    assert (invitation.organisation, invitation.role) == (trust_a, "responder")
    row = GroupMember.objects.get(group=group, email="nia@alpha.nhs.uk")
    assert (row.user, row.status, row.organisation) == (None, MemberStatus.INVITED, trust_a)


def test_someone_invited_by_email_answers_once_their_account_exists(signed_in, group, morgan, trust_a):
    from tests.factories import member

    signed_in(morgan).post(
        reverse("groups:invite", args=[group.pk]),
        {"new_email": "nia@alpha.nhs.uk", "new_full_name": "Nia New", "new_ods_code": "RAA"},
    )
    nia = member(trust_a, "responder", email="nia@alpha.nhs.uk", full_name="Nia New")  # as accepting makes it
    client = signed_in(nia)
    assert "Answer the invitation to WannaCry response" in client.get(reverse("groups:list")).content.decode()
    client.post(reverse("groups:answer", args=[group.pk]), {"answer": "accept"})
    row = GroupMember.objects.get(group=group, email="nia@alpha.nhs.uk")
    assert (row.user, row.status) == (nia, MemberStatus.ACTIVE)
    assert client.get(reverse("groups:detail", args=[group.pk])).status_code == 200
