"""Webhooks: events POSTed, signed, to a real local receiver through the outbox; retried with backoff on 5xx and
timeouts with the same webhook-id (the receiver keeps each once); permanent on other 4xx; a webhook failing too
often is turned off and its administrators emailed; every attempt recorded."""

import base64
import hashlib
import hmac
import json
import re
from datetime import timedelta

import pytest
from django.core import mail

from respond.accounts.models import GlobalRole
from respond.alerts import services as alert_services
from respond.core.audit import Auditor
from respond.followup.reminders import send_reminders
from respond.notifications import services, webhooks
from respond.notifications.models import Channel, MessageKind, Notification, Status, WebhookAttempt, WebhookEndpoint
from respond.notifications.webhook_signing import InvalidSignature, signed_headers, verify
from respond.publication import services as publication
from tests.alerts.conftest import make_content
from tests.factories import OrganisationFactory, global_user
from tests.notifications.conftest import deliver_everything, make_alert
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_retries(settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 0.01
    settings.NOTIFY_RETRY_MAX_SECONDS = 0.05
    settings.NOTIFY_CLAIM_TIMEOUT_SECONDS = 10
    settings.NOTIFY_TIMEOUT_SECONDS = 0.5
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5


@pytest.fixture
def published(csoc, trust_a):
    """Alerts published through the real workflow (responses opened, outbox written), as the alerts tests do."""

    def _publish(**changes):
        auditor = Auditor.for_user(csoc)
        alert = alert_services.alert_create(content=make_content(**changes), created_by=csoc, auditor=auditor)
        alert_services.alert_submit_for_approval(alert=alert, submitted_by=csoc, auditor=auditor)
        approver = global_user(GlobalRole.CSOC, email="approver@csoc.nhs.uk")
        alert_services.alert_approve(alert=alert, approved_by=approver, auditor=Auditor.for_user(approver))
        return publication.alert_publish(alert=alert, published_by=csoc, auditor=auditor)

    return _publish


@pytest.fixture
def receiver(trust_a, alice):
    endpoint = WebhookEndpoint.objects.create(organisation=trust_a, url="http://placeholder", created_by=alice)
    with WebhookReceiver(endpoint.secret) as running:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=running.url)
        running.endpoint = WebhookEndpoint.objects.get(pk=endpoint.pk)
        yield running


def test_a_published_alert_reaches_the_webhooks_of_the_organisations_it_was_sent_to(receiver, trust_a, trust_b):
    other = WebhookEndpoint.objects.create(organisation=trust_b, url=receiver.url + "/b")
    alert = make_alert(organisations=[trust_a])
    services.notifications_for_alert(alert=alert)
    rows = Notification.objects.filter(channel=Channel.WEBHOOK)
    assert [(row.webhook_id, row.kind, row.address) for row in rows] == [
        (receiver.endpoint.pk, MessageKind.WEBHOOK_EVENT, receiver.url)
    ]
    deliver_everything()
    [delivery] = receiver.deliveries
    assert delivery.signature_valid
    event = json.loads(delivery.body)
    assert event["type"] == "alert.published"
    assert event["data"]["alert"]["threat_id"] == alert.threat_id
    assert event["data"]["alert"]["url"] == f"https://cyber-alerts.example.nhs.uk/cyber-alerts/{alert.threat_id}/"
    assert event["data"]["organisation"] == {"ods_code": "RAA", "name": trust_a.name}
    row = rows.get()
    assert delivery.webhook_id == f"msg_{row.id.hex}"
    assert row.status == Status.DELIVERED
    [attempt] = WebhookAttempt.objects.all()
    assert (attempt.succeeded, attempt.status_code, attempt.endpoint_id) == (True, 200, receiver.endpoint.pk)
    assert not other.attempts.exists()


def test_server_errors_are_retried_with_the_same_id_until_delivered(receiver, trust_a):
    receiver.answer_next(500, 503, 429)
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    deliver_everything()
    assert [d.status for d in receiver.deliveries] == [500, 503, 429, 200]
    assert len({d.webhook_id for d in receiver.deliveries}) == 1
    assert receiver.event_types() == ["alert.published"]
    attempts = list(WebhookAttempt.objects.order_by("attempted_at").values_list("status_code", "succeeded"))
    assert attempts == [(500, False), (503, False), (429, False), (200, True)]
    row = Notification.objects.get(channel=Channel.WEBHOOK)
    assert (row.status, row.attempts) == (Status.DELIVERED, 4)
    receiver.endpoint.refresh_from_db()
    assert receiver.endpoint.consecutive_failures == 0


def test_a_timeout_is_retried_and_the_receiver_keeps_the_event_once(receiver, trust_a):
    receiver.answer_next("timeout")
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    deliver_everything()
    assert len(receiver.deliveries) == 2  # the first arrived, but we gave up waiting for the answer
    assert len({d.webhook_id for d in receiver.deliveries}) == 1
    assert receiver.event_types() == ["alert.published"]
    errors = list(WebhookAttempt.objects.order_by("attempted_at").values_list("error", flat=True))
    assert errors == ["Timed out waiting for the receiver", ""]


def test_a_client_error_is_not_retried(receiver, trust_a):
    receiver.answer_next(410)
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    deliver_everything()
    row = Notification.objects.get(channel=Channel.WEBHOOK)
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert row.error.startswith("The webhook answered 410")


