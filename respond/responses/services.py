"""Responding to alerts: acknowledge, update, respond for many organisations at once, reopen expired exceptions.

Each submission appends one history entry per response and brings the response up to date in the same
transaction, writes the audit log and, once committed, queues the emails. A submission based on an out-of-date
version raises ConflictError carrying what changed meanwhile; a broken rule raises ValidationError (by field where
there is one) or PermissionDenied, with a message to show the person. Nothing is written when either is raised.
"""

import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, DateTimeField, Exists, F, OuterRef, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from respond.alerts.models import RELEASED_STATUSES, Alert, AlertStatus, ThreatUpdate
from respond.core.audit import AuditChange, Auditor, snapshot
from respond.organisations.models import Organisation
from respond.responses.answers import Answers, next_update_problem
from respond.responses.changes import responses_changed
from respond.responses.deadlines import default_next_update_due, london_date
from respond.responses.models import (
    CLOSED_STATUSES,
    UPDATE_STATUSES,
    EntryAction,
    Response,
    ResponseEntry,
    ResponseStatus,
)
from respond.responses.tasks import send_response_emails

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


def _latest_entries(responses: Iterable[Response]) -> dict[int, ResponseEntry | Response]:
    """Each response's latest entry (the one its version names), in one query; the response itself if none."""
    by_id: dict[int, ResponseEntry | Response] = {response.pk: response for response in responses}
    latest = ResponseEntry.objects.filter(response_id__in=by_id, version=F("response__version")).only(
        "response_id", *CARRIED_FIELDS
    )
    by_id.update({entry.response_id: entry for entry in latest})
    return by_id


def _reacknowledgement(responses: list[Response], *, now: datetime) -> StatusKept:
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
        latest=_latest_entries(responses),
        updates={response.pk: response.reacknowledgement_update_id for response in responses},
        now=now,
    )


def _submission(*, status: str, answers: Answers, now: datetime) -> Submission:
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


def _require_open(alert: Alert) -> None:
    if not alert.response_required:
        raise ValidationError("This alert does not ask for a response", code="no_response_required")
    if alert.status != AlertStatus.PUBLISHED:
        raise ValidationError(
            f"You cannot respond to this alert because it is {alert.get_status_display().lower()}", code="alert_closed"
        )


def _require_can_respond(user: "User", organisation_ids: Collection[int], alert: Alert) -> None:
    allowed = set(
        Organisation.objects.respondable_by(user)
        .filter(pk__in=organisation_ids, alerts=alert)
        .values_list("pk", flat=True)
    )
    refused = set(organisation_ids) - allowed
    if refused:
        names = ", ".join(Organisation.objects.filter(pk__in=refused).order_by("name").values_list("name", flat=True))
        raise PermissionDenied(f"You cannot respond to {alert.threat_id} for {names}")


def _queue_emails(entries: Iterable[ResponseEntry]) -> None:
    entry_ids = [entry.pk for entry in entries]
    if entry_ids:
        # robust: the response is saved whatever happens to the email.
        transaction.on_commit(partial(send_response_emails.enqueue, entry_ids=entry_ids), robust=True)


def _newer_entries(responses: Mapping[int, int]) -> list[ResponseEntry]:
    """Entries made after the versions given, by response id."""
    candidates = (
        ResponseEntry.objects.filter(response_id__in=responses, version__gt=min(responses.values(), default=0))
        .select_related("response__organisation", "submitted_by", "submitted_by_organisation")
        .order_by("created_at", "pk")
    )
    return [entry for entry in candidates if entry.version > responses[entry.response_id]]


# One organisation ------------------------------------------------------------------------------------------------


def response_acknowledge(
    *, response: Response, user: "User", version: int, auditor: Auditor, next_update_due_on: date | None = None
) -> ResponseEntry:
    """Acknowledges the alert for the response's organisation: in progress, with the next update due in a few
    days unless another date is given."""
    now = timezone.now()
    problem = next_update_problem(next_update_due_on, today=london_date(now))
    if problem:
        raise ValidationError({"next_update_due_on": [problem]})
    submission = Submission(
        action=EntryAction.ACKNOWLEDGED,
        status=ResponseStatus.IN_PROGRESS,
        answers=Answers(),
        next_update_due_on=next_update_due_on or default_next_update_due(now),
        review_on=None,
        now=now,
    )
    return _submit_one(response=response, user=user, version=version, submission=submission, auditor=auditor)


def response_update(
    *, response: Response, user: "User", version: int, status: str, answers: Answers, auditor: Auditor
) -> ResponseEntry:
    """Records a new status with its follow-up answers."""
    submission = _submission(status=status, answers=answers, now=timezone.now())
    return _submit_one(response=response, user=user, version=version, submission=submission, auditor=auditor)


