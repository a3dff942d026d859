"""The worker sends through the real Notify client to a local Notify: exactly once, whatever Notify does."""

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.utils import timezone

from respond.alerts.models import Tlp
from respond.notifications import services
from respond.notifications.channels import Channels, NotifyEmail
from respond.notifications.conf import notification_settings
from respond.notifications.delivery import Deliverer, Job
from respond.notifications.messages import render_message
from respond.notifications.models import MessageKind, Notification, Status
from respond.notifications.ratelimit import shared_bucket
from tests.notifications.conftest import (
    deliver_everything,
    in_process_deliverer,
    make_alert,
    organisation_with_members,
    run_worker_once,
    with_mobile,
)

pytestmark = pytest.mark.django_db
TEAM_ONLY = "Can\u2019t send to this recipient using a team-only API key"  # Notify's words, curly quote and all


def published(organisations, **fields):
    alert = make_alert(organisations=organisations, **fields)
    services.notifications_for_alert(alert=alert)
    return alert


def assert_each_sent_once(notify):
    rows = list(Notification.objects.all())
    assert rows
    assert notify.references() == {row.reference: 1 for row in rows}
    by_reference = {record.reference: record for record in notify.records}
    for row in rows:
        assert row.status == Status.SENT, (row.address, row.error)
        assert row.provider_id == by_reference[row.reference].id
        assert row.claimed_by == ""


def test_emails_and_texts_go_through_notify_exactly_once(notify, trust_a, alice, bob):
    with_mobile(alice, "+447700900001")
    alert = published([trust_a], major_incident=True)

    deliver_everything()

    assert_each_sent_once(notify)
    records = {(record.type, record.to): record for record in notify.records}
    assert set(records) == {
        ("email", "alice@alpha.nhs.uk"),
        ("email", "bob@alpha.nhs.uk"),
        ("sms", "+447700900001"),
    }
    assert len(notify.records) == 4
    email = records[("email", "bob@alpha.nhs.uk")]
    assert email.template_id == notify.email_template_id
    assert email.personalisation["subject"] == (
        f"Major incident: High severity cyber alert {alert.threat_id}: Critical vulnerability in Example VPN"
    )
    body = email.personalisation["body"]
    assert body.startswith("TLP:CLEAR\n")
    assert "Example VPN versions before 9.1 let an attacker run code remotely." in body
    assert f"https://cyber-alerts.example.nhs.uk/cyber-alerts/{alert.threat_id}/" in body
    assert "record your organisation's response by" in body
    assert "/contact-preferences/" in body
    texts = sorted(
        (record.personalisation["body"] for record in notify.records if record.type == "sms"), key=len, reverse=True
    )
    assert len(texts) == 2
    assert texts[1].startswith(f"NHS cyber alert: major cyber incident {alert.threat_id}. High severity.")
    assert texts[0].startswith(f"Read {alert.threat_id} and record your organisation's response by ")
    assert texts[0].rstrip().endswith(f"/cyber-alerts/{alert.threat_id}/")


def test_restricted_alerts_keep_their_details_out_of_email(notify, trust_a, alice):
    alert = published([trust_a], tlp=Tlp.AMBER)
    deliver_everything()
    [record] = notify.records
    assert record.personalisation["subject"].startswith("[TLP:AMBER] High severity cyber alert")
    assert alert.short_summary not in record.personalisation["body"]
    assert (
        "This alert is marked TLP:AMBER, so its details are not sent by email. Sign in to read it."
        in (record.personalisation["body"])
    )


def test_rate_limited_and_failed_sends_are_retried_and_sent_once(notify):
    organisation, _ = organisation_with_members(12)
    published([organisation])
    notify.fail_next(3, status=429)
    notify.fail_next(2, status=500)
    notify.fail_next(1, status=503)

    deliver_everything()

    assert_each_sent_once(notify)
    retried = Notification.objects.filter(attempts__gt=1).count()
    # Six faults; on a busy machine a send may also time out now and then (and be retried after asking).
    assert retried >= 6
    statuses = [seen.status for seen in notify.requests if seen.method == "POST"]
    assert statuses.count(429) == 3
    assert statuses.count(500) == 2
    # A 5xx may come after Notify stored the message: those retries asked Notify first, and only those.
    assert sum(1 for seen in notify.requests if seen.method == "GET") == 3 + (retried - 6)


@pytest.mark.parametrize("fault", ["accept_then_timeout", "accept_then_500"])
def test_a_send_notify_accepted_without_saying_so_is_not_sent_again(notify, trust_a, alice, fault):
    published([trust_a])
    notify.fail_next(1, kind=fault)

    deliver_everything()

    assert_each_sent_once(notify)
    row = Notification.objects.get()
    assert row.attempts == 2
    lookups = [seen for seen in notify.requests if seen.method == "GET"]
    assert [seen.path for seen in lookups] == ["/v2/notifications"]


def test_a_timed_out_send_that_never_arrived_is_sent_after_asking(notify, trust_a, alice):
    published([trust_a])
    notify.fail_next(1, kind="timeout")

    deliver_everything()

    assert_each_sent_once(notify)
    # Answered requests: the look-up, then the send (the timed-out send was never answered).
    assert [(seen.method, seen.status) for seen in notify.requests if seen.status] == [("GET", 200), ("POST", 201)]


def test_a_refused_message_is_recorded_with_notifys_error_and_not_retried(notify, trust_a, alice, bob):
    published([trust_a])
    notify.reject("bob@alpha.nhs.uk", TEAM_ONLY)

    deliver_everything()

    row = Notification.objects.get(address="bob@alpha.nhs.uk")
    assert row.status == Status.FAILED
    assert row.error == f"GOV.UK Notify said 400: {TEAM_ONLY}"
    assert row.attempts == 1
    assert Notification.objects.get(address="alice@alpha.nhs.uk").status == Status.SENT


