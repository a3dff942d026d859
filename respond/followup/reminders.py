"""The periodic reminder job: digests before a deadline, escalation when one is missed, and reminders of overdue
updates and of exceptions due for review.

Idempotent: each reminder is claimed with an INSERT that skips rows already there (ON CONFLICT DO NOTHING on
(response, kind, threshold)), and the run reads back only the rows it inserted itself, in the same transaction
that queues the messages. A second run, at once on another worker or later, finds nothing left to claim.

No flood after an outage: before a deadline only the latest threshold passed is claimed (a run that wakes up 3
hours before a deadline sends the 4-hour reminder, not the 24-hour one too); a deadline that has passed gets no
"before the deadline" reminder; missed deadlines and reopened exceptions are reported only if they happened within
REMINDER_CATCH_UP_HOURS; and each organisation gets one digest per run, however many alerts it lists.

An update to an alert can ask organisations that had acknowledged it to acknowledge it again, by its own deadline:
that deadline is reminded and, once missed, escalated the same way, keyed by the update so a later update's
deadline is reminded afresh.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from respond.accounts.models import GlobalRole, Membership, User
from respond.alerts.models import Alert, AlertStatus
from respond.followup.conf import catch_up, hours_before_deadline
from respond.followup.messages import OwedItem, escalation_digest, reminder_digest
from respond.followup.models import Reminder, ReminderKind
from respond.notifications.models import MessageKind
from respond.notifications.services import OutgoingMessage, Recipient, queue_composed_messages
from respond.notifications.webhooks import WebhookEvent, deadline_event, queue_webhook_events
from respond.organisations.models import Organisation
from respond.responses.deadlines import london_date
from respond.responses.models import STATUS_KEPT_ACTIONS, EntryAction, Response, ResponseEntry, ResponseStatus

# Reported to administrators and auditors, not in the organisation's own digest.
ESCALATED_KINDS = (ReminderKind.MISSED_DEADLINE, ReminderKind.REACKNOWLEDGEMENT_MISSED)


@dataclass
class ReminderRun:
    reminded: int = 0  # reminders claimed by this run
    digests: int = 0  # organisations sent a reminder digest
    escalations: int = 0  # administrators and auditors told of missed deadlines


def _deadlines(now: datetime) -> dict[int, datetime]:
    """Deadlines of published alerts that ask for a response. Alerts are few, so worked out here, as in
    respond.responses.models.past_deadline_alert_ids."""
    alerts = Alert.objects.filter(status=AlertStatus.PUBLISHED, response_required=True).only(
        "pk", "published_at", "responses_asked_at", "response_window_hours", "response_required"
    )
    return {alert.pk: alert.deadline_at for alert in alerts if alert.deadline_at is not None}


def threshold_passed(deadline: datetime, now: datetime, hours: tuple[int, ...]) -> int | None:
    """The latest reminder threshold (hours before the deadline) already reached, or None: too early, or too late."""
    if deadline <= now:
        return None
    left = deadline - now
    reached = [hour for hour in hours if left <= timedelta(hours=hour)]
    return min(reached) if reached else None


def _claim(candidates: Iterable[tuple[int, str, str]], *, run_id: uuid.UUID, now: datetime) -> set[tuple[int, str]]:
    """Inserts (response, kind, threshold) rows that are not there yet; returns the (response, kind) this run got."""
    rows = [
        Reminder(response_id=response_id, kind=kind, threshold=threshold, run_id=run_id, created_at=now)
        for response_id, kind, threshold in candidates
    ]
    if not rows:
        return set()
    Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return set(Reminder.objects.filter(run_id=run_id).values_list("response_id", "kind"))


def _responses(ids: Iterable[int]) -> dict[int, Response]:
    return {
        response.pk: response
        for response in Response.objects.filter(pk__in=list(ids)).select_related(
            "alert", "organisation", "reacknowledgement_update"
        )
    }


def send_reminders(*, now: datetime | None = None) -> ReminderRun:
    now = now or timezone.now()
    today = london_date(now)
    run_id = uuid.uuid4()
    hours = hours_before_deadline()
    deadlines = _deadlines(now)
    open_responses = Response.objects.filter(alert__status=AlertStatus.PUBLISHED, alert__response_required=True)

    # What each organisation owes now: (response id, kind, threshold, item date or deadline).
    before: list[tuple[int, str, str]] = []
    upcoming = {
        alert_id: (deadline, threshold)
        for alert_id, deadline in deadlines.items()
        if (threshold := threshold_passed(deadline, now, hours)) is not None
    }
    for response_id, alert_id in open_responses.filter(
        status=ResponseStatus.NOT_ACKNOWLEDGED, alert_id__in=list(upcoming)
    ).values_list("pk", "alert_id"):
        before.append((response_id, ReminderKind.BEFORE_DEADLINE, f"{upcoming[alert_id][1]}h"))

    updates = [
        (pk, ReminderKind.UPDATE_OVERDUE, due.isoformat())
        for pk, due in open_responses.filter(
            status=ResponseStatus.IN_PROGRESS, next_update_due_on__lt=today
        ).values_list("pk", "next_update_due_on")
        if due is not None
    ]
    reviews: list[tuple[int, str, str]] = [
        (pk, ReminderKind.REVIEW_DUE, review.isoformat())
        for pk, review in open_responses.filter(
            status=ResponseStatus.UNABLE_TO_IMPLEMENT, review_on__lte=today
        ).values_list("pk", "review_on")
        if review is not None
    ]
    reviews += _reopened_exceptions(open_responses, now=now)

    missed = [
        (pk, ReminderKind.MISSED_DEADLINE, "")
        for pk in open_responses.filter(
            status=ResponseStatus.NOT_ACKNOWLEDGED,
            alert_id__in=[a for a, deadline in deadlines.items() if now - catch_up() < deadline <= now],
        ).values_list("pk", flat=True)
    ]
    reacknowledgements, missed_reacknowledgements = _reacknowledgements(now=now, hours=hours)

    run = ReminderRun()
    with transaction.atomic():
        claimed = _claim(
            [*before, *reacknowledgements, *updates, *reviews, *missed, *missed_reacknowledgements],
            run_id=run_id,
            now=now,
        )
        run.reminded = len(claimed)
        if not claimed:
            return run
        owed = [*before, *reacknowledgements, *updates, *reviews]
        responses = _responses({pk for pk, _, _ in owed} | {pk for pk, _ in claimed})
        messages = _organisation_digests(owed, claimed, responses, deadlines)
        run.digests = len(messages)
        escalations = _escalations(
            [responses[pk] for pk, kind in claimed if kind == ReminderKind.MISSED_DEADLINE],
            [responses[pk] for pk, kind in claimed if kind == ReminderKind.REACKNOWLEDGEMENT_MISSED],
            deadlines,
        )
        run.escalations = sum(len(message.recipients) for message in escalations)
        queue_composed_messages(messages=[*messages, *escalations])
        queue_webhook_events(events=_deadline_events(claimed, responses))
    return run


# Reminder kinds that are webhook events: (missed, about an update's acknowledgement).
DEADLINE_EVENTS = {
    ReminderKind.BEFORE_DEADLINE: (False, False),
    ReminderKind.REACKNOWLEDGEMENT_DUE: (False, True),
    ReminderKind.MISSED_DEADLINE: (True, False),
    ReminderKind.REACKNOWLEDGEMENT_MISSED: (True, True),
}


def _deadline_events(claimed: set[tuple[int, str]], responses: dict[int, Response]) -> list[WebhookEvent]:
    """Claimed once, like the reminders themselves, so each deadline event is queued once."""
    events = []
    for pk, kind in sorted(claimed):
        if kind not in DEADLINE_EVENTS:
            continue
        missed, about_update = DEADLINE_EVENTS[ReminderKind(kind)]
        response = responses[pk]
        events.append(
            deadline_event(
                organisation=response.organisation,
                alert=response.alert,
                missed=missed,
                deadline=response.reacknowledgement_due_at if about_update else response.alert.deadline_at,
                update=response.reacknowledgement_update if about_update else None,
            )
        )
    return events


def _reopened_exceptions(open_responses: QuerySet[Response], *, now: datetime) -> list[tuple[int, str, str]]:
    """An exception is reopened (in progress again) within the hour its review date comes: still say so, once,
    keyed by the same review date, as long as nobody has given a new status since. Entries that only ask for or
    give an update's acknowledgement keep the status, so they may come after the reopening."""
    earlier_review = (
        ResponseEntry.objects.filter(response_id=OuterRef("response_id"), version__lt=OuterRef("version"))
        .order_by("-version")
        .values("review_on")[:1]
    )
    answered_since = ResponseEntry.objects.filter(
        response_id=OuterRef("response_id"), version__gt=OuterRef("version")
    ).exclude(action__in=STATUS_KEPT_ACTIONS)
    reopened = (
        ResponseEntry.objects.filter(
            action=EntryAction.REOPENED,
            created_at__gt=now - catch_up(),
            response__in=open_responses.filter(status=ResponseStatus.IN_PROGRESS),
        )
        .exclude(Exists(answered_since))
        .annotate(reviewed_on=Subquery(earlier_review))
        .values_list("response_id", "reviewed_on")
    )
    return [(pk, ReminderKind.REVIEW_DUE, review.isoformat()) for pk, review in reopened if review is not None]


