"""Deadlines and time left, as people in England read them.

Instants are stored in UTC and shown in Europe/London, so a deadline 48 hours after a publication on the Saturday
before the clocks go forward reads one hour later on the clock than the publication did, and "time left" is real
elapsed time, never a difference of wall-clock readings. Dates people choose (next update, review) are London dates.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

DEFAULT_NEXT_UPDATE_DAYS = 3


def next_update_days() -> int:
    return int(getattr(settings, "RESPONSE_NEXT_UPDATE_DAYS", DEFAULT_NEXT_UPDATE_DAYS))


def london_date(moment: datetime) -> date:
    return timezone.localdate(moment, timezone=timezone.get_default_timezone())


def default_next_update_due(moment: datetime) -> date:
    """When the next update is due after acknowledging at `moment`: some days later, by London's calendar."""
    return london_date(moment) + timedelta(days=next_update_days())


def _plural(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"


def duration_text(delta: timedelta) -> str:
    """Like "2 days 3 hours" or "12 minutes": the two largest units, rounded down."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [_plural(value, unit) for value, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")) if value]
    return " ".join(parts[:2])


def time_left_text(deadline: datetime | None, now: datetime) -> str:
    if deadline is None:
        return ""
    if deadline >= now:
        return f"{duration_text(deadline - now)} left"
    return f"Overdue by {duration_text(now - deadline)}"


@dataclass(frozen=True)
class Due:
    """A time something is to be done by, as pages show it: the time, how long is left (or how late it is), and
    whether it is overdue (past the time). False when nothing is due."""

    by: datetime | None = None
    time_left: str = ""
    overdue: bool = False

    @classmethod
    def of(cls, by: datetime | None, now: datetime) -> "Due":
        return cls(by, time_left_text(by, now), now > by) if by is not None else cls()

    def __bool__(self) -> bool:
        return self.by is not None


def due_date_text(due: date | None, now: datetime) -> str:
    """A due date relative to today in London: "due today", "due in 2 days", "overdue by 1 day"."""
    if due is None:
        return ""
    days = (due - london_date(now)).days
    if days == 0:
        return "due today"
    if days > 0:
        return f"due in {_plural(days, 'day')}"
    return f"overdue by {_plural(-days, 'day')}"
