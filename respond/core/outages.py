"""Errors that mean the database or Redis could not be reached (an outage, not a bug): pages answer 503."""

from django.db import InterfaceError, OperationalError


def is_outage(error: BaseException | None) -> bool:
    """The error, or one it was raised from or while handling (Django turns a session that could not be saved
    into a 400 "bad request"), is the database or Redis out of reach."""
    try:
        import redis
    except ImportError:  # pragma: no cover - redis is a dependency
        redis = None  # type: ignore[assignment]
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        if redis is not None and isinstance(error, redis.ConnectionError | redis.TimeoutError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False
