"""The generated data set: organisations, users, alerts and each response's history as people would have
submitted it."""

import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from benchreports import SEED
from benchreports.database import copy_rows, reset_sequence
from benchreports.organisations import AlertPlan, Org, Users, make_alerts, make_organisations, make_users


@dataclass
class Generated:
    orgs: int = 0
    real_orgs: int = 0
    alerts: int = 0
    responses: int = 0
    history_rows: int = 0
    seconds: float = 0.0
    steps: list[tuple[str, float]] = field(default_factory=list)


def generate(scale: float, now: datetime) -> Generated:
    from django.core.management import call_command
    from django.db import connection, transaction

    result = Generated()
    started = step_started = time.perf_counter()

    def step(name: str) -> None:
        nonlocal step_started
        result.steps.append((name, time.perf_counter() - step_started))
        print(f"  {name}: {result.steps[-1][1]:.1f} s", flush=True)
        step_started = time.perf_counter()

    rng = random.Random(SEED)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    step("migrate")
    with transaction.atomic():
        organisations = make_organisations(rng, round(10_000 * scale))
        result.orgs, result.real_orgs = len(organisations), sum(1 for o in organisations if o.real)
        step(f"{result.orgs} organisations ({result.real_orgs} real)")
        users = make_users(rng, organisations)
        step("users and memberships")
        alerts = make_alerts(rng, round(1_000 * scale), organisations, users, now, scale)
        result.alerts = len(alerts)
        step(f"{result.alerts} alerts and their scope")
        result.responses, result.history_rows = make_responses(rng, alerts, organisations, users, now, scale)
        step(f"{result.responses} responses, {result.history_rows} history entries")
    step("commit (deferred foreign key checks)")
    from respond.responses import summaries

    summaries.rebuild()  # the responses were loaded with COPY, not through the services that keep the summaries
    step("summaries worked out (rebuild_summaries)")
    with connection.cursor() as cursor:
        # What autovacuum would have done by now in production: statistics, and the visibility map that lets
        # index-only scans skip the table.
        cursor.execute("VACUUM ANALYZE")
    step("vacuum and analyse")
    result.seconds = time.perf_counter() - started
    return result


ACTIONS = (
    "Patching the affected servers in a phased roll-out",
    "Testing the vendor's fix on a pre-production system",
    "Mitigation applied; waiting for the supplier's update",
    "Inventory of affected devices under way",
)
COMPLETIONS = (
    "Vendor patch applied to every affected system and verified by a scan",
    "Upgraded to the fixed version across the estate",
    "Mitigations in place and the product upgraded",
)
UNABLE = ("The supplier has no fix for our version", "The system is clinically critical and cannot be taken down")


RESPONSE_COLUMNS = (  # noqa: SIM905
    "id alert organisation status version acknowledged_at acknowledged_within_window next_update_due_on review_on "
    "closed_at last_entry_at created_at"
).split()
ANSWER_COLUMNS = (  # noqa: SIM905
    "actions expected_completion_on next_update_due_on completed_on completion_summary not_applicable_reason "
    "not_applicable_detail unable_reason mitigations risk_owner review_on"
).split()
ENTRY_COLUMNS = ["id", "response", "version", "action", "status", *ANSWER_COLUMNS]
ENTRY_COLUMNS += ["submitted_by", "submitted_by_organisation", "bulk_id", "created_at"]
TEXT_ANSWERS = {"actions", "completion_summary", "not_applicable_reason", "not_applicable_detail"}
TEXT_ANSWERS |= {"unable_reason", "mitigations", "risk_owner"}


@dataclass
class Entry:
    action: str
    status: str
    at: datetime
    by: int | None
    bulk_id: uuid.UUID | None = None
    answers: dict = field(default_factory=dict)