def _submit_one(
    *, response: Response, user: "User", version: int, submission: Submission, auditor: Auditor
) -> ResponseEntry:
    alert = response.alert
    _require_open(alert)
    _require_can_respond(user, [response.organisation_id], alert)
    if submission.action == EntryAction.ACKNOWLEDGED and response.version == version and response.is_acknowledged:
        raise ValidationError("This alert has already been acknowledged for this organisation", code="acknowledged")
    before = snapshot(response, AUDITED_FIELDS)
    with transaction.atomic():
        stale_check = Response.objects.filter(pk=response.pk, version=version)
        if submission.action == EntryAction.ACKNOWLEDGED:
            stale_check = stale_check.filter(status=ResponseStatus.NOT_ACKNOWLEDGED)
        if not stale_check.update(**submission.response_changes(deadline=alert.deadline_at)):
            raise ConflictError(_newer_entries({response.pk: version}))
        entry = submission.entry(response_id=response.pk, version=version + 1, user=user)
        entry.save()
        responses_changed([(alert.pk, response.organisation_id)])
        response.refresh_from_db()
        auditor.log(f"response.{submission.action}", response, before=before, after=submission.audit_after(response))
        _queue_emails([entry])
    return entry


# Many organisations ----------------------------------------------------------------------------------------------


def _locked_responses(queryset: QuerySet[Response], *, alert: Alert | None = None) -> list[Response]:
    """Locks the responses until the transaction ends. With `alert` (theirs), it is not read once per response."""
    related = ("organisation",) if alert is not None else ("alert", "organisation")
    responses = list(queryset.select_for_update(of=("self",)).select_related(*related).order_by("pk"))
    if alert is not None:
        for response in responses:
            response.alert = alert
    return responses


def _apply(
    responses: list[Response],
    submission: Change,
    *,
    user: "User | None",
    auditor: Auditor,
    bulk_id: uuid.UUID | None = None,
    send_emails: bool = True,
) -> list[ResponseEntry]:
    """Applies one submission to locked responses of one alert in a constant number of queries: one UPDATE, one
    INSERT of the entries, one re-read and one INSERT of the audit rows, however many responses there are."""
    if not responses:
        return []
    deadline = responses[0].alert.deadline_at
    before = {response.pk: snapshot(response, AUDITED_FIELDS) for response in responses}
    Response.objects.filter(pk__in=before).update(**submission.response_changes(deadline=deadline))
    entries = ResponseEntry.objects.bulk_create(
        submission.entry(response_id=response.pk, version=response.version + 1, user=user, bulk_id=bulk_id)
        for response in responses
    )
    updated = Response.objects.filter(pk__in=before).in_bulk()
    auditor.log_many(
        f"response.{submission.action}",
        (
            AuditChange(
                obj=updated[response.pk],
                before=before[response.pk],
                after=submission.audit_after(updated[response.pk]),
                object_repr=str(response),
            )
            for response in responses
        ),
    )
    responses_changed((response.alert_id, response.organisation_id) for response in responses)
    if send_emails:
        _queue_emails(entries)
    return entries


@transaction.atomic
def bulk_response_submit(
    *,
    user: "User",
    alert: Alert,
    organisations: Iterable[Organisation],
    status: str,
    answers: Answers,
    auditor: Auditor,
    expected_versions: Mapping[int, int] | None = None,
) -> list[ResponseEntry]:
    """One answer for many organisations: each gets its own history entry, "submitted by <user> of <their
    organisation> on behalf of <organisation>". `status` may be ACKNOWLEDGE. `expected_versions` (organisation id
    to version, from the preview the person confirmed) makes a response changed since the preview a conflict."""
    organisation_ids = sorted({organisation.pk for organisation in organisations})
    if not organisation_ids:
        raise ValidationError({"organisations": ["Select at least one organisation"]})
    _require_open(alert)
    now = timezone.now()
    submission = None if status == REACKNOWLEDGE else _submission(status=status, answers=answers, now=now)
    _require_can_respond(user, organisation_ids, alert)
    Response.objects.bulk_create(
        [Response(alert=alert, organisation_id=organisation_id) for organisation_id in organisation_ids],
        ignore_conflicts=True,
    )
    responses = _locked_responses(
        Response.objects.filter(alert=alert, organisation_id__in=organisation_ids), alert=alert
    )
    if expected_versions is not None:
        stale = {
            response.pk: expected_versions[response.organisation_id]
            for response in responses
            if expected_versions.get(response.organisation_id, response.version) != response.version
        }
        if stale:
            raise ConflictError(_newer_entries(stale))
    if status == ACKNOWLEDGE:
        acknowledged = sorted(response.organisation.name for response in responses if response.is_acknowledged)
        if acknowledged:
            raise ValidationError(
                {
                    "organisations": [
                        f"{', '.join(acknowledged)} already acknowledged this alert: "
                        "unselect them, or choose a status to record for them too"
                    ]
                }
            )
    if submission is None:
        not_owing = sorted(response.organisation.name for response in responses if not response.owes_reacknowledgement)
        if not_owing:
            raise ValidationError(
                {
                    "organisations": [
                        f"{', '.join(not_owing)} {'has' if len(not_owing) == 1 else 'have'} no update to acknowledge: "
                        "unselect them, or choose a status to record for them"
                    ]
                }
            )
        return _apply(
            responses, _reacknowledgement(responses, now=now), user=user, auditor=auditor, bulk_id=uuid.uuid4()
        )
    return _apply(responses, submission, user=user, auditor=auditor, bulk_id=uuid.uuid4())