def test_a_webhook_failing_too_often_is_turned_off_and_its_administrators_emailed(
    receiver, trust_a, alice, bob, settings
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 4
    settings.NOTIFY_MAX_ATTEMPTS = 3
    receiver.answer_next(*[500] * 20)
    for _ in range(5):
        services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    deliver_everything()
    receiver.endpoint.refresh_from_db()
    failures = receiver.endpoint.consecutive_failures
    assert not receiver.endpoint.enabled
    assert failures >= 4
    # The reason counts the failures when it was turned off; a send already under way may fail just after.
    reason = re.fullmatch(r"Turned off after (\d+) failed attempts in a row", receiver.endpoint.disabled_reason)
    assert reason
    assert 4 <= int(reason[1]) <= failures
    # Tries stop once it is off: fewer than the 15 that 5 events of 3 attempts each would make.
    assert len(receiver.deliveries) == WebhookAttempt.objects.count() == failures < 15
    rows = Notification.objects.filter(channel=Channel.WEBHOOK)
    assert set(rows.values_list("status", flat=True)) == {Status.FAILED}
    assert rows.filter(error="The webhook is turned off").exists()
    [email] = [message for message in mail.outbox if "Webhook turned off" in message.subject]
    assert email.to == ["alice@alpha.nhs.uk"]  # the administrator, not bob the responder
    assert f"/organisations/RAA/webhooks/{receiver.endpoint.pk}/" in email.body
    # Turned off, it is sent nothing new.
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    assert not Notification.objects.filter(channel=Channel.WEBHOOK, status=Status.QUEUED).exists()


def test_deadline_approaching_and_missed_events_are_sent_once(receiver, published, trust_a, settings):
    settings.REMINDER_HOURS_BEFORE_DEADLINE = "24,4"
    alert = published(tlp="amber")
    deliver_everything()
    deadline = alert.deadline_at
    assert send_reminders(now=deadline - timedelta(hours=3)).reminded
    send_reminders(now=deadline - timedelta(hours=2))  # already claimed: nothing new
    send_reminders(now=deadline + timedelta(minutes=5))
    send_reminders(now=deadline + timedelta(minutes=10))
    deliver_everything()
    assert sorted(receiver.event_types()) == ["alert.published", "deadline.approaching", "deadline.missed"]
    approaching = next(event for event in receiver.events.values() if event["type"] == "deadline.approaching")
    assert approaching["data"]["deadline_at"] == deadline.isoformat()
    assert approaching["data"]["alert"]["tlp"] == "TLP:AMBER"
    assert approaching["data"]["owed"] == "respond"
    assert all(d.signature_valid for d in receiver.deliveries)


def test_an_update_asking_for_acknowledgement_is_an_alert_updated_event(receiver, published, csoc):
    alert = published()
    publication.threat_update_add(
        alert=alert, text="Exploited in the wild", requires_reacknowledgement=True, added_by=csoc,
        auditor=Auditor.for_user(csoc),
    )  # fmt: skip
    deliver_everything()
    assert sorted(receiver.event_types()) == ["alert.published", "alert.updated"]
    updated = next(event for event in receiver.events.values() if event["type"] == "alert.updated")
    assert updated["data"]["update"]["text"] == "Exploited in the wild"


def test_a_test_event_goes_to_that_webhook_only(receiver, trust_a, alice):
    second = WebhookEndpoint.objects.create(organisation=trust_a, url=receiver.url + "/second")
    webhooks.webhook_send_test(endpoint=receiver.endpoint, sent_by=alice)
    deliver_everything()
    assert receiver.event_types() == ["webhook.test"]
    assert [d.status for d in receiver.deliveries] == [200]
    assert not second.attempts.exists()


def test_signatures_follow_the_standard_webhooks_scheme():
    key = b"0123456789abcdef0123456789abcdef"
    body = b'{"type":"webhook.test"}'
    headers = signed_headers(key=key, webhook_id="msg_1", body=body, timestamp=1_700_000_000)
    # The spec's construction, written out: base64(HMAC-SHA256(key, "id.timestamp.body")).
    digest = hmac.new(key, b"msg_1.1700000000." + body, hashlib.sha256).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(digest).decode()
    verify(key=key, headers=headers, body=body, now=1_700_000_100)
    with pytest.raises(InvalidSignature):
        verify(key=key, headers=headers, body=body + b" ", now=1_700_000_100)
    with pytest.raises(InvalidSignature):
        verify(key=key, headers=headers, body=body, now=1_700_001_000)  # too old: a replay


def test_an_organisation_without_webhooks_gets_no_rows(trust_a):
    OrganisationFactory(ods_code="RCC")
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    assert not Notification.objects.filter(channel=Channel.WEBHOOK).exists()


def test_an_update_without_acknowledgement_and_a_severity_change_are_alert_updated_events(receiver, published, csoc):
    alert = published()
    publication.threat_update_add(
        alert=alert, text="Vendor fix released", requires_reacknowledgement=False, added_by=csoc,
        auditor=Auditor.for_user(csoc),
    )  # fmt: skip
    publication.alert_change_severity(
        alert=alert, severity="medium", reason="Not exploitable remotely", changed_by=csoc,
        auditor=Auditor.for_user(csoc),
    )  # fmt: skip
    deliver_everything()
    assert sorted(receiver.event_types()) == ["alert.published", "alert.updated", "alert.updated"]
    updates = [event["data"] for event in receiver.events.values() if event["type"] == "alert.updated"]
    assert {data.get("update", {}).get("text") for data in updates} == {"Vendor fix released", None}
    assert any(data.get("change", "").startswith("Severity changed from High to Medium") for data in updates)
