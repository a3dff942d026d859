"""What a submission does to each response it touches (the UPDATE's assignments, the history entry it appends,
what the audit log records), for the services in respond.responses.services to apply to one response or many."""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, DateTimeField, F, Value, When
from django.db.models.functions import Coalesce

from respond.core.audit import snapshot
from respond.responses.answers import Answers
from respond.responses.deadlines import default_next_update_due, london_date
from respond.responses.models import (
    CLOSED_STATUSES,
    UPDATE_STATUSES,
    EntryAction,
    Response,
    ResponseEntry,
    ResponseStatus,
)

if TYPE_CHECKING:
    from respond.accounts.models import User

# In a bulk response, the choice that only acknowledges (in progress, no detail yet).
ACKNOWLEDGE = "acknowledge"
# In a bulk response, the choice that acknowledges an update to the alert, keeping each status as it is.
REACKNOWLEDGE = "reacknowledge"
AUDITED_FIELDS = [
    "status",
    "version",
    "acknowledged_at",
    "acknowledged_within_window",
    "next_update_due_on",
    "review_on",
    "closed_at",
    "reacknowledgement_due_at",
    "reacknowledged_at",
    "reacknowledged_within_window",
]


class ConflictError(Exception):
    """The response changed after the form was shown: `entries` are the submissions made since, oldest first."""

    def __init__(self, entries: list[ResponseEntry]) -> None:
        self.entries = entries
        super().__init__("Someone else updated this response after you started: nothing you entered was saved yet")


@dataclass(frozen=True)
class Submission:
    """What one submission does to each response it touches."""

    action: str
    status: str
    answers: Answers
    next_update_due_on: date | None
    review_on: date | None
    now: datetime

    def response_changes(self, *, deadline: datetime | None) -> dict[str, Any]:
        """The UPDATE's assignments. They read the row's own old values, so one statement serves any number of
        responses: the first acknowledgement is kept, and only it decides whether the window was met."""
        within_window = None if deadline is None else self.now <= deadline
        return {
            "status": self.status,
            "version": F("version") + 1,
            "last_entry_at": self.now,
            "acknowledged_at": Coalesce(F("acknowledged_at"), Value(self.now, output_field=DateTimeField())),
            "acknowledged_within_window": Case(
                When(acknowledged_at__isnull=True, then=Value(within_window, output_field=BooleanField(null=True))),
                default=F("acknowledged_within_window"),
            ),
            "next_update_due_on": self.next_update_due_on,
            "review_on": self.review_on,
            "closed_at": (
                Coalesce(F("closed_at"), Value(self.now, output_field=DateTimeField()))
                if self.status in CLOSED_STATUSES
                else None
            ),
        }

    def entry(
        self, *, response_id: int, version: int, user: "User | None", bulk_id: uuid.UUID | None = None
    ) -> ResponseEntry:
        return ResponseEntry(
            response_id=response_id,
            version=version,
            action=self.action,
            status=self.status,
            submitted_by=user,
            submitted_by_organisation_id=user.organisation_id if user is not None else None,
            bulk_id=bulk_id,
            created_at=self.now,
            **{**self.answers.as_dict(), "next_update_due_on": self.next_update_due_on, "review_on": self.review_on},
        )

    def audit_after(self, response: Response) -> dict[str, Any]:
        answers = {name: value for name, value in self.answers.as_dict().items() if value not in ("", None)}
        return {**(snapshot(response, AUDITED_FIELDS) or {}), "answers": answers}


class Change(Protocol):
    """What a submission (or the service itself) does to each response it touches, and the entry it appends."""

    @property
    def action(self) -> str: ...

    def response_changes(self, *, deadline: datetime | None) -> dict[str, Any]: ...

    def entry(
        self, *, response_id: int, version: int, user: "User | None", bulk_id: uuid.UUID | None = None
    ) -> ResponseEntry: ...

    def audit_after(self, response: Response) -> dict[str, Any]: ...


# What an entry that keeps the status carries over from the one before it.
CARRIED_FIELDS = ("status", *(field.name for field in fields(Answers)))


@dataclass(frozen=True)
class StatusKept:
    """An entry that changes no answer: an update asking for a re-acknowledgement, or the re-acknowledgement.
    Each response's status and answers carry over from its latest entry, so the latest entry is still the
    current state. `latest` maps each response's id to that entry, `updates` to the threat update concerned."""

    action: str
    changes: dict[str, Any]
    latest: Mapping[int, ResponseEntry | Response]
    updates: Mapping[int, int | None]
    now: datetime

    def response_changes(self, *, deadline: datetime | None) -> dict[str, Any]:
        return {"version": F("version") + 1, "last_entry_at": self.now, **self.changes}

    def entry(
        self, *, response_id: int, version: int, user: "User | None", bulk_id: uuid.UUID | None = None
    ) -> ResponseEntry:
        latest = self.latest[response_id]
        # A response acknowledged before history was kept has no entry: its own mirror fields are what it holds.
        carried = {name: getattr(latest, name) for name in CARRIED_FIELDS if hasattr(latest, name)}
        return ResponseEntry(
            response_id=response_id,
            version=version,
            action=self.action,
            submitted_by=user,
            submitted_by_organisation_id=user.organisation_id if user is not None else None,
            threat_update_id=self.updates[response_id],
            bulk_id=bulk_id,
            created_at=self.now,
            **carried,
        )

    def audit_after(self, response: Response) -> dict[str, Any]:
        return {**(snapshot(response, AUDITED_FIELDS) or {}), "threat_update": self.updates[response.pk]}


def latest_entries(responses: Iterable[Response]) -> dict[int, ResponseEntry | Response]:
    """Each response's latest entry (the one its version names), in one query; the response itself if none."""
    by_id: dict[int, ResponseEntry | Response] = {response.pk: response for response in responses}
    latest = ResponseEntry.objects.filter(response_id__in=by_id, version=F("response__version")).only(
        "response_id", *CARRIED_FIELDS
    )
    by_id.update({entry.response_id: entry for entry in latest})
    return by_id


def reacknowledgement(responses: list[Response], *, now: datetime) -> StatusKept:
    """Acknowledging the update each of these responses owes: on time if by its due time."""
    return StatusKept(
        action=EntryAction.REACKNOWLEDGED,
        changes={
            "reacknowledgement_due_at": None,
            "reacknowledged_at": now,
            "reacknowledged_within_window": Case(
                When(reacknowledgement_due_at__gte=now, then=Value(True)), default=Value(False)
            ),
        },
        latest=latest_entries(responses),
        updates={response.pk: response.reacknowledgement_update_id for response in responses},
        now=now,
    )


def submission_of(*, status: str, answers: Answers, now: datetime) -> Submission:
    """Checks a status and its answers, and says what submitting them does."""
    today = london_date(now)
    if status == ACKNOWLEDGE:
        return Submission(
            action=EntryAction.ACKNOWLEDGED,
            status=ResponseStatus.IN_PROGRESS,
            answers=Answers(),
            next_update_due_on=default_next_update_due(now),
            review_on=None,
            now=now,
        )
    if status not in UPDATE_STATUSES:
        raise ValidationError({"status": ["Select the status of your remediation"]})
    answers = answers.only_for(status)
    answers.validate(status, today=today)
    return Submission(
        action=EntryAction.UPDATED,
        status=status,
        answers=answers,
        next_update_due_on=answers.next_update_due_on if status == ResponseStatus.IN_PROGRESS else None,
        review_on=answers.review_on if status == ResponseStatus.UNABLE_TO_IMPLEMENT else None,
        now=now,
    )