class HistoryMaker:
    """Makes one response's history as people would have submitted it, in the time since publication."""

    def __init__(self, rng: random.Random, now: datetime, extra_mean: float) -> None:
        from django.utils import timezone

        self.rng, self.now, self.extra_mean = rng, now, extra_mean
        self.london = timezone.get_default_timezone()

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.london).date()

    def first_at(self, published: datetime) -> datetime | None:
        roll = self.rng.random()
        if roll < 0.07:
            return None  # never acknowledged
        if roll < 0.75:
            return published + timedelta(hours=min(47.9, self.rng.expovariate(1 / 14)))  # within the window
        return published + timedelta(hours=48 + self.rng.expovariate(1 / 96))  # late

    def history(self, *, first_at: datetime | None, user: int, first_by: int, bulk_id, published_alert: bool):  # type: ignore[no-untyped-def]
        from respond.responses.models import EntryAction, NotApplicableReason, ResponseStatus

        rng, day = self.rng, self.day
        if first_at is None or first_at > self.now:
            return []
        if bulk_id is None and rng.random() < 0.10:  # not applicable straight away
            reason = rng.choice(list(NotApplicableReason))
            detail = "The service was decommissioned last year" if reason == NotApplicableReason.OTHER else ""
            answers = {"not_applicable_reason": reason, "not_applicable_detail": detail}
            return [Entry(EntryAction.UPDATED, ResponseStatus.NOT_APPLICABLE, first_at, user, answers=answers)]
        entries = [
            Entry(
                EntryAction.ACKNOWLEDGED,
                ResponseStatus.IN_PROGRESS,
                first_at,
                first_by,
                bulk_id,
                {"next_update_due_on": day(first_at) + timedelta(days=3)},
            )
        ]
        at = first_at
        for _ in range(min(30, round(rng.expovariate(1 / self.extra_mean)) if self.extra_mean > 0 else 0)):
            at += timedelta(days=rng.uniform(1, 7))
            answers = {
                "actions": rng.choice(ACTIONS),
                "expected_completion_on": day(at) + timedelta(days=14),
                "next_update_due_on": day(at) + timedelta(days=7),
            }
            entries.append(Entry(EntryAction.UPDATED, ResponseStatus.IN_PROGRESS, at, user, answers=answers))
        at += timedelta(days=rng.uniform(0.5, 20))
        final = rng.random()
        if final < 0.68:
            answers = {"completed_on": day(at), "completion_summary": rng.choice(COMPLETIONS)}
            entries.append(Entry(EntryAction.UPDATED, ResponseStatus.COMPLETE, at, user, answers=answers))
        elif final < 0.76:
            answers = {"not_applicable_reason": NotApplicableReason.NOT_IN_USE}
            entries.append(Entry(EntryAction.UPDATED, ResponseStatus.NOT_APPLICABLE, at, user, answers=answers))
        elif final < 0.84:
            review = day(at) + timedelta(days=90)
            answers = {
                "unable_reason": rng.choice(UNABLE),
                "mitigations": "Network access restricted to the management network",
                "risk_owner": "Senior Information Risk Owner",
                "review_on": review,
            }
            entries.append(Entry(EntryAction.UPDATED, ResponseStatus.UNABLE_TO_IMPLEMENT, at, user, answers=answers))
            if published_alert:  # expire_unable_to_implement reopens it on the review date, early in the morning
                reopen_at = datetime.combine(review, datetime.min.time(), tzinfo=self.london) + timedelta(hours=6)
                answers = {"next_update_due_on": review}
                entries.append(
                    Entry(EntryAction.REOPENED, ResponseStatus.IN_PROGRESS, reopen_at, None, answers=answers)
                )
        return [entry for entry in entries if entry.at <= self.now]


def make_responses(
    rng: random.Random, alerts: list[AlertPlan], organisations: list[Org], users: Users, now: datetime, scale: float
) -> tuple[int, int]:
    from respond.responses.models import CLOSED_STATUSES, Response, ResponseEntry, ResponseStatus

    admin_of = {org.pk: org.admin_id for org in organisations}
    org_of_user = {org.admin_id: org.pk for org in organisations}
    org_of_user[users.lead_id] = users.lead_organisation_id
    lead_orgs = set(users.lead_org_ids)
    pairs = sum(len(alert.organisation_ids) for alert in alerts)
    # About 1.55 entries a response before extra "in progress" updates (which three in four acknowledged
    # responses may have): spread them so that the total comes near the target.
    extra_mean = max(0.0, (1_000_000 * scale - 1.55 * pairs) / max(1, 0.75 * pairs))
    maker = HistoryMaker(rng, now, extra_mean)
    response_rows: list[tuple] = []
    entry_rows: list[tuple] = []
    for alert in alerts:
        published, deadline = alert.published_at, alert.published_at + timedelta(hours=48)
        bulk_id = uuid.UUID(int=rng.getrandbits(128))
        lead_ack_at = published + timedelta(hours=rng.uniform(2, 40))  # one bulk acknowledgement for all its orgs
        for org_id in alert.organisation_ids:
            response_id = len(response_rows) + 1
            user = admin_of[org_id]
            by_lead = org_id in lead_orgs and rng.random() < 0.95
            entries = maker.history(
                first_at=lead_ack_at if by_lead else maker.first_at(published),
                user=user,
                first_by=users.lead_id if by_lead else user,
                bulk_id=bulk_id if by_lead else None,
                published_alert=alert.status == "published",
            )
            # The response's fields are its latest entry's, as the services leave them.
            status, acknowledged_at, within = ResponseStatus.NOT_ACKNOWLEDGED, None, None
            next_due = review_on = closed_at = None
            for version, entry in enumerate(entries, start=1):
                status = entry.status
                if acknowledged_at is None:
                    acknowledged_at, within = entry.at, entry.at <= deadline
                next_due = entry.answers.get("next_update_due_on") if status == ResponseStatus.IN_PROGRESS else None
                review_on = entry.answers.get("review_on") if status == ResponseStatus.UNABLE_TO_IMPLEMENT else None
                closed_at = (closed_at or entry.at) if status in CLOSED_STATUSES else None
                answers = [entry.answers.get(name, "" if name in TEXT_ANSWERS else None) for name in ANSWER_COLUMNS]
                submitted_from = org_of_user.get(entry.by) if entry.by is not None else None
                tail = (entry.by, submitted_from, entry.bulk_id, entry.at)
                entry_rows.append((len(entry_rows) + 1, response_id, version, entry.action, status, *answers, *tail))
            last_at = entries[-1].at if entries else None
            head = (response_id, alert.pk, org_id, status, len(entries), acknowledged_at, within)
            response_rows.append((*head, next_due, review_on, closed_at, last_at, published))
    copy_rows(Response, RESPONSE_COLUMNS, iter(response_rows))
    copy_rows(ResponseEntry, ENTRY_COLUMNS, iter(entry_rows))
    reset_sequence(Response)
    reset_sequence(ResponseEntry)
    return len(response_rows), len(entry_rows)
