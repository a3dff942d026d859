"""The task queues. Periodic jobs (the delivery sweep, reminders, reopening exceptions, the scheduler's heartbeat)
go on a queue of their own at the top priority, so they never wait behind delivery: workers take from both
(`db_worker --queue-name scheduled,default`, `rqworker scheduled default`: RQ takes from queues in the order
given), and a delivery task that finds a periodic job waiting for a worker stops after its batch and queues its
next run behind it (see respond.notifications.chains)."""

from datetime import UTC, datetime

from django.conf import settings
from django.tasks import task_backends
from django.tasks.base import DEFAULT_TASK_PRIORITY, TASK_MAX_PRIORITY
from django.utils import timezone
from django.utils.module_loading import import_string

SCHEDULED_QUEUE = "scheduled"
# The database queue takes the highest priority first; RQ has no priorities, and takes from its queues in order.
SCHEDULED_PRIORITY = TASK_MAX_PRIORITY if task_backends["default"].supports_priority else DEFAULT_TASK_PRIORITY
# A periodic job waiting this long has no free worker: delivery makes room for it. One waiting much longer is on
# a queue no worker here takes from, and making room again and again would not help.
MAKE_ROOM_AFTER_SECONDS = 3
MAKE_ROOM_UNTIL_SECONDS = 90


def oldest_scheduled_job_waiting_since() -> datetime | None:
    """When the oldest periodic job that is ready to run was queued; None when none waits."""
    from django_tasks_db.backend import DatabaseBackend

    backend = task_backends["default"]
    if isinstance(backend, DatabaseBackend):
        from django_tasks_db.models import DBTaskResult

        ready = DBTaskResult.objects.ready().filter(queue_name=SCHEDULED_QUEUE)
        return ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    if type(backend).__name__ == "RQBackend":
        import django_rq

        queue = django_rq.get_queue(SCHEDULED_QUEUE)
        job_ids = queue.get_job_ids(0, 1)
        job = queue.fetch_job(job_ids[0]) if job_ids else None
        if job is None or job.enqueued_at is None:
            return None
        # RQ keeps UTC times without their zone.
        return job.enqueued_at if timezone.is_aware(job.enqueued_at) else job.enqueued_at.replace(tzinfo=UTC)
    return None


def scheduled_job_needs_room() -> bool:
    """True when a periodic job has waited a few seconds for a worker (see MAKE_ROOM_AFTER_SECONDS)."""
    since = oldest_scheduled_job_waiting_since()
    if since is None:
        return False
    waited = (timezone.now() - since).total_seconds()
    return MAKE_ROOM_AFTER_SECONDS <= waited < MAKE_ROOM_UNTIL_SECONDS


def queue_start_tasks() -> None:
    """Queues the tasks a worker starts with (settings.TASKS_AT_WORKER_START): the delivery sweep, so that chains
    a stopped worker or a Redis outage took with it start again at once, not at the scheduler's next tick."""
    for path in settings.TASKS_AT_WORKER_START:
        import_string(path).enqueue()