def _reacknowledgements(
    *, now: datetime, hours: tuple[int, ...]
) -> tuple[list[tuple[int, str, str]], list[tuple[int, str, str]]]:
    """Updates' acknowledgements coming due (the latest threshold passed), and those missed within the catch-up
    window. Keyed by the update, so a later update asking again is reminded again."""
    coming: list[tuple[int, str, str]] = []
    missed: list[tuple[int, str, str]] = []
    owing = Response.objects.owing_reacknowledgement().filter(alert__response_required=True)
    for pk, update_id, due in owing.values_list("pk", "reacknowledgement_update_id", "reacknowledgement_due_at"):
        if due is None:  # excluded by the query: for the type checker
            continue
        if (threshold := threshold_passed(due, now, hours)) is not None:
            coming.append((pk, ReminderKind.REACKNOWLEDGEMENT_DUE, f"u{update_id}-{threshold}h"))
        elif now - catch_up() < due < now:  # overdue as Response.reacknowledgement_overdue says: after the time
            missed.append((pk, ReminderKind.REACKNOWLEDGEMENT_MISSED, f"u{update_id}"))
    return coming, missed


def _item(response: Response, kind: str, threshold: str, deadlines: dict[int, datetime]) -> OwedItem:
    if kind == ReminderKind.BEFORE_DEADLINE:
        return OwedItem(response=response, deadline_at=deadlines.get(response.alert_id))
    if kind in (ReminderKind.REACKNOWLEDGEMENT_DUE, ReminderKind.REACKNOWLEDGEMENT_MISSED):
        return OwedItem(response=response, deadline_at=response.reacknowledgement_due_at)
    return OwedItem(response=response, due_on=datetime.fromisoformat(threshold).date())


