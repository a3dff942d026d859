"""GOV.UK Notify's delivery-status callbacks: bearer token checked, each row updated, no sign-in or CSRF token."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from respond.notifications import services
from respond.notifications.delivery import Job
from respond.notifications.models import Notification, Status
from respond.notifications.urls import PUBLIC_URL_NAMES
from tests.notifications.conftest import deliver_everything, in_process_deliverer, make_alert

pytestmark = pytest.mark.django_db
TOKEN = "a-long-random-callback-token-0123456789"
URL = "/notify/delivery-receipts/"


@pytest.fixture
def sent(notify, settings, trust_a, alice, bob):
    settings.NOTIFY_CALLBACK_BEARER_TOKEN = TOKEN
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    deliver_everything()
    return notify


def post(payload, token=TOKEN):
    # Notify sends no CSRF token, and is never signed in.
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post(URL, data=json.dumps(payload), content_type="application/json", headers=headers)


def row_for(record):
    return Notification.objects.get(provider_id=record.id)


def test_the_endpoint_is_public():
    assert reverse("notifications:delivery_receipt") == URL
    assert "notifications:delivery_receipt" in PUBLIC_URL_NAMES


@pytest.mark.parametrize(
    ("status", "expected", "error"),
    [
        ("delivered", Status.DELIVERED, ""),
        ("permanent-failure", Status.PERMANENT_FAILURE, "email address or phone number was wrong"),
        ("temporary-failure", Status.TEMPORARY_FAILURE, "inbox was full or the phone was off"),
        ("technical-failure", Status.TECHNICAL_FAILURE, "technical problem"),
    ],
)
def test_a_receipt_updates_its_row(sent, status, expected, error):
    record = sent.records[0]

    response = post(sent.receipt(record, status))

    assert response.status_code == 200
    assert response.json() == {"result": "updated", "status": expected}
    row = row_for(record)
    assert row.status == expected
    assert error in row.error
    assert (row.delivered_at is not None) == (expected == Status.DELIVERED)
    others = Notification.objects.exclude(pk=row.pk)
    assert set(others.values_list("status", flat=True)) == {Status.SENT}


def test_a_receipt_that_arrives_before_the_worker_recorded_the_send_is_matched_by_reference(sent):
    record = sent.records[0]
    Notification.objects.filter(provider_id=record.id).update(
        provider_id=None, status=Status.SENDING, sent_at=None, claimed_by="worker", claimed_at=timezone.now()
    )

    assert post(sent.receipt(record, "delivered")).json()["result"] == "updated"

    row = Notification.objects.get(pk=record.reference)
    assert (row.status, row.provider_id, row.claimed_by) == (Status.DELIVERED, record.id, "")
    assert row.sent_at is not None


@pytest.mark.parametrize("token", [None, "", "wrong-token", TOKEN + "x", TOKEN[:-1]])
def test_a_missing_or_wrong_token_is_refused(sent, token):
    record = sent.records[0]
    response = post(sent.receipt(record), token=token)
    assert response.status_code == 401
    assert response.json() == {"error": "The bearer token is missing or wrong"}
    assert row_for(record).status == Status.SENT


def test_receipts_are_refused_when_no_token_is_configured(sent, settings):
    settings.NOTIFY_CALLBACK_BEARER_TOKEN = ""
    assert post(sent.receipt(sent.records[0]), token="").status_code == 401


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("not json", "The body must be JSON"),
        ([], "The body must be a JSON object"),
        ({"status": "delivered"}, "'id' is missing"),
        ({"id": "x", "status": "lost"}, "'status' must be one of delivered, permanent-failure"),
    ],
)
def test_a_malformed_receipt_gets_a_clear_error(sent, body, error):
    client = Client(enforce_csrf_checks=True)
    data = body if isinstance(body, str) else json.dumps(body)
    response = client.post(
        URL, data=data, content_type="application/json", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith(error)


def test_a_receipt_for_someone_elses_message_is_ignored(sent):
    record = sent.records[0]
    receipt = {**sent.receipt(record), "id": "11111111-1111-4111-8111-111111111111", "reference": "not-ours"}
    assert post(receipt).json() == {"result": "ignored", "reason": "No such notification"}
    assert row_for(record).status == Status.SENT


def test_only_post_is_allowed(sent):
    assert Client().get(URL).status_code == 405


def test_a_receipt_that_beats_the_worker_settles_the_rows_bookkeeping(notify, settings, trust_a, alice):
    """A retry after a 503 asks Notify first, sends, and the receipt comes before the worker records the send: the
    row is delivered, nothing is left in doubt and the send counts as an attempt."""
    settings.NOTIFY_CALLBACK_BEARER_TOKEN = TOKEN
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    Notification.objects.update(send_uncertain=True)
    worker = in_process_deliverer()
    [row] = worker.claim()
    job = Job(row, worker.message_for(row), ask_first=row.send_uncertain)

    outcome = worker.send_one(job)
    [record] = notify.records
    assert post(notify.receipt(record, "delivered")).json()["result"] == "updated"
    worker.record([outcome], {row.pk: row})

    row.refresh_from_db()
    assert (row.status, row.provider_id, row.claimed_by) == (Status.DELIVERED, record.id, "")
    assert (row.send_uncertain, row.attempts) == (False, 1)
    assert row.sent_at is not None
    assert row.delivered_at is not None


def test_a_receipt_for_a_row_already_recorded_does_not_count_its_send_again(sent):
    record = sent.records[0]
    assert row_for(record).attempts == 1

    post(sent.receipt(record, "delivered"))

    row = row_for(record)
    assert (row.status, row.attempts, row.send_uncertain) == (Status.DELIVERED, 1, False)
