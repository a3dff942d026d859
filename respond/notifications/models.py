"""The outbox (one Notification row per message to send) and the contact details it is addressed from."""

import secrets
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from respond.alerts.models import Alert, ThreatUpdate
from respond.notifications.phone import format_uk_mobile
from respond.organisations.models import Organisation


def time_ordered_uuid() -> uuid.UUID:
    """A version 7 UUID: milliseconds since 1970, then random bits. New rows go at the end of the primary
    key's index rather than anywhere in it, which keeps inserting thousands of them at once fast."""
    value = (time.time_ns() // 1_000_000) << 80 | secrets.randbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    WEBHOOK = "webhook", "Webhook"


class MessageKind(models.TextChoices):
    EMAIL = "email", "Email"
    # A major incident is two text messages: the first flags it, the second links to the alert.
    INCIDENT_SMS = "incident_sms", "Text message: major incident"
    SIGNPOST_SMS = "signpost_sms", "Text message: link to the alert"
    # Written once for a few recipients (a ComposedMessage), rather than rendered from an alert.
    CHASE_EMAIL = "chase_email", "Email: chase"
    CHASE_SMS = "chase_sms", "Text message: chase"
    REMINDER_EMAIL = "reminder_email", "Email: reminder"
    ESCALATION_EMAIL = "escalation_email", "Email: missed deadline"
    # About a closed incident group: its name and a link, never its content (respond.groups.notices).
    GROUP_EMAIL = "group_email", "Email: closed incident group"
    GROUP_SMS = "group_sms", "Text message: closed incident group"
    # An event POSTed to an organisation's webhook: its JSON is the composed message's body.
    WEBHOOK_EVENT = "webhook_event", "Webhook event"
    WEBHOOK_DISABLED_EMAIL = "webhook_disabled", "Email: webhook disabled"
    # Queued by an app below this one through respond.core.outbox: a response's confirmation, say.
    NOTICE_EMAIL = "notice_email", "Email: confirmation or notice"

    @property
    def channel(self) -> str:
        if self == MessageKind.WEBHOOK_EVENT:
            return Channel.WEBHOOK
        return Channel.SMS if self in SMS_KINDS else Channel.EMAIL


SMS_KINDS = frozenset(
    {MessageKind.INCIDENT_SMS, MessageKind.SIGNPOST_SMS, MessageKind.CHASE_SMS, MessageKind.GROUP_SMS}
)
# Lower goes first: the text that flags a major incident, then its link (and chases, which someone is waiting
# on), then emails; reminders last, as they are never urgent to the minute.
KIND_PRIORITY = {
    MessageKind.INCIDENT_SMS: 0,
    MessageKind.SIGNPOST_SMS: 1,
    MessageKind.CHASE_SMS: 1,
    MessageKind.GROUP_SMS: 1,
    MessageKind.EMAIL: 2,
    MessageKind.CHASE_EMAIL: 2,
    MessageKind.GROUP_EMAIL: 2,
    MessageKind.REMINDER_EMAIL: 3,
    MessageKind.ESCALATION_EMAIL: 3,
    MessageKind.WEBHOOK_EVENT: 2,
    MessageKind.WEBHOOK_DISABLED_EMAIL: 2,
    MessageKind.NOTICE_EMAIL: 2,
}


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    # GOV.UK Notify's delivery receipts.
    PERMANENT_FAILURE = "permanent-failure", "Failed: address does not exist"
    TEMPORARY_FAILURE = "temporary-failure", "Failed: inbox full or phone off"
    TECHNICAL_FAILURE = "technical-failure", "Failed: technical problem at the provider"
    # We gave up: the provider refused the message, or every retry failed.
    FAILED = "failed", "Failed"


FAILED_STATUSES = (Status.FAILED, Status.PERMANENT_FAILURE, Status.TEMPORARY_FAILURE, Status.TECHNICAL_FAILURE)
# A permanent failure means the address does not exist: sending again cannot help.
RETRYABLE_STATUSES = (Status.FAILED, Status.TEMPORARY_FAILURE, Status.TECHNICAL_FAILURE)


class NotificationQuerySet(models.QuerySet["Notification"]):
    def claimable(self, *, now: datetime, lease: timedelta) -> "NotificationQuerySet":
        """Due to be sent: queued and due, or claimed by a worker that stopped renewing its lease."""
        return self.filter(
            Q(status=Status.QUEUED, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_at__lt=now - lease)
        )

    def unfinished(self) -> "NotificationQuerySet":
        return self.filter(status__in=[Status.QUEUED, Status.SENDING])

    def failed(self) -> "NotificationQuerySet":
        return self.filter(status__in=FAILED_STATUSES)


class ComposedMessage(models.Model):
    """Words written once and sent to a few addresses (its Notification rows): a chase, or a digest of
    reminders that spans several alerts. Messages about one alert are rendered from the alert instead."""

    kind = models.CharField(max_length=20, choices=MessageKind.choices)
    # Room for two organisations' names (200 each): "<lead> responded to CC-1234 on behalf of <organisation>".
    subject = models.CharField(max_length=500, blank=True, help_text="Empty for a text message")
    body = models.TextField()
    # What makes the message this one, for those queued through respond.core.outbox: one key is written once.
    key = models.CharField(max_length=150, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject or self.body[:60]}"


class Notification(models.Model):
    """One message to one address; the row is the outbox entry and its delivery record.

    Either about an alert (`alert`, and `update` for a re-notifying update), with words rendered from it, or
    a composed message (`composed`: a chase or a digest), with its words stored once for its recipients."""

    id = models.UUIDField(primary_key=True, default=time_ordered_uuid, editable=False)
    # Few indexes, as publishing writes thousands of rows at once: the alert's is (alert, status) below,
    # and an update's is the unique constraint's.
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    # NULL for every row of a publication: no database constraint and only a partial index (below), so the
    # fan-out does no more work per row than before composed messages existed.
    composed = models.ForeignKey(
        ComposedMessage,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
        db_constraint=False,
    )
    update = models.ForeignKey(
        ThreatUpdate, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    kind = models.CharField(max_length=20, choices=MessageKind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    priority = models.PositiveSmallIntegerField(default=2)
    # Who the address belongs to: a registered user or an organisation's alert-only contact, and for which
    # organisation. Only shown on the progress page, so no index; and users and organisations get no
    # database constraint either: checking them for every row doubled the time publishing takes on
    # PostgreSQL. Django clears them (SET_NULL) in the rare case one is deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    contact = models.ForeignKey(
        "AlertOnlyContact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        db_index=False,
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The webhook an event goes to (its URL is the address); NULL for emails and text messages.
    webhook = models.ForeignKey(
        "WebhookEndpoint",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
        db_constraint=False,
    )
    address = models.CharField(max_length=254, help_text="Email address, mobile number in E.164, or webhook URL")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A lease: the worker renews claimed_at while it sends; one not renewed in NOTIFY_LEASE_SECONDS is taken over.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    # True when a send may have reached the provider without our knowing: ask it before sending again.
    send_uncertain = models.BooleanField(default=False)
    # Bumped when CSOC retries a message the provider accepted but could not deliver, so the retry gets
    # its own reference.
    resend_count = models.PositiveSmallIntegerField(default=0)
    # The provider's id for the message: empty (NULL) until it accepts it.
    provider_id = models.CharField(max_length=100, null=True, blank=True)
    error = models.TextField(blank=True)
    # When the first attempt failed: with sent_at, how long transient errors held the message up.
    first_failed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["alert", "status"], name="notification_alert_status"),
            # For delivery receipts. NULL until sent, so publishing writes nothing to it.
            models.Index(
                fields=["provider_id"], condition=Q(provider_id__isnull=False), name="notification_provider_id"
            ),
            # A webhook's events, for its page; NULL for every email and text message, so publishing skips it.
            models.Index(fields=["webhook"], condition=Q(webhook__isnull=False), name="notification_webhook"),
        ]
        constraints = [
            # One message of each kind per address, per alert and per re-notifying update.
            models.UniqueConstraint(
                fields=["alert", "kind", "address"],
                condition=Q(update__isnull=True),
                name="one_notification_per_alert_address",
            ),
            models.UniqueConstraint(
                fields=["update", "kind", "address"],
                condition=Q(update__isnull=False),
                name="one_notification_per_update_address",
            ),
            # One copy of a chase or digest per address; also the index the chase page reads statuses by.
            models.UniqueConstraint(
                fields=["composed", "address"],
                condition=Q(composed__isnull=False),
                name="one_notification_per_composed_address",
            ),
        ]

    def __str__(self) -> str:
        about = self.alert.threat_id if self.alert else f"message {self.composed_id}"
        return f"{self.get_kind_display()} to {self.address} about {about}"

    @classmethod
    def of_composed(cls, composed: ComposedMessage, *, address: str, now: datetime, **who: Any) -> "Notification":
        """The outbox row sending a composed message (or a webhook event) to one address; `who`: user_id,
        organisation_id, webhook."""
        kind = MessageKind(composed.kind)
        return cls(
            composed=composed,
            kind=kind,
            channel=kind.channel,
            priority=KIND_PRIORITY[kind],
            address=address,
            next_attempt_at=now,
            **who,
        )

    @property
    def reference(self) -> str:
        """What GOV.UK Notify stores with the message, so we can ask it whether a send happened."""
        return str(self.id) if not self.resend_count else f"{self.id}/{self.resend_count}"

    @property
    def is_failed(self) -> bool:
        return self.status in FAILED_STATUSES

    @property
    def recipient_name(self) -> str:
        if self.user_id:
            return self.user.full_name or self.user.email  # type: ignore[union-attr]
        if self.contact_id:
            return self.contact.name  # type: ignore[union-attr]
        return ""


class UserContactDetails(models.Model):
    """How a registered user wants to be told about alerts, besides their sign-in email address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="contact_details"
    )
    mobile_number = models.CharField(max_length=16, blank=True, help_text="E.164, a UK mobile")
    sms_opt_in = models.BooleanField("Text messages about major incidents", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "user contact details"
        constraints = [
            models.CheckConstraint(condition=Q(sms_opt_in=False) | ~Q(mobile_number=""), name="sms_opt_in_needs_mobile")
        ]

    def __str__(self) -> str:
        return f"Contact details of {self.user}"

    @property
    def mobile_display(self) -> str:
        return format_uk_mobile(self.mobile_number) if self.mobile_number else ""


class ExtraEmail(models.Model):
    """Another address a user wants alert emails sent to, such as a team mailbox."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extra_emails")
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(fields=["user", "email"], name="one_extra_email_per_user")]

    def __str__(self) -> str:
        return self.email


class AlertOnlyContactQuerySet(models.QuerySet["AlertOnlyContact"]):
    def for_organisation(self, organisation: Organisation) -> "AlertOnlyContactQuerySet":
        return self.filter(organisation=organisation)


class AlertOnlyContact(models.Model):
    """Someone an organisation wants told about alerts who does not sign in, such as an on-call phone."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="alert_contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    mobile_number = models.CharField(max_length=16, blank=True, help_text="E.164, a UK mobile")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AlertOnlyContactQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(email="") | ~Q(mobile_number=""), name="contact_has_an_address"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.ods_code})"

    @property
    def mobile_display(self) -> str:
        return format_uk_mobile(self.mobile_number) if self.mobile_number else ""


class RateLimitBucket(models.Model):
    """A token bucket shared by every worker when there is no Redis (see respond.notifications.ratelimit)."""

    name = models.CharField(max_length=100, primary_key=True)
    tokens = models.FloatField()
    refilled_at = models.FloatField(help_text="Unix time")

    def __str__(self) -> str:
        return self.name


# Webhooks are a channel of this outbox: their models live in their own module.
from respond.notifications.webhook_models import WebhookAttempt, WebhookEndpoint  # noqa: E402, F401
