"""Chases and digests: words written once (a ComposedMessage) and sent through the same outbox as alerts."""

import pytest
from django.db import IntegrityError, transaction

from respond.core import outbox
from respond.core.outbox import OutboxEmail
from respond.notifications import services
from respond.notifications.chains import deliver_notifications
from respond.notifications.models import KIND_PRIORITY, Channel, ComposedMessage, MessageKind, Notification, Status
from respond.notifications.services import OutgoingMessage, Recipient
from tests.notifications.conftest import deliver_everything, make_alert
from tests.notifications.test_smtp_email import smtp  # noqa: F401 - the local SMTP server fixture

pytestmark = pytest.mark.django_db


def test_one_row_per_address_with_the_channel_and_priority_of_its_kind(trust_a, alice, bob):
    stored = services.queue_composed_messages(
        messages=[
            OutgoingMessage(
                kind=MessageKind.REMINDER_EMAIL,
                subject="Alpha Hospitals NHS Trust: 2 cyber alerts need your response",
                body="The list",
                recipients=[
                    Recipient("Alice@Alpha.nhs.uk", alice.pk, trust_a.pk),
                    Recipient("alice@alpha.nhs.uk", alice.pk, trust_a.pk),  # the same address: sent once
                    Recipient("bob@alpha.nhs.uk", bob.pk, trust_a.pk),
                ],
            ),
            OutgoingMessage(kind=MessageKind.CHASE_SMS, body="Respond now", recipients=[Recipient("+447700900001")]),
            OutgoingMessage(kind=MessageKind.CHASE_SMS, body="Nobody to send to", recipients=[]),
        ]
    )
    digest, sms, nobody = stored
    assert nobody is None
    assert ComposedMessage.objects.count() == 2
    rows = list(
        Notification.objects.order_by("address").values_list("composed", "kind", "channel", "priority", "address")
    )
    assert rows == [
        (sms.pk, MessageKind.CHASE_SMS, Channel.SMS, KIND_PRIORITY[MessageKind.CHASE_SMS], "+447700900001"),
        (digest.pk, MessageKind.REMINDER_EMAIL, Channel.EMAIL, 3, "alice@alpha.nhs.uk"),
        (digest.pk, MessageKind.REMINDER_EMAIL, Channel.EMAIL, 3, "bob@alpha.nhs.uk"),
    ]
    assert Notification.objects.filter(alert__isnull=True).count() == 3
    assert str(Notification.objects.get(address="+447700900001")) == (
        f"Text message: chase to +447700900001 about message {sms.pk}"
    )


def test_the_same_address_twice_for_one_message_is_impossible(alice):
    [message] = services.queue_composed_messages(
        messages=[OutgoingMessage(kind=MessageKind.CHASE_EMAIL, body="x", recipients=[Recipient(alice.email)])]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            composed=message, kind=MessageKind.CHASE_EMAIL, channel=Channel.EMAIL, address=alice.email,
            next_attempt_at=message.created_at,
        )  # fmt: skip


def test_delivery_is_queued_once_when_the_transaction_commits(alice, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.queue_composed_messages(
            messages=[
                OutgoingMessage(kind=MessageKind.CHASE_EMAIL, body="one", recipients=[Recipient(alice.email)]),
                OutgoingMessage(kind=MessageKind.CHASE_EMAIL, body="two", recipients=[Recipient(bob.email)]),
            ]
        )
    assert len(callbacks) == 1
    assert len(deliver_notifications.get_backend().results) == 2  # NOTIFY_PARALLEL_TASKS chains


def test_composed_messages_go_through_notify_with_their_own_words(notify, alice):
    services.queue_composed_messages(
        messages=[
            OutgoingMessage(
                kind=MessageKind.CHASE_EMAIL,
                subject="Please respond",
                body="Chase body",
                recipients=[Recipient(alice.email)],
            ),
            OutgoingMessage(kind=MessageKind.CHASE_SMS, body="Chase text", recipients=[Recipient("+447700900001")]),
        ]
    )
    deliver_everything()
    sent = {record.type: record for record in notify.records}
    assert sent["email"].personalisation == {"subject": "Please respond", "body": "Chase body"}
    assert sent["sms"].personalisation == {"body": "Chase text"}
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}


def test_composed_messages_go_by_smtp_without_notify(smtp, alice):  # noqa: F811 - the fixture
    services.queue_composed_messages(
        messages=[
            OutgoingMessage(
                kind=MessageKind.REMINDER_EMAIL,
                subject="Digest",
                body="Everything owed",
                recipients=[Recipient(alice.email)],
            )
        ]
    )
    deliver_everything()
    [(to, message)] = smtp.received
    assert to == ["alice@alpha.nhs.uk"]
    assert message["Subject"].strip() == "Digest"
    assert message.get_content().strip() == "Everything owed"


def test_an_alerts_delivery_progress_leaves_out_composed_messages(trust_a, alice):
    alert = make_alert(organisations=[trust_a])
    services.notifications_for_alert(alert=alert)
    services.queue_composed_messages(
        messages=[OutgoingMessage(kind=MessageKind.CHASE_EMAIL, body="x", recipients=[Recipient(alice.email)])]
    )
    assert services.delivery_progress(alert=alert)["total"] == 1
    assert Notification.objects.get(alert=alert).composed is None


def test_emails_queued_through_the_core_port_are_written_once_per_key(alice, bob, django_capture_on_commit_callbacks):
    confirmation = OutboxEmail(key="entry:1:confirmation", to="Alice@Alpha.nhs.uk", subject="Recorded", body="One")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outbox.queue_emails([confirmation, OutboxEmail(key="entry:1:notice", to=bob.email, subject="Told", body="Two")])
    assert len(callbacks) == 1  # the delivery chains, once it commits
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outbox.queue_emails([confirmation])  # its key was written before: nothing new, nothing to start
    assert callbacks == []
    rows = Notification.objects.order_by("address").values_list("composed__key", "kind", "channel", "address")
    assert list(rows) == [
        ("entry:1:confirmation", MessageKind.NOTICE_EMAIL, Channel.EMAIL, "alice@alpha.nhs.uk"),
        ("entry:1:notice", MessageKind.NOTICE_EMAIL, Channel.EMAIL, "bob@alpha.nhs.uk"),
    ]
