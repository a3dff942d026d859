"""CSOC sees each alert's messages: counts by status, the failures with their reasons, and can send them again."""

from datetime import timedelta

import pytest
from django.urls import reverse

from respond.core.models import AuditLog
from respond.notifications import services
from respond.notifications.chains import deliver_notifications
from respond.notifications.models import Notification, Status
from respond.notifications.views.delivery import describe_delay
from tests.notifications.conftest import deliver_everything, make_alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(notify, settings, trust_a, trust_b, alice, bob, charlie):
    settings.NOTIFY_MAX_ATTEMPTS = 1
    alert = make_alert(organisations=[trust_a, trust_b])
    services.notifications_for_alert(alert=alert)
    notify.reject("charlie@beta.nhs.uk", "Not a valid email address")
    deliver_everything()
    bob_row = Notification.objects.get(address="bob@alpha.nhs.uk")
    record = next(record for record in notify.records if record.reference == bob_row.reference)
    services.record_delivery_receipt(payload=notify.receipt(record, "temporary-failure"))
    alice_row = Notification.objects.get(address="alice@alpha.nhs.uk")
    record = next(record for record in notify.records if record.reference == alice_row.reference)
    services.record_delivery_receipt(payload=notify.receipt(record, "delivered"))
    return alert


def progress_url(alert):
    return reverse("notifications:alert_progress", args=[alert.threat_id])


def test_progress_counts_and_failures(alert):
    progress = services.delivery_progress(alert=alert)
    assert {key: progress[key] for key in ("total", "queued", "sending", "sent", "delivered", "failed")} == {
        "total": 3,
        "queued": 0,
        "sending": 0,
        "sent": 0,
        "delivered": 1,
        "failed": 2,
    }
    assert progress["finished"]
    assert {(row.address, row.status) for row in progress["failures"]} == {
        ("bob@alpha.nhs.uk", Status.TEMPORARY_FAILURE),
        ("charlie@beta.nhs.uk", Status.FAILED),
    }


def test_csoc_sees_the_progress_page(alert, csoc, signed_in):
    response = signed_in(csoc).get(progress_url(alert))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{alert.threat_id}: {alert.title}" in html
    assert "GOV.UK Notify said 400: Not a valid email address" in html
    assert "Failed: inbox full or phone off" in html
    assert "Beta Hospitals NHS Trust" in html
    assert "Send failed messages again" in html
    assert 'http-equiv="refresh"' not in html  # finished: nothing to watch


def test_the_page_updates_itself_while_messages_are_waiting(notify, csoc, signed_in, trust_a, alice):
    alert = make_alert(organisations=[trust_a])
    services.notifications_for_alert(alert=alert)
    client = signed_in(csoc)
    html = client.get(progress_url(alert)).content.decode()
    assert '<meta http-equiv="refresh" content="15">' in html
    assert "1 of 1 messages are waiting to be sent" in html
    stopped = client.get(progress_url(alert) + "?live=off").content.decode()
    assert 'http-equiv="refresh"' not in stopped


@pytest.mark.parametrize("who", ["alice", "bob", "auditor"])
def test_only_csoc_sees_progress_or_retries(alert, signed_in, request, who):
    client = signed_in(request.getfixturevalue(who))
    assert client.get(progress_url(alert)).status_code == 403
    assert client.post(reverse("notifications:retry_failed", args=[alert.threat_id])).status_code == 403
    assert Notification.objects.filter(status=Status.QUEUED).count() == 0


def test_retrying_sends_failed_messages_again_but_not_to_addresses_that_do_not_exist(
    alert, csoc, signed_in, notify, django_capture_on_commit_callbacks
):
    bob_row = Notification.objects.get(address="bob@alpha.nhs.uk")
    first_send = bob_row.provider_id
    Notification.objects.filter(address="alice@alpha.nhs.uk").update(status=Status.PERMANENT_FAILURE)

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(csoc).post(reverse("notifications:retry_failed", args=[alert.threat_id]), follow=True)

    assert "2 messages will be sent again" in response.content.decode()
    assert [result.kwargs for result in deliver_notifications.get_backend().results] == [{"slot": 0}, {"slot": 1}]
    assert Notification.objects.get(address="alice@alpha.nhs.uk").status == Status.PERMANENT_FAILURE
    bob_row.refresh_from_db()
    assert (bob_row.status, bob_row.attempts, bob_row.error, bob_row.provider_id) == (Status.QUEUED, 0, "", None)
    # Notify accepted the first send: the new one has its own reference.
    assert bob_row.reference == f"{bob_row.id}/1"
    assert AuditLog.objects.filter(action="notifications.retry_failed", after={"messages": 2}).exists()

    deliver_everything()
    bob_row.refresh_from_db()
    assert bob_row.status == Status.SENT
    assert bob_row.provider_id != first_send
    assert notify.references()[bob_row.reference] == 1
    # A late receipt about the first send no longer counts.
    old_record = next(record for record in notify.records if record.id == first_send)
    assert services.record_delivery_receipt(payload=notify.receipt(old_record, "permanent-failure")) is None
    bob_row.refresh_from_db()
    assert bob_row.status == Status.SENT


def test_nothing_to_retry(notify, csoc, signed_in, trust_a, alice):
    alert = make_alert(organisations=[trust_a])
    response = signed_in(csoc).post(reverse("notifications:retry_failed", args=[alert.threat_id]), follow=True)
    assert "There were no failed messages to send again" in response.content.decode()
    assert "No messages have been queued for this alert" in response.content.decode()


def test_an_unknown_alert_is_not_found(csoc, signed_in):
    assert signed_in(csoc).get(reverse("notifications:alert_progress", args=["CC-0000"])).status_code == 404


def test_retries_and_the_longest_delay_show_after_the_messages_went_out(notify, csoc, signed_in, trust_a, alice, bob):
    alert = make_alert(organisations=[trust_a])
    services.notifications_for_alert(alert=alert)
    notify.fail_next(1, status=503)
    notify.fail_next(1, status=429)
    notify.fail_next(1, status=500)

    deliver_everything()

    progress = services.delivery_progress(alert=alert)
    assert progress["sent"] == 2
    assert progress["retries"] == 3
    assert 1 <= progress["retried"] <= 2
    assert timedelta(0) < progress["longest_delay"] < timedelta(seconds=20)
    html = signed_in(csoc).get(progress_url(alert)).content.decode()
    assert "<h2>Retries</h2>" in html
    assert "Retries in all" in html
    assert "Longest a message was held up by retries" in html


def test_no_retries_section_when_every_message_went_at_the_first_attempt(notify, csoc, signed_in, trust_a, alice):
    alert = make_alert(organisations=[trust_a])
    services.notifications_for_alert(alert=alert)
    deliver_everything()

    assert services.delivery_progress(alert=alert)["retries"] == 0
    assert "Retries in all" not in signed_in(csoc).get(progress_url(alert)).content.decode()


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.2, "1 second"), (59, "59 seconds"), (61, "1 minute 1 second"), (7325, "2 hours 2 minutes 5 seconds")],
)
def test_delays_read_as_plain_english(seconds, text):
    assert describe_delay(timedelta(seconds=seconds)) == text
