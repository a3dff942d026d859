"""One token bucket shared by every worker, so that together they stay under Notify's rate limit.

Notify allows a number of requests per rolling minute per API key. The bucket holds at most one second's
worth of tokens and refills at (99% of the limit - capacity) per minute, so no 60-second window can see more
than the limit even when a worker starts with a full bucket. The bucket lives in Redis when REDIS_URL is set, else
in a database row that each worker updates inside a transaction.
"""

import time
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import transaction

from respond.notifications.models import RateLimitBucket

# KEYS[1] the bucket; ARGV rate per second, capacity, tokens wanted. Returns {granted, seconds to wait}.
REDIS_TAKE = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(stored[1]) or capacity
local at = tonumber(stored[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local granted = math.min(wanted, math.floor(tokens))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], 3600)
local wait = 0
if granted == 0 then wait = (1 - tokens) / rate end
return {granted, tostring(wait)}
"""


@dataclass(frozen=True)
class Grant:
    tokens: int
    wait_seconds: float  # when nothing was granted: how long until a token is due


class TokenBucket(Protocol):
    def take(self, wanted: int) -> Grant: ...


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


def _refill(tokens: float, since: float, now: float, shape: BucketShape) -> float:
    return min(shape.capacity, tokens + max(0.0, now - since) * shape.rate_per_second)


class DatabaseTokenBucket:
    def __init__(self, name: str, shape: BucketShape) -> None:
        self.name = name
        self.shape = shape
        self._created = False

    def take(self, wanted: int) -> Grant:
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
            granted = min(wanted, int(tokens))
            RateLimitBucket.objects.filter(name=self.name).update(tokens=tokens - granted, refilled_at=now)
        wait = 0.0 if granted else (1 - (tokens - granted)) / self.shape.rate_per_second
        return Grant(tokens=granted, wait_seconds=wait)


class RedisTokenBucket:
    def __init__(self, name: str, shape: BucketShape, url: str) -> None:
        import redis

        self.key = f"respond:ratelimit:{name}"
        self.shape = shape
        self.script = redis.Redis.from_url(url).register_script(REDIS_TAKE)

    def take(self, wanted: int) -> Grant:
        granted, wait = self.script(keys=[self.key], args=[self.shape.rate_per_second, self.shape.capacity, wanted])
        return Grant(tokens=int(granted), wait_seconds=float(wait))


def shared_bucket(name: str, per_minute: int) -> TokenBucket:
    shape = BucketShape.for_limit(per_minute)
    redis_url = getattr(settings, "REDIS_URL", "")
    if redis_url:
        return RedisTokenBucket(name, shape, redis_url)
    return DatabaseTokenBucket(name, shape)
