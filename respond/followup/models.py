"""Chases (an auditor asking organisations to respond) and reminders (what the periodic job has already sent)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from respond.alerts.models import Alert
from respond.notifications.models import ComposedMessage
from respond.organisations.models import Organisation
from respond.responses.models import Response


class ChaseReason(models.TextChoices):
    NOT_ACKNOWLEDGED = "not_acknowledged", "Not acknowledged"
    UPDATE_OVERDUE = "update_overdue", "Next update overdue"
    REACKNOWLEDGEMENT_OVERDUE = "reack_overdue", "Threat update not acknowledged"


class Chase(models.Model):
    """One organisation chased about one alert: who chased, when, why, and the messages sent."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="chases")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="chases")
    reason = models.CharField(max_length=20, choices=ChaseReason.choices)
    chased_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    chased_at = models.DateTimeField(default=timezone.now)
    email_message = models.ForeignKey(
        ComposedMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sms_message = models.ForeignKey(ComposedMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-chased_at", "-pk"]
        indexes = [models.Index(fields=["alert", "organisation", "chased_at"], name="chase_alert_organisation")]

    def __str__(self) -> str:
        return f"{self.alert.threat_id}: {self.organisation} chased at {self.chased_at:%Y-%m-%d %H:%M}"

    @property
    def channels(self) -> list[str]:
        return [
            name
            for name, message in (("Email", self.email_message_id), ("Text message", self.sms_message_id))
            if message
        ]


class ReminderKind(models.TextChoices):
    BEFORE_DEADLINE = "before_deadline", "Deadline coming up"
    MISSED_DEADLINE = "missed_deadline", "Deadline missed"
    UPDATE_OVERDUE = "update_overdue", "Next update overdue"
    REVIEW_DUE = "review_due", "Exception review date reached"
    # An update to the alert asked the organisation to acknowledge it again.
    REACKNOWLEDGEMENT_DUE = "reack_due", "Update's acknowledgement deadline coming up"
    REACKNOWLEDGEMENT_MISSED = "reack_missed", "Update's acknowledgement deadline missed"


class Reminder(models.Model):
    """That one reminder about one response has been sent: the periodic job claims each with an INSERT that
    skips conflicts, so two runs (or two workers) never send the same reminder twice."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    # Which one: "24h" or "4h" before the deadline, the due or review date (ISO), or "" for a missed deadline; for
    # an update's acknowledgement, the update and the hours before its deadline ("u12-24h"), or the update ("u12").
    threshold = models.CharField(max_length=20, blank=True)
    # The run that claimed it: a run reads back only the rows it inserted itself.
    run_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "kind", "threshold"], name="one_reminder_per_threshold")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.threshold or 'once'}) for response {self.response_id}"