# Updates to the alert ----------------------------------------------------------------------------------------------


def reacknowledgements_request(*, update: ThreatUpdate, auditor: Auditor) -> int:
    """Asks every organisation that has acknowledged the update's alert, whether its response is open or closed
    (the update may change the remediation), to acknowledge the alert again by the update's deadline. Each gets a
    history entry by the service, keeping its status. Those yet to acknowledge still owe their first
    acknowledgement, which covers the update. Runs in the transaction that adds the update, in a constant number
    of queries however many organisations there are. Returns how many were asked."""
    due = update.reacknowledge_by
    if due is None:
        return 0
    alert = update.alert
    responses = _locked_responses(
        Response.objects.filter(alert=alert).exclude(status=ResponseStatus.NOT_ACKNOWLEDGED), alert=alert
    )
    request = StatusKept(
        action=EntryAction.REACKNOWLEDGEMENT_REQUESTED,
        changes={
            "reacknowledgement_update": update,
            "reacknowledgement_due_at": due,
            "reacknowledged_at": None,
            "reacknowledged_within_window": None,
        },
        latest=_latest_entries(responses),
        updates=dict.fromkeys((response.pk for response in responses), update.pk),
        now=update.created_at,
    )
    # The update's own notifications tell them, so no email about the entries.
    return len(_apply(responses, request, user=None, auditor=auditor, send_emails=False))


def response_reacknowledge(*, response: Response, user: "User", version: int, auditor: Auditor) -> ResponseEntry:
    """Acknowledges the update the response's organisation was asked to acknowledge, keeping its status; records
    when, and whether by the update's deadline."""
    alert = response.alert
    _require_open(alert)
    _require_can_respond(user, [response.organisation_id], alert)
    if response.version == version and response.reacknowledgement_due_at is None:
        raise ValidationError(
            f"{response.organisation.name} has no update to acknowledge for {alert.threat_id}",
            code="nothing_to_reacknowledge",
        )
    with transaction.atomic():
        locked = _locked_responses(
            Response.objects.filter(pk=response.pk, version=version, reacknowledgement_due_at__isnull=False),
            alert=alert,
        )
        if not locked:
            raise ConflictError(_newer_entries({response.pk: version}))
        [entry] = _apply(locked, _reacknowledgement(locked, now=timezone.now()), user=user, auditor=auditor)
    response.refresh_from_db()
    return entry


def expire_unable_to_implement(*, now: datetime | None = None) -> int:
    """Reopens every "unable to implement" exception whose review date has come: in progress again, the next
    update due today, and the organisation told. Returns how many reopened."""
    now = now or timezone.now()
    today = london_date(now)
    submission = Submission(
        action=EntryAction.REOPENED,
        status=ResponseStatus.IN_PROGRESS,
        answers=Answers(),
        next_update_due_on=today,
        review_on=None,
        now=now,
    )
    auditor = Auditor.system("expire_unable_to_implement")
    reopened = 0
    with transaction.atomic():
        due = _locked_responses(
            Response.objects.exceptions_to_review(today=today).filter(alert__status=AlertStatus.PUBLISHED)
        )
        for alert_id in sorted({response.alert_id for response in due}):
            of_alert = [response for response in due if response.alert_id == alert_id]
            reopened += len(_apply(of_alert, submission, user=None, auditor=auditor))
    return reopened


def open_missing_responses(*, organisations: QuerySet[Organisation] | None = None, alert: Alert | None = None) -> int:
    """Creates the (not yet acknowledged) response of each organisation in scope of a released alert that asks for
    one, where it is missing. Idempotent and safe to run concurrently; costs one query when nothing is missing."""
    through = Alert.organisations.through
    pairs = through.objects.filter(alert__status__in=RELEASED_STATUSES, alert__response_required=True)
    if alert is not None:
        pairs = pairs.filter(alert_id=alert.pk)
    if organisations is not None:
        pairs = pairs.filter(organisation_id__in=organisations.values("pk"))
    missing = pairs.exclude(
        Exists(Response.objects.filter(alert_id=OuterRef("alert_id"), organisation_id=OuterRef("organisation_id")))
    ).values_list("alert_id", "organisation_id")
    rows = [Response(alert_id=alert_id, organisation_id=organisation_id) for alert_id, organisation_id in missing]
    if rows:
        Response.objects.bulk_create(rows, ignore_conflicts=True)
        responses_changed((row.alert_id, row.organisation_id) for row in rows)
    return len(rows)