def _organisation_digests(
    owed: list[tuple[int, str, str]],
    claimed: set[tuple[int, str]],
    responses: dict[int, Response],
    deadlines: dict[int, datetime],
) -> list[OutgoingMessage]:
    """One digest for each organisation with a reminder newly claimed, listing everything it owes."""
    due_organisations = {responses[pk].organisation_id for pk, kind in claimed if kind not in ESCALATED_KINDS}
    items: dict[int, dict[str, list[OwedItem]]] = defaultdict(lambda: defaultdict(list))
    seen: set[tuple[int, str]] = set()
    for pk, kind, threshold in owed:
        response = responses[pk]
        if response.organisation_id in due_organisations and (pk, kind) not in seen:
            seen.add((pk, kind))
            items[response.organisation_id][kind].append(_item(response, kind, threshold, deadlines))
    people: dict[int, list[User]] = defaultdict(list)
    # Everyone with access to the organisation, as for the alert emails themselves.
    for membership in Membership.objects.filter(organisation_id__in=list(items), user__is_active=True).select_related(
        "user"
    ):
        people[membership.organisation_id].append(membership.user)
    organisations = Organisation.objects.in_bulk(list(items))
    messages = []
    for organisation_id, kinds in sorted(items.items(), key=lambda pair: organisations[pair[0]].name):
        subject, body = reminder_digest(
            organisation=organisations[organisation_id],
            to_acknowledge=sorted(kinds[ReminderKind.BEFORE_DEADLINE], key=lambda item: item.deadline_at or 0),
            updates_to_acknowledge=sorted(
                kinds[ReminderKind.REACKNOWLEDGEMENT_DUE], key=lambda item: item.deadline_at or 0
            ),
            updates_overdue=sorted(kinds[ReminderKind.UPDATE_OVERDUE], key=lambda item: item.due_on or 0),
            reviews_due=sorted(kinds[ReminderKind.REVIEW_DUE], key=lambda item: item.due_on or 0),
        )
        messages.append(
            OutgoingMessage(
                kind=MessageKind.REMINDER_EMAIL,
                subject=subject,
                body=body,
                recipients=[Recipient(user.email, user.pk, organisation_id) for user in people[organisation_id]],
            )
        )
    return messages


