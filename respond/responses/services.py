"""Responding to alerts: acknowledge, update, respond for many organisations at once, reopen expired exceptions.

Each submission appends one history entry per response and brings the response up to date in the same
transaction, with the audit log and the emails it sends (written to the notifications outbox, sent once it
commits). A submission based on an out-of-date version raises ConflictError carrying what changed meanwhile; a
broken rule raises ValidationError (by field where there is one) or PermissionDenied, with a message to show the
person. Nothing is written when either is raised.
"""

import uuid
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from respond.alerts.models import RELEASED_STATUSES, Alert, AlertStatus, ThreatUpdate
from respond.core.audit import AuditChange, Auditor, snapshot
from respond.organisations.models import Organisation
from respond.responses import summaries
from respond.responses.answers import Answers, next_update_problem
from respond.responses.deadlines import default_next_update_due, london_date
from respond.responses.emails import queue_response_emails
from respond.responses.models import EntryAction, Response, ResponseEntry, ResponseStatus
from respond.responses.submissions import (
    ACKNOWLEDGE,
    AUDITED_FIELDS,
    REACKNOWLEDGE,
    Change,
    ConflictError,
    StatusKept,
    Submission,
    latest_entries,
    reacknowledgement,
    submission_of,
)
from respond.responses.summaries import ResponseFacts

if TYPE_CHECKING:
    from respond.accounts.models import User

__all__ = ["ACKNOWLEDGE", "REACKNOWLEDGE", "ConflictError"]  # what views and forms name through this module


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


def _queue_emails(entries: list[ResponseEntry], responses: list[Response], user: "User | None") -> None:
    """Writes the entries' emails in their transaction, giving each entry what its emails show, already read."""
    by_id = {response.pk: response for response in responses}
    for entry in entries:
        entry.response = by_id[entry.response_id]
        entry.submitted_by = user
        entry.submitted_by_organisation = user.organisation if user is not None else None
    queue_response_emails(entries)


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
    submission = submission_of(status=status, answers=answers, now=timezone.now())
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
        summaries.record([response.pk], before={response.pk: ResponseFacts.of(response)})
        entry = submission.entry(response_id=response.pk, version=version + 1, user=user)
        entry.api_token_name = auditor.api_token_name
        entry.save()
        response.refresh_from_db()
        response.alert = alert  # (refreshing forgets it; the emails show it)
        auditor.log(f"response.{submission.action}", response, before=before, after=submission.audit_after(response))
        _queue_emails([entry], [response], user)
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
    summaries.record(before, before={response.pk: ResponseFacts.of(response) for response in responses})
    entries = [
        submission.entry(response_id=response.pk, version=response.version + 1, user=user, bulk_id=bulk_id)
        for response in responses
    ]
    for entry in entries:
        entry.api_token_name = auditor.api_token_name
    ResponseEntry.objects.bulk_create(entries)
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
    if send_emails:
        _queue_emails(entries, responses, user)
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
    submission = None if status == REACKNOWLEDGE else submission_of(status=status, answers=answers, now=now)
    _require_can_respond(user, organisation_ids, alert)
    _create_responses([(alert.pk, organisation_id) for organisation_id in organisation_ids])
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
            responses, reacknowledgement(responses, now=now), user=user, auditor=auditor, bulk_id=uuid.uuid4()
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
        latest=latest_entries(responses),
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
        [entry] = _apply(locked, reacknowledgement(locked, now=timezone.now()), user=user, auditor=auditor)
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
    due = Response.objects.exceptions_to_review(today=today).filter(alert__status=AlertStatus.PUBLISHED)
    reopened = 0
    # One transaction for each alert, in turn: each is then one write of one alert's responses, which takes the
    # locks of the data versions it raises in one order, as every other response write does
    # (respond.core.versions). Several alerts in one transaction could deadlock with a single response write.
    for alert_id in sorted(set(due.values_list("alert_id", flat=True))):
        with transaction.atomic():
            of_alert = _locked_responses(due.filter(alert_id=alert_id))  # still due, now it is locked
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
    return len(_create_responses(list(missing)))


def _create_responses(pairs: list[tuple[int, int]]) -> list[int]:
    """Creates the (not yet acknowledged) response of each (alert id, organisation id) that has none, and adds them
    to the summaries. Safe to run concurrently: a response created meanwhile by another transaction is left alone
    (and counted by it). Returns the ids of those created here."""
    created: list[int] = []
    if not pairs:
        return created
    table, quote = Response._meta.db_table, connection.ops.quote_name
    columns = ("alert_id", "organisation_id", "status", "version", "created_at")
    now = timezone.now()
    # In the order of the names of the data versions they raise ("responses-of-organisation:10" before ":9"), so
    # that the inserts of a long list lock those versions in one order, as a single statement does
    # (respond.core.versions).
    ordered = sorted(pairs, key=lambda pair: (str(pair[0]), str(pair[1])))
    for start in range(0, len(ordered), 1000):
        batch = ordered[start : start + 1000]
        rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(batch))
        params = [value for pair in batch for value in (*pair, ResponseStatus.NOT_ACKNOWLEDGED, 0, now)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(table)} ({', '.join(quote(column) for column in columns)}) VALUES {rows} "  # noqa: S608 - names from the model
                "ON CONFLICT (alert_id, organisation_id) DO NOTHING RETURNING id",
                params,
            )
            created += [row[0] for row in cursor.fetchall()]
    if created:
        summaries.record(created, before={})
    return created
