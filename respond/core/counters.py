"""Counters shared by every process on every machine (Notify sends and errors are counted by the workers and
shown by any web process's /metrics): a Redis hash when REDIS_URL is set, else the cache (the database)."""

from collections.abc import Mapping

from django.conf import settings
from django.core.cache import cache

REDIS_KEY = "respond:counters"
CACHE_PREFIX = "respond:counter:"
KNOWN_KEY = "respond:counter-names"


def _field(name: str, labels: Mapping[str, str]) -> str:
    return name + "|" + ",".join(f"{key}={value}" for key, value in sorted(labels.items()))


def _redis():  # type: ignore[no-untyped-def]
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def increment(name: str, amount: int = 1, **labels: str) -> None:
    """Add to a counter. Never raises: a lost count must not stop a send."""
    if amount <= 0:
        return
    field = _field(name, labels)
    try:
        if settings.REDIS_URL:
            _redis().hincrby(REDIS_KEY, field, amount)
            return
        # The database cache's incr is not atomic across processes; without Redis there is one machine and
        # counts are advisory. Production runs with Redis.
        known: set[str] = cache.get(KNOWN_KEY) or set()
        if field not in known:
            cache.set(KNOWN_KEY, known | {field}, None)
        if not cache.add(CACHE_PREFIX + field, amount, None):
            cache.incr(CACHE_PREFIX + field, amount)
    except Exception:  # noqa: S110 - counting is best effort
        pass


def read_all() -> dict[tuple[str, tuple[tuple[str, str], ...]], int]:
    """Every counter, as {(name, ((label, value), ...)): count}."""
    if settings.REDIS_URL:
        raw = {key.decode(): int(value) for key, value in _redis().hgetall(REDIS_KEY).items()}
    else:
        known: set[str] = cache.get(KNOWN_KEY) or set()
        values = cache.get_many([CACHE_PREFIX + field for field in known])
        raw = {key.removeprefix(CACHE_PREFIX): int(value) for key, value in values.items()}
    counters = {}
    for field, value in raw.items():
        name, _, label_text = field.partition("|")
        labels = tuple(tuple(pair.split("=", 1)) for pair in label_text.split(",") if pair)
        counters[(name, labels)] = value
    return counters  # type: ignore[return-value]