def _escalations(
    missed: list[Response], missed_updates: list[Response], deadlines: dict[int, datetime]
) -> list[OutgoingMessage]:
    """One digest for each administrator (their organisations' misses) and one shared by every auditor (all):
    alerts not acknowledged by their deadline, and updates not acknowledged by theirs."""
    if not missed and not missed_updates:
        return []
    missed_items = _sorted_items([OwedItem(response=r, deadline_at=deadlines.get(r.alert_id)) for r in missed])
    update_items = _sorted_items([OwedItem(response=r, deadline_at=r.reacknowledgement_due_at) for r in missed_updates])
    organisation_ids = {item.response.organisation_id for item in [*missed_items, *update_items]}
    administrators: dict[int, User] = {}
    administered: dict[int, set[int]] = defaultdict(set)
    for membership in (
        Membership.objects.administrators().filter(organisation_id__in=list(organisation_ids)).select_related("user")
    ):
        administrators[membership.user_id] = membership.user
        administered[membership.user_id].add(membership.organisation_id)
    messages = []
    for user_id, organisations in administered.items():
        subject, body = escalation_digest(
            missed=[item for item in missed_items if item.response.organisation_id in organisations],
            missed_updates=[item for item in update_items if item.response.organisation_id in organisations],
            for_auditor=False,
        )
        user = administrators[user_id]
        messages.append(
            OutgoingMessage(
                kind=MessageKind.ESCALATION_EMAIL,
                subject=subject,
                body=body,
                recipients=[Recipient(user.email, user.pk)],
            )
        )
    auditors = User.objects.filter(global_role=GlobalRole.AUDITOR, is_active=True).order_by("email")
    subject, body = escalation_digest(missed=missed_items, missed_updates=update_items, for_auditor=True)
    messages.append(
        OutgoingMessage(
            kind=MessageKind.ESCALATION_EMAIL,
            subject=subject,
            body=body,
            recipients=[Recipient(auditor.email, auditor.pk) for auditor in auditors],
        )
    )
    return messages


def _sorted_items(items: list[OwedItem]) -> list[OwedItem]:
    """Earliest deadline first, then by alert and organisation."""
    return sorted(items, key=lambda item: (item.deadline_at, item.response.alert_id, item.response.organisation.name))
