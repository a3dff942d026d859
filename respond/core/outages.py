"""Errors that mean the database or Redis could not be reached (an outage, not a bug): pages answer 503."""

from django.db import InterfaceError, OperationalError


def is_outage(error: BaseException | None) -> bool:
    if isinstance(error, OperationalError | InterfaceError):
        return True
    try:
        import redis
    except ImportError:  # pragma: no cover - redis is a dependency
        return False
    return isinstance(error, redis.ConnectionError | redis.TimeoutError)
