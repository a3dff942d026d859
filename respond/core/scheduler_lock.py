"""The lock that lets exactly one periodic-job scheduler run, however many are started.

django-crontask takes a Redis lock itself, but a second scheduler that finds it taken simply stops. Ours wait:
every scheduler started is a standby that takes over within seconds when the active one dies. The lock is in
Redis when REDIS_URL is set, else a PostgreSQL advisory lock held by a connection of its own, else (SQLite, one
machine) a file lock beside the database file. Each is released by its holder's death: Redis by the lock's
expiry (the active scheduler renews it every few seconds), PostgreSQL when the holder's connection ends, the
file when the holder's process ends.

The active scheduler keeps the Redis lock through a Redis outage (a restart): while Redis is away nobody can take
it, and when Redis is back the lock is renewed, or taken again if it expired meanwhile and nobody else took it.
"""

import contextlib
import fcntl
import logging
import zlib
from pathlib import Path
from typing import Any, Protocol

from crontask import utils as crontask_utils
from crontask.conf import get_settings as crontask_settings
from django.conf import settings
from django.db import connection

LOCK_NAME = "respond-scheduler"

logger = logging.getLogger(__name__)


class SchedulerLock(Protocol):
    def try_acquire(self) -> bool: ...

    def extend(self, additional_time: float | None = None, replace_ttl: bool = False) -> bool:
        """Still held (Redis: for another `additional_time` seconds); raise crontask's LockNotOwnedError if not."""
        ...

    def release(self) -> None: ...


class RedisSchedulerLock:
    def __init__(self, url: str) -> None:
        import redis

        self._lock = redis.Redis.from_url(url, socket_timeout=5).lock(
            LOCK_NAME, timeout=crontask_settings().LOCK_TIMEOUT, thread_local=False
        )

    def try_acquire(self) -> bool:
        import redis

        try:
            return bool(self._lock.acquire(blocking=False))
        except redis.RedisError:
            return False

    def extend(self, additional_time: float | None = None, replace_ttl: bool = False) -> bool:
        import redis

        try:
            return bool(self._lock.extend(additional_time or crontask_settings().LOCK_TIMEOUT, replace_ttl))
        except redis.exceptions.LockNotOwnedError:
            # It expired, Redis having been out of reach: ours again unless another scheduler took it meanwhile.
            if self._take_again():
                logger.warning("The scheduler lock expired while Redis was out of reach: taken again")
                return True
            raise
        except redis.exceptions.LockError:
            raise
        except (redis.ConnectionError, redis.TimeoutError) as error:
            # Redis is out of reach: no other scheduler can take the lock, nor can any job be queued, until it is
            # back. Carry on, and find out then whether the lock is still ours.
            logger.warning("Redis is out of reach (%s): keeping the scheduler lock until it answers", error)
            return True
        except redis.RedisError as error:
            raise crontask_utils.LockNotOwnedError(str(error)) from error

    def _take_again(self) -> bool:
        import redis

        try:
            return bool(self._lock.acquire(blocking=False))
        except redis.RedisError:
            return False

    def release(self) -> None:
        import redis

        with contextlib.suppress(redis.RedisError):  # expired or unreachable: nothing more to release
            self._lock.release()


class PostgresSchedulerLock:
    def __init__(self, database: Any) -> None:
        self._database = database
        self._connection: Any = None
        self._key = zlib.crc32(LOCK_NAME.encode())

    def try_acquire(self) -> bool:
        import psycopg

        try:
            database = self._database
            self._connection = psycopg.connect(
                dbname=database["NAME"],
                user=database.get("USER") or None,
                password=database.get("PASSWORD") or None,
                host=database.get("HOST") or None,
                port=database.get("PORT") or None,
                autocommit=True,
                connect_timeout=5,
            )
            held = self._connection.execute("SELECT pg_try_advisory_lock(%s)", [self._key]).fetchone()[0]
        except psycopg.Error:
            held = False
        if not held:
            self.release()
        return bool(held)

    def extend(self, additional_time: float | None = None, replace_ttl: bool = False) -> bool:
        import psycopg

        try:
            self._connection.execute("SELECT 1").fetchone()
        except (psycopg.Error, AttributeError) as error:  # the session, and with it the lock, is gone
            raise crontask_utils.LockNotOwnedError("the scheduler's database connection was lost") from error
        return True

    def release(self) -> None:
        if self._connection is not None:
            self._connection.close()  # ends the session, which releases its advisory lock
            self._connection = None


class FileSchedulerLock:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._file: Any = None

    def try_acquire(self) -> bool:
        self._file = self._path.open("a")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.release()
            return False
        return True

    def extend(self, additional_time: float | None = None, replace_ttl: bool = False) -> bool:
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def scheduler_lock() -> SchedulerLock:
    if settings.REDIS_URL:
        return RedisSchedulerLock(settings.REDIS_URL)
    database = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        return PostgresSchedulerLock(database)
    return FileSchedulerLock(Path(f"{database['NAME']}.scheduler-lock"))


class HeldLock:
    """A lock already taken, in the shape crontask's command uses (`with lock:`, `lock.extend()`)."""

    def __init__(self, lock: SchedulerLock) -> None:
        self._lock = lock
        self.lost = False  # another scheduler has it now: crontask stops

    def __enter__(self) -> "HeldLock":
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    def extend(self, additional_time: float | None = None, replace_ttl: bool = False) -> bool:
        try:
            return self._lock.extend(additional_time, replace_ttl)
        except crontask_utils.LockError:
            self.lost = True
            raise
