"""Operations on the outbox and on contact details. Keyword-only; callers own the transaction where noted."""

import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from respond.accounts.models import User
from respond.alerts.models import Alert, ThreatUpdate
from respond.core.audit import Auditor, snapshot
from respond.core.outbox import OutboxEmail
from respond.notifications.chains import enqueue_delivery
from respond.notifications.conf import notification_settings
from respond.notifications.models import (
    FAILED_STATUSES,
    RETRYABLE_STATUSES,
    AlertOnlyContact,
    Channel,
    ComposedMessage,
    ExtraEmail,
    MessageKind,
    Notification,
    Status,
    UserContactDetails,
)
from respond.notifications.outbox import insert_outbox_rows
from respond.notifications.webhooks import alert_events
from respond.organisations.models import Organisation


def notifications_for_alert(*, alert: Alert, update: ThreatUpdate | None = None) -> int:
    """Writes the outbox rows for a publication (or a re-notifying update) inside the caller's transaction,
    and sends them once it commits. Returns how many messages were queued."""
    count = insert_outbox_rows(alert=alert, update=update)
    alert_events(alert=alert, event_type="alert.published" if update is None else "alert.updated", update=update)
    if count:
        # robust: the publication has committed whatever the queue says; the sweep catches up if it is down.
        transaction.on_commit(enqueue_delivery, robust=True)
    return count


@dataclass(frozen=True)
class Recipient:
    address: str  # an email address, or a mobile number in E.164
    user_id: int | None = None
    organisation_id: int | None = None


@dataclass
class OutgoingMessage:
    """A chase or a digest: its words once, and who it goes to."""

    kind: str  # a MessageKind
    body: str
    subject: str = ""
    recipients: list[Recipient] = field(default_factory=list)


def queue_composed_messages(*, messages: Sequence[OutgoingMessage]) -> list[ComposedMessage | None]:
    """Writes each message and its outbox rows (one per address) inside the caller's transaction, and sends them
    once it commits. Returns the stored message for each one given, None for one with nobody to send to."""
    now = timezone.now()
    stored: list[ComposedMessage | None] = []
    rows: list[Notification] = []
    for outgoing in messages:
        kind = MessageKind(outgoing.kind)
        recipients: dict[str, Recipient] = {}
        for recipient in outgoing.recipients:
            address = recipient.address.strip()
            address = address.lower() if kind.channel == Channel.EMAIL else address
            if address:
                recipients.setdefault(address, recipient)
        if not recipients:
            stored.append(None)
            continue
        composed = ComposedMessage.objects.create(kind=kind, subject=outgoing.subject, body=outgoing.body)
        stored.append(composed)
        rows.extend(
            Notification.of_composed(
                composed, address=address, now=now, user_id=recipient.user_id, organisation_id=recipient.organisation_id
            )
            for address, recipient in recipients.items()
        )
    if rows:
        Notification.objects.bulk_create(rows, batch_size=500)
        transaction.on_commit(enqueue_delivery, robust=True)
    return stored


