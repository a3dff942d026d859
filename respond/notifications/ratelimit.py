"""One token bucket shared by every worker, so that together they stay under Notify's rate limit.

Notify allows a number of requests per rolling minute per API key. The bucket holds at most one second's
worth of tokens and refills at (99% of the limit - capacity) per minute, so no 60-second window can see more
than the limit even when a worker starts with a full bucket. The bucket lives in Redis when REDIS_URL is set, else
in a database row that each worker updates inside a transaction.

Notify's limit counts every request, look-ups (asking whether an uncertain send arrived) as well as sends, so
the limit is split in two buckets (see NotificationSettings.send_rate_per_minute): look-ups have a small budget of
their own (NOTIFY_LOOKUP_RATE_PER_MINUTE) and sends the rest, so a wave of look-ups after a crash or a run of 5xx
answers never slows sending. Sends may take a look-up token only when the look-up bucket is full (`spare_only`),
which it is only while nobody is looking anything up: the two together still never pass the limit.
"""

import math
import time
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import transaction

from respond.notifications.conf import NotificationSettings
from respond.notifications.models import RateLimitBucket

# KEYS[1] the bucket; ARGV rate per second, capacity, tokens wanted, tokens to leave. Returns {granted, wait}.
REDIS_TAKE = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local keep = tonumber(ARGV[4])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(stored[1]) or capacity
local at = tonumber(stored[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local granted = math.max(0, math.min(wanted, math.floor(tokens - keep)))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], 3600)
local wait = 0
if granted == 0 then wait = (keep + 1 - tokens) / rate end
return {granted, tostring(wait)}
"""


@dataclass(frozen=True)
class Grant:
    tokens: int
    wait_seconds: float  # when nothing was granted: how long until a token is due


class TokenBucket(Protocol):
    def take(self, wanted: int, *, spare_only: bool = False) -> Grant:
        """Up to `wanted` tokens; with spare_only, only those beyond one short of a full bucket."""
        ...


@dataclass(frozen=True)
class BucketShape:
    capacity: float
    rate_per_second: float

    @classmethod
    def for_limit(cls, per_minute: int) -> "BucketShape":
        capacity = max(1.0, per_minute / 60)
        # A worker takes tokens for its next few sends at once and spends them within one request's time:
        # 1% headroom covers sends that land a moment after their tokens were granted.
        return cls(capacity=capacity, rate_per_second=max(per_minute * 0.99 - capacity, 1.0) / 60)

    def keep(self, spare_only: bool) -> float:
        """Tokens a take leaves in the bucket. Spare tokens are only those of a full bucket, and a bucket of
        under two tokens has none to spare: its one token is always someone's next."""
        if not spare_only:
            return 0.0
        return self.capacity - 1 if self.capacity >= 2 else self.capacity


def _refill(tokens: float, since: float, now: float, shape: BucketShape) -> float:
    return min(shape.capacity, tokens + max(0.0, now - since) * shape.rate_per_second)


class DatabaseTokenBucket:
    def __init__(self, name: str, shape: BucketShape) -> None:
        self.name = name
        self.shape = shape
        self._created = False

    def take(self, wanted: int, *, spare_only: bool = False) -> Grant:
        keep = self.shape.keep(spare_only)
        if not self._created:
            RateLimitBucket.objects.get_or_create(
                name=self.name, defaults={"tokens": self.shape.capacity, "refilled_at": time.time()}
            )
            self._created = True
        # SQLite starts every transaction with BEGIN IMMEDIATE (see DATABASES), which serialises writers;
        # PostgreSQL locks the row.
        with transaction.atomic():
            bucket = RateLimitBucket.objects.select_for_update().get(name=self.name)
            now = time.time()
            tokens = _refill(bucket.tokens, bucket.refilled_at, now, self.shape)
            granted = max(0, min(wanted, math.floor(tokens - keep)))
            RateLimitBucket.objects.filter(name=self.name).update(tokens=tokens - granted, refilled_at=now)
        wait = 0.0 if granted else (keep + 1 - tokens) / self.shape.rate_per_second
        return Grant(tokens=granted, wait_seconds=wait)


class RedisTokenBucket:
    def __init__(self, name: str, shape: BucketShape, url: str) -> None:
        import redis

        self.key = f"respond:ratelimit:{name}"
        self.shape = shape
        self.script = redis.Redis.from_url(url).register_script(REDIS_TAKE)

    def take(self, wanted: int, *, spare_only: bool = False) -> Grant:
        args = [self.shape.rate_per_second, self.shape.capacity, wanted, self.shape.keep(spare_only)]
        granted, wait = self.script(keys=[self.key], args=args)
        return Grant(tokens=int(granted), wait_seconds=float(wait))


def shared_bucket(name: str, per_minute: int) -> TokenBucket:
    shape = BucketShape.for_limit(per_minute)
    redis_url = getattr(settings, "REDIS_URL", "")
    if redis_url:
        return RedisTokenBucket(name, shape, redis_url)
    return DatabaseTokenBucket(name, shape)


def notify_buckets(conf: NotificationSettings) -> tuple[TokenBucket, TokenBucket]:
    """The buckets for sends and for look-ups, shared by every worker using the same Notify service."""
    service = conf.notify_service_id or "smtp"
    return (
        shared_bucket(f"notify:{service}", conf.send_rate_per_minute),
        shared_bucket(f"notify-lookups:{service}", conf.lookup_rate_per_minute),
    )
