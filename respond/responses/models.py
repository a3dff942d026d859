"""An organisation's response to an alert (its current state) and the append-only history it is derived from."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from respond.accounts.models import Membership
from respond.alerts.models import Alert, AlertStatus, ThreatUpdate
from respond.core.components import url
from respond.organisations.models import Organisation
from respond.responses.answers import answer_rows
from respond.responses.statuses import (
    CLOSED_STATUSES,
    STATUS_KEPT_ACTIONS,
    UPDATE_STATUSES,
    EntryAction,
    NotApplicableReason,
    ResponseStatus,
    status_colour,
)
from respond.responses.summary_models import AlertCounts, AlertDelays

if TYPE_CHECKING:
    from respond.accounts.models import User

# The statuses and actions are defined in respond.responses.statuses; most code names them through this module.
__all__ = [
    "CLOSED_STATUSES",
    "STATUS_KEPT_ACTIONS",
    "UPDATE_STATUSES",
    "AlertCounts",
    "AlertDelays",
    "EntryAction",
    "NotApplicableReason",
    "Response",
    "ResponseEntry",
    "ResponseStatus",
]


# Something is still owed on the response itself, whatever its alert's status: a status until complete or not
# applicable, or an update's acknowledgement. The index of open responses by organisation holds these.
OWING = ~Q(status__in=CLOSED_STATUSES) | Q(reacknowledgement_due_at__isnull=False)


def past_deadline_alert_ids(now: datetime) -> list[int]:
    """Released alerts needing a response whose acknowledgement window has closed. Alerts are few, so the
    deadline (Alert.deadline_at: a per-alert window from when organisations were asked) is worked out here rather
    than in portable SQL."""
    alerts = Alert.objects.released().filter(response_required=True)
    alerts = alerts.only("pk", "published_at", "responses_asked_at", "response_window_hours")
    return [alert.pk for alert in alerts if alert.deadline_at is not None and alert.deadline_at < now]


class ResponseQuerySet(models.QuerySet["Response"]):
    def visible_to(self, user: "User | Any") -> "ResponseQuerySet":
        """Responses this person may read: their organisations' (memberships, on-behalf ones included);
        CSOC staff and auditors read every response."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_csoc or user.is_auditor:
            return self.all()
        return self.respondable_by(user)

    def respondable_by(self, user: "User | Any") -> "ResponseQuerySet":
        """Responses this person may submit: administrators and responders of the organisation."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(organisation_id__in=Membership.objects.filter(user=user).values("organisation_id"))

    def required(self) -> "ResponseQuerySet":
        """Responses to alerts recipients can read and that ask for a response."""
        return self.filter(alert__status__in=[AlertStatus.PUBLISHED, AlertStatus.CLOSED], alert__response_required=True)

    def open(self) -> "ResponseQuerySet":
        """Something is still owed: a status until complete or not applicable, or an update's acknowledgement
        (which a closed response can owe too: an update may change the remediation)."""
        return self.filter(self.open_condition())

    @staticmethod
    def open_condition() -> Q:
        """open() as a condition, for a count of open responses among others (Count(..., filter=...))."""
        return OWING & Q(alert__status=AlertStatus.PUBLISHED)

    def closed(self) -> "ResponseQuerySet":
        return self.filter(self.closed_condition())

    @staticmethod
    def closed_condition() -> Q:
        return Q(status__in=CLOSED_STATUSES, reacknowledgement_due_at__isnull=True) | Q(
            alert__status=AlertStatus.CLOSED
        )

    def overdue(self, *, now: datetime) -> "ResponseQuerySet":
        """Not acknowledged by the deadline, in progress with its next update overdue, or an update not
        acknowledged again by its deadline."""
        return self.filter(self.overdue_condition(now=now))

    @staticmethod
    def overdue_condition(*, now: datetime) -> Q:
        today = timezone.localdate(now)
        return ResponseQuerySet.open_condition() & (
            Q(status=ResponseStatus.NOT_ACKNOWLEDGED, alert_id__in=past_deadline_alert_ids(now))
            | Q(status=ResponseStatus.IN_PROGRESS, next_update_due_on__lt=today)
            | Q(reacknowledgement_due_at__lt=now)
        )

    def shown(self, show: str, *, now: datetime) -> "ResponseQuerySet":
        """What the "Your alerts" filter (and the API's) shows: "open" (else), "overdue", "closed" or "all"."""
        return self.filter(self.shown_condition(show, now=now))

    @staticmethod
    def shown_condition(show: str, *, now: datetime) -> Q:
        """shown() as a condition, for counting what it shows among other responses (Count(..., filter=...))."""
        if show == "overdue":
            return ResponseQuerySet.overdue_condition(now=now)
        if show == "closed":
            return ResponseQuerySet.closed_condition()
        if show == "all":
            return Q()
        return ResponseQuerySet.open_condition()

    def owing_reacknowledgement(self) -> "ResponseQuerySet":
        """Acknowledged responses asked by an update of their (still published) alert to acknowledge it again."""
        return self.filter(reacknowledgement_due_at__isnull=False, alert__status=AlertStatus.PUBLISHED)

    def exceptions_to_review(self, *, today: date) -> "ResponseQuerySet":
        """Exceptions (unable to implement) whose review date has come."""
        return self.filter(status=ResponseStatus.UNABLE_TO_IMPLEMENT, review_on__lte=today)


class Response(models.Model):
    """One organisation's response to one alert. Its fields are the latest history entry's, kept here for fast
    dashboards; only respond.responses.services writes them, in the transaction that appends the entry."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="responses")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="responses")
    status = models.CharField(
        max_length=20, choices=ResponseStatus.choices, default=ResponseStatus.NOT_ACKNOWLEDGED, db_index=True
    )
    # Optimistic concurrency: the number of history entries; each submission names the version it was based on.
    version = models.PositiveIntegerField(default=0)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_within_window = models.BooleanField(null=True, blank=True)
    # Dates, not times: people promise an update "by Thursday", in London.
    next_update_due_on = models.DateField(null=True, blank=True, db_index=True)
    review_on = models.DateField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_entry_at = models.DateTimeField(null=True, blank=True)
    # The latest threat update that asked this organisation to acknowledge the alert again; the due time is set
    # while that acknowledgement is owed, and cleared (with the time it came) once given.
    reacknowledgement_update = models.ForeignKey(
        ThreatUpdate, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    reacknowledgement_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reacknowledged_at = models.DateTimeField(null=True, blank=True)
    reacknowledged_within_window = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["alert", "organisation__name"]
        constraints = [models.UniqueConstraint(fields=["alert", "organisation"], name="one_response_per_organisation")]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            # "Your alerts": the alerts a person's organisations still owe something for, without reading the
            # organisations' closed responses (most of them, over the years).
            models.Index(
                fields=["organisation", "alert"],
                condition=OWING,
                name="open_responses_by_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alert.threat_id}: {self.organisation}"

    def get_absolute_url(self) -> str:
        return url("responses:detail", self.alert.threat_id, self.organisation.ods_code)

    @property
    def deadline_at(self) -> datetime | None:
        return self.alert.deadline_at

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_acknowledged(self) -> bool:
        return self.status != ResponseStatus.NOT_ACKNOWLEDGED

    @property
    def accepts_submissions(self) -> bool:
        return self.alert.status == AlertStatus.PUBLISHED and self.alert.response_required

    @property
    def status_colour(self) -> str:
        return status_colour(self.status)

    def acknowledgement_overdue(self, now: datetime) -> bool:
        deadline = self.deadline_at
        return (
            self.status == ResponseStatus.NOT_ACKNOWLEDGED
            and self.alert.status == AlertStatus.PUBLISHED
            and deadline is not None
            and now > deadline
        )

    def update_overdue(self, now: datetime) -> bool:
        return (
            self.status == ResponseStatus.IN_PROGRESS
            and self.alert.status == AlertStatus.PUBLISHED
            and self.next_update_due_on is not None
            and self.next_update_due_on < timezone.localdate(now)
        )

    @property
    def owes_reacknowledgement(self) -> bool:
        return self.reacknowledgement_due_at is not None and self.alert.status == AlertStatus.PUBLISHED

    @property
    def owed_reacknowledgement_by(self) -> datetime | None:
        """When an update to the alert is to be acknowledged by, while that is owed."""
        return self.reacknowledgement_due_at if self.owes_reacknowledgement else None

    def reacknowledgement_overdue(self, now: datetime) -> bool:
        return self.owes_reacknowledgement and now > self.reacknowledgement_due_at  # type: ignore[operator]

    def is_overdue(self, now: datetime) -> bool:
        return self.acknowledgement_overdue(now) or self.update_overdue(now) or self.reacknowledgement_overdue(now)


class ResponseEntryQuerySet(models.QuerySet["ResponseEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Response history is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Response history is append-only.")


class ResponseEntry(models.Model):
    """One submission: who, from which organisation, when, and what. Never changed or deleted.

    It is "on behalf of" the response's organisation; the submitter's own organisation is recorded as it was
    at the time, because people move. Each status's follow-up answers have their own typed columns."""

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="entries")
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=20, choices=EntryAction.choices)
    status = models.CharField(max_length=20, choices=ResponseStatus.choices)
    # In progress
    actions = models.TextField("Actions being taken", blank=True)
    expected_completion_on = models.DateField("Expected completion date", null=True, blank=True)
    next_update_due_on = models.DateField("Next update due", null=True, blank=True)
    # Complete
    completed_on = models.DateField("Date remediation was completed", null=True, blank=True)
    completion_summary = models.TextField("Summary of what was done", blank=True)
    # Not applicable
    not_applicable_reason = models.CharField(
        "Why the alert does not apply", max_length=20, choices=NotApplicableReason.choices, blank=True
    )
    not_applicable_detail = models.TextField("Details of why the alert does not apply", blank=True)
    # Unable to implement
    unable_reason = models.TextField("Why the remediation cannot be implemented", blank=True)
    mitigations = models.TextField("Compensating controls and mitigations in place", blank=True)
    risk_owner = models.CharField("Risk owner who accepted the risk", max_length=300, blank=True)
    review_on = models.DateField("Review date", null=True, blank=True)
    # None for the system (an expired exception reopening).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The threat update that asked for a re-acknowledgement, on the entries that ask for and give it.
    threat_update = models.ForeignKey(
        ThreatUpdate, null=True, blank=True, on_delete=models.PROTECT, related_name="response_entries"
    )
    # Shared by every entry of one bulk response.
    bulk_id = models.UUIDField(null=True, blank=True, db_index=True)
    # The name of the API token it was submitted through, if it was.
    api_token_name = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ResponseEntryQuerySet.as_manager()

    class Meta:
        ordering = ["response", "version"]
        constraints = [models.UniqueConstraint(fields=["response", "version"], name="one_entry_per_version")]
        verbose_name_plural = "response entries"

    def __str__(self) -> str:
        return f"Version {self.version}: {self.get_status_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Response history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Response history is append-only.")

    @property
    def answer_list(self) -> list[tuple[str, str]]:
        """(question, answer) for each question this entry's status asked; none for an entry that only carried
        the answers over (the timeline shows them once, where they were given)."""
        if self.action in STATUS_KEPT_ACTIONS:
            return []
        return answer_rows(self, self.status)

    @property
    def on_behalf_of(self) -> Organisation:
        return self.response.organisation

    @property
    def is_on_behalf(self) -> bool:
        """Submitted by someone of another organisation (a lead organisation or an IT provider)."""
        return self.submitted_by_id is not None and self.submitted_by_organisation_id != self.response.organisation_id

    @property
    def submitter_text(self) -> str:
        """Who submitted, as history shows it: "Lee Lead of a CSU on behalf of a trust"."""
        if self.submitted_by is None:
            return "The service (automatically)"
        name = self.submitted_by.full_name or self.submitted_by.email
        text = f"{name} of {self.submitted_by_organisation.name}" if self.submitted_by_organisation else name
        if self.is_on_behalf:
            text = f"{text} on behalf of {self.response.organisation.name}"
        return f"{text} via API token {self.api_token_name}" if self.api_token_name else text
