"""How many background tasks wait in each queue, and how long the oldest has waited: for /readyz and /metrics."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone


@dataclass(frozen=True)
class QueueStats:
    queue: str
    depth: int  # tasks ready to run, not yet started
    oldest_age_seconds: float  # 0 when empty


def task_queue_stats(*, now: datetime | None = None) -> list[QueueStats]:
    now = now or timezone.now()
    queues = list(settings.TASKS["default"].get("QUEUES") or ["default"])
    if settings.REDIS_URL:
        return [_rq_stats(name, now) for name in queues]
    from django_tasks_db.models import DBTaskResult

    rows = {
        row["queue_name"]: row
        for row in DBTaskResult.objects.ready()
        .values("queue_name")
        .annotate(depth=Count("id"), oldest=Min("enqueued_at"))
        .order_by()
    }
    stats = []
    for name in sorted(set(queues) | set(rows)):
        row = rows.get(name)
        if row is None:
            stats.append(QueueStats(name, 0, 0.0))
        else:
            stats.append(QueueStats(name, row["depth"], max(0.0, (now - row["oldest"]).total_seconds())))
    return stats


def _rq_stats(name: str, now: datetime) -> QueueStats:
    import django_rq

    queue = django_rq.get_queue(name)
    depth = queue.count
    oldest = 0.0
    if depth:
        job_ids = queue.get_job_ids(0, 1)
        job = queue.fetch_job(job_ids[0]) if job_ids else None
        if job is not None and job.enqueued_at is not None:
            enqueued_at = job.enqueued_at
            if timezone.is_naive(enqueued_at):
                enqueued_at = enqueued_at.replace(tzinfo=UTC)
            oldest = max(0.0, (now - enqueued_at).total_seconds())
    return QueueStats(name, depth, oldest)