def queue_keyed_emails(*, emails: Sequence[OutboxEmail]) -> None:
    """respond.core.outbox's writer: each email a message of its own, with its outbox row, written inside the
    caller's transaction and sent once it commits. A key already written (by this call or any other) is left as
    it is, so nothing is queued twice. Three statements, however many emails (a bulk response's hundreds)."""
    by_key: dict[str, tuple[OutboxEmail, str]] = {}
    for email in emails:
        address = email.to.strip().lower()
        if address:
            by_key.setdefault(email.key, (email, address))
    kind = MessageKind.NOTICE_EMAIL
    ComposedMessage.objects.bulk_create(
        [
            ComposedMessage(kind=kind, key=key, subject=email.subject, body=email.body)
            for key, (email, _) in by_key.items()
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    # Those written here: a key written before already has its row (a concurrent writer of the same key is waited
    # for by the insert above, on PostgreSQL; SQLite writes one transaction at a time).
    new = ComposedMessage.objects.filter(key__in=by_key, notifications__isnull=True).values_list("key", "pk")
    now = timezone.now()
    rows = []
    for key, pk in new:
        email, address = by_key[str(key)]
        rows.append(
            Notification.of_composed(
                ComposedMessage(pk=pk, kind=kind),
                address=address,
                now=now,
                user_id=email.user_id,
                organisation_id=email.organisation_id,
            )
        )
    if rows:
        Notification.objects.bulk_create(rows, batch_size=500)
        transaction.on_commit(enqueue_delivery, robust=True)


def delivery_progress(*, alert: Alert) -> dict[str, Any]:
    """Counts by status (failed: every kind of failure), by channel, and the failed rows with their reasons."""
    notifications = Notification.objects.filter(alert=alert)
    failed = Q(status__in=FAILED_STATUSES)
    counts = notifications.aggregate(
        total=Count("id"),
        queued=Count("id", filter=Q(status=Status.QUEUED)),
        sending=Count("id", filter=Q(status=Status.SENDING)),
        sent=Count("id", filter=Q(status=Status.SENT)),
        delivered=Count("id", filter=Q(status=Status.DELIVERED)),
        failed=Count("id", filter=failed),
        retryable=Count("id", filter=Q(status__in=RETRYABLE_STATUSES)),
        retrying=Count("id", filter=Q(status=Status.QUEUED, attempts__gt=0)),
    )
    by_channel = {
        row["channel"]: row
        for row in notifications.order_by()
        .values("channel")
        .annotate(
            total=Count("id"),
            waiting=Count("id", filter=Q(status__in=[Status.QUEUED, Status.SENDING])),
            sent=Count("id", filter=Q(status=Status.SENT)),
            delivered=Count("id", filter=Q(status=Status.DELIVERED)),
            failed=Count("id", filter=failed),
        )
    }
    return {
        **counts,
        "finished": counts["queued"] + counts["sending"] == 0,
        "by_channel": [by_channel[channel] for channel in (Channel.EMAIL, Channel.SMS) if channel in by_channel],
        **_retries(notifications),
        "failures": notifications.filter(failed)
        .select_related("user", "contact", "organisation", "update")
        .order_by("organisation__name", "address", "kind"),
    }


def _retries(notifications: QuerySet[Notification]) -> dict[str, Any]:
    """How hard sending was: messages tried more than once, the retries in all, and the longest a message that
    went out was held up by them (from its first failed attempt until Notify took it)."""
    held_up = ExpressionWrapper(F("sent_at") - F("first_failed_at"), output_field=DurationField())
    return notifications.filter(attempts__gt=1).aggregate(
        retried=Count("id"),
        retries=Coalesce(Sum(F("attempts") - 1), 0),
        longest_delay=Max(held_up, filter=Q(sent_at__isnull=False, first_failed_at__isnull=False)),
    )


def retry_failed(*, alert: Alert, auditor: Auditor) -> int:
    """Queues failed messages again (not permanent failures: those addresses do not exist)."""
    now = timezone.now()
    with transaction.atomic():
        retryable = Notification.objects.filter(alert=alert, status__in=RETRYABLE_STATUSES)
        queued_afresh = {
            "status": Status.QUEUED,
            "attempts": 0,
            "next_attempt_at": now,
            "error": "",
            "sent_at": None,
            "delivered_at": None,
            "first_failed_at": None,
        }
        # Notify accepted these and then could not deliver them: the new send needs its own reference.
        resend = retryable.filter(provider_id__isnull=False).update(
            **queued_afresh, provider_id=None, send_uncertain=False, resend_count=F("resend_count") + 1
        )
        # These never reached Notify, or may have: keep the reference so the worker can ask first.
        again = retryable.filter(provider_id__isnull=True).update(**queued_afresh)
        count = resend + again
        if count:
            auditor.log("notifications.retry_failed", alert, after={"messages": count})
            transaction.on_commit(enqueue_delivery, robust=True)
    return count


class ReceiptError(ValueError):
    """A delivery receipt we cannot use; the message says why."""


RECEIPT_STATUSES = {
    "delivered": Status.DELIVERED,
    "permanent-failure": Status.PERMANENT_FAILURE,
    "temporary-failure": Status.TEMPORARY_FAILURE,
    "technical-failure": Status.TECHNICAL_FAILURE,
    # Text messages to some international numbers only ever report "sent".
    "sent": Status.SENT,
}
RECEIPT_ERRORS = {
    Status.PERMANENT_FAILURE: "GOV.UK Notify: the provider could not deliver the message because the email "
    "address or phone number was wrong",
    Status.TEMPORARY_FAILURE: "GOV.UK Notify: the provider could not deliver the message, for example because "
    "the inbox was full or the phone was off",
    Status.TECHNICAL_FAILURE: "GOV.UK Notify: the message was not sent because of a technical problem",
}


def bearer_token_matches(header: str) -> bool:
    expected = notification_settings().callback_bearer_token
    scheme, _, token = header.partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


def record_delivery_receipt(*, payload: Any) -> Notification | None:
    """Applies a GOV.UK Notify delivery-status callback. Returns the row, or None when it is not one of ours."""
    if not isinstance(payload, dict):
        raise ReceiptError("The body must be a JSON object")
    status_name = payload.get("status")
    provider_id = payload.get("id")
    reference = payload.get("reference") or ""
    if not isinstance(provider_id, str) or not provider_id:
        raise ReceiptError("'id' is missing")
    if status_name not in RECEIPT_STATUSES:
        raise ReceiptError(f"'status' must be one of {', '.join(RECEIPT_STATUSES)}")
    status = RECEIPT_STATUSES[status_name]
    completed_at = _receipt_time(payload.get("completed_at")) or timezone.now()
    with transaction.atomic():
        notification = _receipt_target(provider_id, reference)
        if notification is None:
            return None
        # The receipt may beat the worker to recording the send: it settles the row either way. Notify has the
        # message, so nothing is left in doubt, and the send it answers counts as an attempt (the worker, finding
        # the row moved on, records nothing).
        changes: dict[str, Any] = {
            "status": status,
            "provider_id": provider_id,
            "claimed_at": None,
            "claimed_by": "",
            "send_uncertain": False,
        }
        if notification.status == Status.SENDING or notification.attempts == 0:
            changes["attempts"] = notification.attempts + 1
        if notification.sent_at is None:
            changes["sent_at"] = _receipt_time(payload.get("sent_at")) or completed_at
        if status == Status.DELIVERED:
            changes.update(delivered_at=completed_at, error="")
        elif status in RECEIPT_ERRORS:
            changes["error"] = RECEIPT_ERRORS[status]
        Notification.objects.filter(pk=notification.pk).update(**changes)
    notification.refresh_from_db()
    return notification


def _receipt_target(provider_id: str, reference: str) -> Notification | None:
    found = Notification.objects.select_for_update().filter(provider_id=provider_id).first()
    if found is not None or not reference:
        return found
    try:
        row_id = uuid.UUID(reference.split("/", 1)[0])
    except ValueError:
        return None
    found = Notification.objects.select_for_update().filter(pk=row_id).first()
    # A receipt for an earlier send of a row CSOC has since retried is about a message that no longer counts.
    return found if found is not None and found.reference == reference else None


def _receipt_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


# Contact details -----------------------------------------------------------------------------------------


def set_mobile_preferences(*, user: User, mobile_number: str, sms_opt_in: bool, auditor: Auditor) -> UserContactDetails:
    """Saves a user's mobile number (E.164, already checked) and whether they want text messages."""
    with transaction.atomic():
        details, _ = UserContactDetails.objects.select_for_update().get_or_create(user=user)
        before = snapshot(details, ["mobile_number", "sms_opt_in"])
        details.mobile_number = mobile_number if sms_opt_in else ""
        details.sms_opt_in = sms_opt_in and bool(mobile_number)
        details.save()
        auditor.log(
            "notifications.mobile_changed",
            user,
            before=before,
            after=snapshot(details, ["mobile_number", "sms_opt_in"]),
        )
    return details


def add_extra_email(*, user: User, email: str, auditor: Auditor) -> ExtraEmail:
    with transaction.atomic():
        extra = ExtraEmail.objects.create(user=user, email=email.strip().lower())
        auditor.log("notifications.extra_email_added", user, after={"email": extra.email})
    return extra


def remove_extra_email(*, extra: ExtraEmail, auditor: Auditor) -> None:
    with transaction.atomic():
        auditor.log("notifications.extra_email_removed", extra.user, before={"email": extra.email})
        extra.delete()


def add_alert_contact(
    *, organisation: Organisation, name: str, email: str, mobile_number: str, created_by: User, auditor: Auditor
) -> AlertOnlyContact:
    with transaction.atomic():
        contact = AlertOnlyContact.objects.create(
            organisation=organisation,
            name=name.strip(),
            email=email.strip().lower(),
            mobile_number=mobile_number,
            created_by=created_by,
        )
        auditor.log(
            "notifications.alert_contact_added", contact, after=snapshot(contact, ["name", "email", "mobile_number"])
        )
    return contact


def remove_alert_contact(*, contact: AlertOnlyContact, auditor: Auditor) -> None:
    with transaction.atomic():
        auditor.log(
            "notifications.alert_contact_removed", contact, before=snapshot(contact, ["name", "email", "mobile_number"])
        )
        contact.delete()
