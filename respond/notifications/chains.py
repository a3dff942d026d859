"""The delivery chains: background tasks that send the outbox. Each is thin: the work is in
respond.notifications.delivery and .slots. Services start them (after their transaction commits); the per-minute
sweep in respond.notifications.tasks restarts lost ones.

Publishing enqueues NOTIFY_PARALLEL_TASKS "chains" of deliver_notifications, one per slot. A chain holds its slot
by a lease in the cache that it renews while it runs (respond.notifications.chains), so a chain lost with its
worker (killed mid-run) is noticed within NOTIFY_LEASE_SECONDS, by the other chains or by the per-minute sweep,
and started again: delivery goes back to full parallelism. A chain sends until nothing is due; it waits for a
retry or a lease that runs out within SHORT_WAIT_SECONDS, and schedules a deferred run of itself for a later one
(RQ runs those only with `rqworker --with-scheduler`). Between batches it makes room for a periodic job waiting
for a worker (respond.core.queues). When the database or Redis goes away mid-run, the chain waits for them,
holding its slot, and carries on within a second of their return.
"""

import logging
import time
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import connection
from django.tasks import task
from django.utils import timezone

from respond.core.outages import is_outage
from respond.core.queues import scheduled_job_needs_room
from respond.notifications.conf import NotificationSettings, notification_settings
from respond.notifications.delivery import Deliverer, RunSummary, next_due_at
from respond.notifications.models import Notification
from respond.notifications.ratelimit import notify_buckets
from respond.notifications.slots import ChainSlot, stalled_slots
from respond.notifications.webhook_channel import worker_channels

logger = logging.getLogger(__name__)


# A retry or a lease running out sooner than this is waited for in the task; later ones get a deferred task.
SHORT_WAIT_SECONDS = 15
# How often a chain waiting out an outage asks whether the database and Redis answer again.
OUTAGE_POLL_SECONDS = 0.5


@task
def deliver_notifications(slot: int = 0) -> int:
    conf = notification_settings()
    chain = ChainSlot(slot, conf)
    if not chain.take():
        return 0  # another chain of this slot is running: it will send what this one was queued for
    sends, lookups = notify_buckets(conf)

    def heartbeat() -> bool:
        alive = chain.renew()
        restart_stalled_chains()
        return alive

    deliverer = Deliverer(
        conf=conf,
        channels=worker_channels(conf),
        bucket=sends,
        lookup_bucket=lookups,
        worker_id=chain.holder,
        heartbeat=heartbeat,
        hand_over=scheduled_job_needs_room,
    )
    deadline = time.monotonic() + conf.task_time_limit_seconds
    processed = 0
    while True:
        try:
            summary = deliverer.run(time_limit=max(0.0, deadline - time.monotonic()))
            processed += summary.processed
            if not run_again(chain, summary, slot=slot, conf=conf, deadline=deadline):
                break
        except Exception as error:
            # The database or Redis went away (restarted, failed over): wait for it holding the slot, then carry
            # on. No send of this chain is in flight any more (the run waited for them): what it had claimed is
            # handed back at once, to be asked about first where it may have been sent.
            if not is_outage(error) or not wait_out_outage(chain, deadline=deadline, step=conf.lease_renewal_seconds):
                raise
            deliverer.hand_back_claims()
            if chain.lost:
                break  # presumed dead meanwhile and replaced: the replacement carries on
            logger.warning("Delivery chain %d: the database and Redis answer again, carrying on", slot)
    if processed:
        logger.info("Delivery chain %d: %d sent or tried", slot, processed)
    return processed


def run_again(chain: ChainSlot, summary: RunSummary, *, slot: int, conf: NotificationSettings, deadline: float) -> bool:
    """After a run: True to run again at once (after waiting for a retry due soon); else the chain stops, having
    queued its next run if it needs one."""
    if chain.lost:
        return False  # presumed dead and replaced: the replacement carries on
    if summary.out_of_time or summary.handed_over:
        # Give the worker back (to a periodic job, or between long runs); the next run carries on at once.
        chain.hand_on()
        deliver_notifications.enqueue(slot=slot)
        return False
    due = next_due_at(conf)
    if due is None:
        chain.release()
        # Work queued while this chain held the slot, whose own chain saw it held and stopped: look once more.
        return claimable_now(conf) and chain.take()
    wait = (due - timezone.now()).total_seconds()
    if wait > SHORT_WAIT_SECONDS or time.monotonic() + wait > deadline:
        chain.release()
        schedule_next_run(slot=slot, due=due)
        return False
    return wait_holding_slot(chain, seconds=wait, step=conf.lease_renewal_seconds)


def wait_holding_slot(chain: ChainSlot, *, seconds: float, step: float) -> bool:
    """Sleeps, renewing the slot's lease; False if another chain took the slot meanwhile."""
    until = time.monotonic() + max(seconds, 0.05)
    while (left := until - time.monotonic()) > 0:
        time.sleep(min(left, step))
        if not chain.renew():
            return False
    return True


def wait_out_outage(chain: ChainSlot, *, deadline: float, step: float) -> bool:
    """Waits until the database and the cache (Redis, with REDIS_URL) answer again, renewing the slot's lease
    whenever the cache answers (`chain.lost` if another chain took the slot meanwhile: no need to wait on); False
    if they do not both answer before the deadline."""
    while time.monotonic() < deadline:
        if not connection.in_atomic_block:  # (a task runs outside one; a test's call inside its transaction)
            connection.close()  # a broken connection is not reused
        try:
            if chain.renew():
                connection.ensure_connection()
            return True
        except Exception as error:
            if not is_outage(error):
                raise
        time.sleep(min(OUTAGE_POLL_SECONDS, step))
    return False


def claimable_now(conf) -> bool:  # type: ignore[no-untyped-def]
    return Notification.objects.claimable(now=timezone.now(), lease=conf.lease).exists()


def schedule_next_run(*, slot: int, due: datetime) -> None:
    run_after = max(due, timezone.now() + timedelta(seconds=1))
    # Several chains of one slot (one per publication) would all pick the same time: schedule it once.
    if cache.add(f"notifications:next-run:{slot}:{int(run_after.timestamp())}", True, timeout=3600):
        deliver_notifications.using(run_after=run_after).enqueue(slot=slot)


def enqueue_delivery() -> None:
    """Starts a chain in every slot that has none running or queued: a running chain takes new work as it comes.
    One read of the cache when every slot has one, as while the outbox is busy: every response write calls this."""
    conf = notification_settings()
    for slot in stalled_slots(conf):
        if ChainSlot(slot, conf).reserve():  # (unless another writer reserved it since)
            deliver_notifications.enqueue(slot=slot)


def restart_stalled_chains() -> list[int]:
    """Starts a chain for every slot without a live one, when messages are due. Returns the slots started."""
    conf = notification_settings()
    idle = stalled_slots(conf)
    if not idle or not claimable_now(conf):
        return []
    started = []
    for slot in idle:
        if ChainSlot(slot, conf).reserve():
            deliver_notifications.enqueue(slot=slot)
            started.append(slot)
    if started:
        logger.warning("Notifications are due and no chain holds slots %s: starting them", started)
    return started
