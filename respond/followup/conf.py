"""Follow-up settings, read in one place with their defaults (the lead documents them in docs/configuration.md)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_HOURS_BEFORE_DEADLINE = (24, 4)
DEFAULT_CATCH_UP_HOURS = 48
DEFAULT_CHASE_INTERVAL_MINUTES = 60


def hours_before_deadline() -> tuple[int, ...]:
    """When to remind before a deadline, largest first: REMINDER_HOURS_BEFORE_DEADLINE, "24,4" or [24, 4]."""
    value = getattr(settings, "REMINDER_HOURS_BEFORE_DEADLINE", None)
    if value in (None, ""):
        return DEFAULT_HOURS_BEFORE_DEADLINE
    parts = value.split(",") if isinstance(value, str) else list(value)
    try:
        hours = {int(str(part).strip()) for part in parts if str(part).strip()}
    except ValueError as error:
        raise ImproperlyConfigured("REMINDER_HOURS_BEFORE_DEADLINE must be whole hours, such as 24,4") from error
    if any(hour < 1 for hour in hours):
        raise ImproperlyConfigured("REMINDER_HOURS_BEFORE_DEADLINE must be 1 hour or more")
    return tuple(sorted(hours, reverse=True))


def catch_up() -> timedelta:
    """How long after a deadline passes (or an exception reopens) the job still reports it, if it missed it."""
    return timedelta(hours=int(getattr(settings, "REMINDER_CATCH_UP_HOURS", DEFAULT_CATCH_UP_HOURS)))


def chase_interval() -> timedelta:
    """An organisation chased about an alert is not chased about it again for this long."""
    return timedelta(minutes=int(getattr(settings, "CHASE_INTERVAL_MINUTES", DEFAULT_CHASE_INTERVAL_MINUTES)))
