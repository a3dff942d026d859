"""Per-person hourly limits on invitations and access requests, counted in Django's cache (shared by every process)."""

import time
from datetime import UTC, datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from respond.accounts.models import User

WINDOW_SECONDS = 3600


class RateLimitExceeded(ValidationError):
    pass


def take(*, user: User, action: str, per_hour: int, what: str) -> None:
    """Counts one `action` by `user` in this clock hour, or raises RateLimitExceeded once `per_hour` are used.

    `what` names the thing in the message, in the plural: "invitations".
    """
    now = time.time()
    window = int(now) // WINDOW_SECONDS
    key = f"respond:ratelimit:{action}:{user.pk}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 60)
        count = 1
    if count > per_hour:
        resets_at = timezone.localtime(datetime.fromtimestamp((window + 1) * WINDOW_SECONDS, tz=UTC))
        at = resets_at.strftime("%-I:%M%p").replace("AM", "am").replace("PM", "pm")
        raise RateLimitExceeded(
            f"You can send up to {per_hour} {what} an hour. Nothing was sent. Try again after {at}.",
            code="rate_limited",
        )
