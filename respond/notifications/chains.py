"""The delivery chains: background tasks that send the outbox. Each is thin: the work is in
respond.notifications.delivery. Services start them (after their transaction commits); the per-minute sweep in
respond.notifications.tasks restarts them.

Publishing enqueues NOTIFY_PARALLEL_TASKS "chains" of deliver_notifications. A chain sends until nothing is
due; it waits for a retry or a stuck claim that falls due within SHORT_WAIT_SECONDS, and schedules a
deferred run of itself for a later one (RQ runs those only with `rqworker --with-scheduler`). It ends when
nothing is left to send. A chain lost with its worker (killed mid-run) is replaced by the per-minute sweep.
"""

import logging
import time
from datetime import datetime, timedelta

from django.core.cache import cache
from django.tasks import task
from django.utils import timezone

from respond.notifications.channels import Channels
from respond.notifications.conf import notification_settings
from respond.notifications.delivery import Deliverer, next_due_at
from respond.notifications.ratelimit import shared_bucket

logger = logging.getLogger(__name__)


# A retry or a claim timing out sooner than this is waited for in the task; later ones get a deferred task.
SHORT_WAIT_SECONDS = 15


@task
def deliver_notifications(slot: int = 0) -> int:
    conf = notification_settings()
    deliverer = Deliverer(
        conf=conf,
        channels=Channels.from_settings(conf),
        bucket=shared_bucket(f"notify:{conf.notify_service_id or 'smtp'}", conf.rate_limit_per_minute),
    )
    deadline = time.monotonic() + conf.task_time_limit_seconds
    processed = 0
    while True:
        summary = deliverer.run(time_limit=max(0.0, deadline - time.monotonic()))
        processed += summary.processed
        if summary.out_of_time:
            # Give the worker back between long runs; carry on at once.
            deliver_notifications.enqueue(slot=slot)
            break
        due = next_due_at(conf)
        if due is None:
            break
        wait = (due - timezone.now()).total_seconds()
        if wait > SHORT_WAIT_SECONDS or time.monotonic() + wait > deadline:
            schedule_next_run(slot=slot, due=due)
            break
        time.sleep(max(wait, 0.05))
    if processed:
        logger.info("Delivery chain %d: %d sent or tried", slot, processed)
    return processed


def schedule_next_run(*, slot: int, due: datetime) -> None:
    run_after = max(due, timezone.now() + timedelta(seconds=1))
    # Several chains of one slot (one per publication) would all pick the same time: schedule it once.
    if cache.add(f"notifications:next-run:{slot}:{int(run_after.timestamp())}", True, timeout=3600):
        deliver_notifications.using(run_after=run_after).enqueue(slot=slot)


def enqueue_delivery() -> None:
    for slot in range(notification_settings().parallel_tasks):
        deliver_notifications.enqueue(slot=slot)
