"""What a scenario must show afterwards, read from the database and from what the local Notify received: every
message sent exactly once, every response the web processes said they saved is there, and every response is
whole (its history entries numbered 1..version without a gap, its status the latest entry's)."""

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError, connection

from faulttest.workload import Attempt


def from_database[T](query: Callable[[], T], *, timeout: float = 120) -> T:
    """The query's result, waiting for the database when it is being restarted (our connection is dropped then)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return query()
        except (OperationalError, InterfaceError):
            connection.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@dataclass
class Messages:
    expected: int
    sent: int  # received by Notify
    lost: int  # given up on, or marked sent though Notify never received it
    late: int  # still waiting to be sent when the scenario's time ran out
    duplicates: int


def count_messages(alert_id: int, references: Counter) -> Messages:
    from respond.notifications.models import Notification, Status

    rows = Notification.objects.filter(alert_id=alert_id)
    expected = {str(pk) for pk in rows.values_list("pk", flat=True)}
    accepted = {reference for reference in expected if references.get(reference)}
    duplicates = sum(references[reference] - 1 for reference in accepted)
    waiting = {str(pk) for pk in rows.filter(status__in=[Status.QUEUED, Status.SENDING]).values_list("pk", flat=True)}
    lost = (expected - accepted - waiting) | {
        str(pk) for pk in rows.filter(status=Status.FAILED).values_list("pk", flat=True)
    }
    return Messages(len(expected), len(accepted), len(lost), len(waiting - accepted), duplicates)


@dataclass
class Responses:
    saved: int  # the web process answered "saved" (a redirect)
    lost: int  # ... but the entry is not in the database
    doubled: int  # one submission recorded twice
    half_written: int  # responses whose history and current state disagree


def check_responses(alert_id: int, attempts: list[Attempt]) -> Responses:
    from respond.responses.models import EntryAction, Response, ResponseEntry

    entries = ResponseEntry.objects.filter(response__alert_id=alert_id)
    recorded = Counter(entries.values_list("actions", flat=True))
    saved = [attempt for attempt in attempts if attempt.outcome == "saved"]
    lost = sum(1 for attempt in saved if not recorded[attempt.marker])
    doubled = sum(count - 1 for marker, count in recorded.items() if marker and count > 1)
    half_written = 0
    ods_codes = {attempt.ods_code for attempt in attempts}
    for response in Response.objects.filter(alert_id=alert_id, organisation__ods_code__in=ods_codes):
        history = list(response.entries.order_by("version").values_list("version", "action", "status"))
        numbered = [version for version, _, _ in history] == list(range(1, response.version + 1))
        latest = history[-1] if history else None
        agrees = latest is None or latest[1] != EntryAction.UPDATED or latest[2] == response.status
        half_written += not (numbered and agrees)
    return Responses(len(saved), lost, doubled, half_written)
