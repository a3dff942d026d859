"""What /readyz checks before a load balancer sends this process traffic: the database, the cache and the task
queue answer, every migration is applied, and no task queue lags behind more than READY_MAX_QUEUE_LAG_SECONDS."""

import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from respond.core.health import queue_status
from respond.core.queue_stats import task_queue_stats

_migrations_known_applied = False  # once true for this code, stays true: migrations are not unapplied under us


@dataclass
class Readiness:
    checks: dict[str, str] = field(default_factory=dict)
    queue_lag_seconds: float | None = None

    @property
    def ready(self) -> bool:
        return all(value == "ok" for value in self.checks.values())


def readiness() -> Readiness:
    result = Readiness()
    result.checks["database"] = _check_database()
    result.checks["cache"] = _check_cache()
    result.checks["queue"] = queue_status()["status"]
    result.checks["migrations"] = _check_migrations() if result.checks["database"] == "ok" else "unknown"
    result.checks["queue_lag"] = "unknown"
    if result.checks["database"] == "ok" and result.checks["queue"] == "ok":
        try:
            result.queue_lag_seconds = max((s.oldest_age_seconds for s in task_queue_stats()), default=0.0)
        except Exception:
            result.checks["queue_lag"] = "unavailable"
        else:
            too_long = result.queue_lag_seconds > settings.READY_MAX_QUEUE_LAG_SECONDS
            result.checks["queue_lag"] = "too long" if too_long else "ok"
    return result


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return "unavailable"
    return "ok"


def _check_cache() -> str:
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", 10)
        answered = cache.get(key) == "1"
        cache.delete(key)
    except Exception:
        return "unavailable"
    return "ok" if answered else "unavailable"


def _check_migrations() -> str:
    global _migrations_known_applied
    if _migrations_known_applied:
        return "ok"
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        return "unavailable"
    if pending:
        return "pending"
    _migrations_known_applied = True
    return "ok"