def test_a_wrong_api_key_fails_with_notifys_explanation(notify, settings, trust_a, alice):
    settings.NOTIFY_API_KEY = notify.api_key[:-36] + "00000000-0000-4000-8000-000000000000"
    published([trust_a])

    deliver_everything()

    row = Notification.objects.get()
    assert row.status == Status.FAILED
    assert row.error == "GOV.UK Notify said 403: Invalid token: API key not found"
    assert notify.records == []


def test_gives_up_after_the_last_attempt(notify, settings, trust_a, alice):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    published([trust_a])
    notify.fail_every(1, status=429)

    deliver_everything()

    row = Notification.objects.get()
    assert row.status == Status.FAILED
    assert row.attempts == 3
    assert row.error.startswith("Gave up after 3 attempts. The last error: GOV.UK Notify said 429")


def test_a_claim_left_by_a_dead_worker_is_taken_over_when_its_lease_runs_out(notify, trust_a, alice, bob):
    alert = published([trust_a])
    conf = notification_settings()
    already_sent = Notification.objects.get(address="alice@alpha.nhs.uk")
    never_sent = Notification.objects.get(address="bob@alpha.nhs.uk")
    # The dead worker marked Alice's message and got as far as Notify with it; it never started Bob's.
    message = render_message(alert=alert, update=None, kind=MessageKind.EMAIL, for_contact=False)
    first = NotifyEmail(conf).notify(already_sent, message)
    Notification.objects.filter(pk=already_sent.pk).update(send_uncertain=True)
    Notification.objects.update(
        status=Status.SENDING, claimed_by="dead-worker", claimed_at=timezone.now() - conf.lease / 2
    )

    assert run_worker_once().processed == 0  # too early: the lease has not run out
    assert Notification.objects.filter(status=Status.SENDING, claimed_by="dead-worker").count() == 2

    Notification.objects.update(claimed_at=timezone.now() - conf.lease - timedelta(seconds=1))
    deliver_everything()

    assert_each_sent_once(notify)
    assert Notification.objects.get(pk=already_sent.pk).provider_id == first.provider_id
    assert Notification.objects.get(pk=never_sent.pk).attempts == 1
    # Only the marked message was asked about; the other went at once.
    lookups = [seen for seen in notify.requests if seen.method == "GET"]
    assert len(lookups) == 1


def test_a_live_worker_renews_its_lease_so_nobody_takes_its_claims(notify, trust_a, alice, bob):
    published([trust_a])
    conf = notification_settings()
    worker = in_process_deliverer()
    claimed = worker.claim()
    assert len(claimed) == 2
    # Time passes: the lease would have run out, but the worker renews it when due.
    Notification.objects.update(claimed_at=timezone.now() - conf.lease - timedelta(seconds=1))
    worker.renewed_at -= conf.lease_renewal_seconds

    assert worker.keep_lease()

    assert in_process_deliverer().claim() == []
    assert set(Notification.objects.values_list("status", "claimed_by")) == {(Status.SENDING, worker.worker_id)}


def test_a_worker_gives_rows_back_rather_than_send_after_its_lease_could_run_out(notify, trust_a, alice, bob):
    published([trust_a])
    conf = dataclasses.replace(notification_settings(), lease=timedelta(0))
    deliverer = Deliverer(conf=conf, channels=Channels.from_settings(conf), bucket=shared_bucket("t", 60_000))

    with ThreadPoolExecutor(2) as pool:
        outcomes = deliverer.deliver(deliverer.claim(), pool)

    assert [outcome.started for outcome in outcomes] == [False, False]
    rows = set(Notification.objects.values_list("status", "attempts", "claimed_by", "send_uncertain"))
    assert rows == {(Status.QUEUED, 0, "", False)}
    assert notify.records == []


def test_each_message_is_marked_in_flight_before_its_first_request(notify, trust_a, alice, bob):
    """What a worker killed mid-send leaves behind: the rows it may have sent are marked, the others not."""
    published([trust_a])
    deliverer = in_process_deliverer()
    batch = deliverer.claim()
    jobs = [Job(row, deliverer.message_for(row), row.send_uncertain) for row in batch]

    deliverer.mark_in_flight(jobs[:1])

    marked = dict(Notification.objects.values_list("pk", "send_uncertain"))
    assert marked == {batch[0].pk: True, batch[1].pk: False}


def test_the_notify_client_can_time_out(notify, settings, trust_a, alice):
    """A slow Notify is a timeout, and a timeout is retried."""
    settings.NOTIFY_MAX_ATTEMPTS = 2
    notify.latency = 1.5  # longer than NOTIFY_TIMEOUT_SECONDS
    published([trust_a])

    deliver_everything(within=10)

    row = Notification.objects.get()
    assert row.status == Status.FAILED
    assert row.error.startswith("Gave up after 2 attempts. The last error: GOV.UK Notify timed out")
    assert row.send_uncertain


def test_messages_whose_lease_ran_out_are_taken_before_queued_ones(notify, settings, trust_a, alice, bob):
    settings.NOTIFY_BATCH_SIZE = 1
    published([trust_a])
    conf = notification_settings()
    now = timezone.now()
    Notification.objects.filter(address="alice@alpha.nhs.uk").update(next_attempt_at=now - timedelta(hours=1))
    Notification.objects.filter(address="bob@alpha.nhs.uk").update(
        status=Status.SENDING, claimed_by="dead-worker", claimed_at=now - conf.lease - timedelta(seconds=1)
    )

    [first] = in_process_deliverer().claim()

    assert first.address == "bob@alpha.nhs.uk"
