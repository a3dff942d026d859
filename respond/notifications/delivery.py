"""The worker's side of the outbox: claim due rows, send them within the shared rate limit, record the outcome.

Exactly once: a row is claimed (status "sending", claimed_by, claimed_at) in a short transaction that other
workers skip (SKIP LOCKED on PostgreSQL; on SQLite every transaction is BEGIN IMMEDIATE). A claim is a lease:
the worker renews it (claimed_at) every NOTIFY_LEASE_RENEWAL_SECONDS while it sends, and a lease not renewed for
NOTIFY_LEASE_SECONDS is taken over, so a dead worker's messages wait seconds, not minutes. A worker starts no send
unless its lease has time left for the whole send (a look-up, then the send: twice the request timeout), so a
lease is never taken over while its owner may still be sending. Before a message's first request the row is
marked `send_uncertain` (a few rows per write); the new owner of a taken-over row asks Notify, by the row's
reference, whether a marked message was sent, and sends unmarked ones (never started) at once.
"""

import contextvars
import itertools
import logging
import os
import random
import socket
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.db import DatabaseError, transaction
from django.db.models import Case, F, Min, When
from django.utils import timezone

from respond.core import counters
from respond.notifications.channels import Channels, DeliveryError, SendResult, TransientError
from respond.notifications.conf import NotificationSettings
from respond.notifications.messages import Message, render_message
from respond.notifications.models import Notification, Status
from respond.notifications.ratelimit import TokenBucket

logger = logging.getLogger(__name__)


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def retry_delay(attempts: int, *, base: float, cap: float) -> float:
    """Exponential backoff with jitter: between half and all of base * 2^(attempts - 1), at most cap."""
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return random.uniform(delay / 2, delay)


@dataclass
class Job:
    notification: Notification
    message: Message
    ask_first: bool


@dataclass
class Outcome:
    notification_id: UUID
    result: SendResult | None = None
    error: DeliveryError | None = None
    asked: bool = False  # the provider confirmed it had no earlier send
    started: bool = True


@dataclass
class RunSummary:
    processed: int = 0  # sends (or look-ups) tried
    out_of_time: bool = False
    handed_over: bool = False  # stopped between batches when told to (other work waits, or the chain was replaced)


class Deliverer:
    def __init__(
        self,
        *,
        conf: NotificationSettings,
        channels: Channels,
        bucket: TokenBucket,
        lookup_bucket: TokenBucket | None = None,
        worker_id: str | None = None,
        heartbeat: Callable[[], bool] | None = None,
        hand_over: Callable[[], bool] | None = None,
    ) -> None:
        """`bucket` is for sends and `lookup_bucket` for look-ups (the same one when not given). `heartbeat` is
        called with every lease renewal and batch, and returns False when this worker should stop after the batch;
        `hand_over` is asked between batches whether to stop for other work."""
        self.conf = conf
        self.channels = channels
        self.purse = TokenPurse(sends=bucket, lookups=lookup_bucket or bucket)
        self.worker_id = worker_id or new_worker_id()
        self.heartbeat = heartbeat or (lambda: True)
        self.hand_over = hand_over or (lambda: False)
        self.renewed_at = 0.0  # time.monotonic() when this worker's claims were last renewed
        self.stopping = False
        self._messages: dict[tuple, Message] = {}

    def run(self, *, time_limit: float) -> RunSummary:
        """Send batches until nothing is due or time runs out."""
        summary = RunSummary()
        deadline = time.monotonic() + time_limit
        with ThreadPoolExecutor(max_workers=self.conf.send_concurrency, thread_name_prefix="notify") as pool:
            while True:
                if time.monotonic() >= deadline:
                    summary.out_of_time = True
                    return summary
                if not self.heartbeat() or self.stopping or self.hand_over():
                    summary.handed_over = True
                    return summary
                batch = self.claim()
                if not batch:
                    return summary
                summary.processed += sum(outcome.started for outcome in self.deliver(batch, pool))

    def claim(self) -> list[Notification]:
        now = timezone.now()
        renewed_at = time.monotonic()
        with transaction.atomic():
            candidates = list(
                Notification.objects.claimable(now=now, lease=self.conf.lease)
                .select_for_update(skip_locked=True)
                # A lease that ran out first, within each priority: those messages have waited longest.
                .order_by("priority", Case(When(status=Status.SENDING, then=0), default=1), "next_attempt_at")
                .values_list("id", "status")[: self.conf.batch_size]
            )
            if not candidates:
                return []
            ids = [pk for pk, _ in candidates]
            Notification.objects.filter(id__in=ids).update(
                status=Status.SENDING, claimed_at=now, claimed_by=self.worker_id
            )
        self.renewed_at = renewed_at
        # A lease its worker stopped renewing: the rows it marked may have been sent, and will be asked about.
        taken_over = sum(1 for _, status in candidates if status == Status.SENDING)
        if taken_over:
            logger.warning("Taking over %d notifications from a worker that stopped renewing its lease", taken_over)
        return list(
            Notification.objects.filter(id__in=ids, claimed_by=self.worker_id).select_related(
                "alert", "update", "organisation", "composed", "webhook"
            )
        )

    def keep_lease(self) -> bool:
        """Renews this worker's claims when due; True while the lease has time left for a whole send."""
        if time.monotonic() - self.renewed_at >= self.conf.lease_renewal_seconds:
            started = time.monotonic()
            try:
                Notification.objects.filter(claimed_by=self.worker_id, status=Status.SENDING).update(
                    claimed_at=timezone.now()
                )
                self.renewed_at = started
            except DatabaseError:
                logger.exception("Could not renew the lease on claimed notifications")
            if not self.heartbeat():
                self.stopping = True
        return time.monotonic() - self.renewed_at < self.conf.send_window_seconds

    def hand_back_claims(self) -> None:
        """Hands back every row this worker still holds, once none of its sends is in flight (a run broken off by
        an outage): due again at once, for any worker, and asked about first where it may have been sent."""
        Notification.objects.filter(claimed_by=self.worker_id, status=Status.SENDING).update(
            status=Status.QUEUED, claimed_at=None, claimed_by=""
        )

    def until_renewal(self) -> float:
        return max(0.01, self.renewed_at + self.conf.lease_renewal_seconds - time.monotonic())

    def message_for(self, notification: Notification) -> Message:
        if notification.composed is not None:
            return Message(subject=notification.composed.subject, body=notification.composed.body)
        assert notification.alert is not None, "a notification is about an alert or has a composed message"
        for_contact = notification.contact_id is not None
        key = (
            notification.alert_id,
            notification.update_id,
            notification.kind,
            for_contact,
            notification.organisation_id if for_contact else None,
        )
        if key not in self._messages:
            self._messages[key] = render_message(
                alert=notification.alert,
                update=notification.update,
                kind=notification.kind,
                for_contact=for_contact,
                organisation_name=notification.organisation.name if notification.organisation else "",
            )
        return self._messages[key]

    def deliver(self, batch: list[Notification], pool: ThreadPoolExecutor) -> list[Outcome]:
        claimed = {n.id: n for n in batch}
        pending = deque(Job(n, self.message_for(n), n.send_uncertain) for n in batch)
        marked: set[UUID] = set()
        running: set[Future[Outcome]] = set()
        outcomes: list[Outcome] = []
        unrecorded: list[Outcome] = []

        def collect(timeout: float | None) -> None:
            nonlocal running
            done, running = wait(running, timeout=timeout, return_when=FIRST_COMPLETED)
            unrecorded.extend(future.result() for future in done)
            # Recorded a few at a time rather than with the batch: a worker that dies leaves only the last few
            # sends for the next owner to ask Notify about.
            if len(unrecorded) >= self.conf.send_concurrency:
                record()

        def record() -> None:
            self.record(unrecorded, claimed)
            outcomes.extend(unrecorded)
            unrecorded.clear()

        while pending:
            if not self.keep_lease():
                logger.warning("The lease is too old to start a send: giving back %d notifications", len(pending))
                unrecorded.extend(Outcome(job.notification.id, started=False) for job in pending)
                break
            if len(running) >= self.conf.send_concurrency:
                collect(self.until_renewal())
                continue
            job, pause = self.purse.next_job(pending, window=self.conf.send_concurrency)
            if job is None:
                pause = min(pause, self.until_renewal())
                if running:
                    collect(pause)
                else:
                    time.sleep(pause)
                continue
            if not job.ask_first and job.notification.id not in marked:
                marked.update(self.mark_in_flight([job, *itertools.islice(pending, self.conf.send_concurrency - 1)]))
            # In the task's log context (request id and all), which threads do not inherit by themselves.
            running.add(pool.submit(contextvars.copy_context().run, self.send_one, job))
        while running:
            self.keep_lease()
            collect(self.until_renewal())
        record()
        return outcomes

    def mark_in_flight(self, jobs: list[Job]) -> list[UUID]:
        """Marks the rows about to be sent, before their first request: if this worker dies, whoever takes them
        over asks Notify about these, and sends the others at once. One write for the next few sends."""
        ids = [job.notification.id for job in jobs if not job.ask_first]
        Notification.objects.filter(id__in=ids, claimed_by=self.worker_id, status=Status.SENDING).update(
            send_uncertain=True
        )
        return ids

    def send_one(self, job: Job) -> Outcome:
        """Runs in a sending thread: network only, no database."""
        notification = job.notification
        channel = self.channels.for_notification(notification)
        outcome = Outcome(notification.id)
        try:
            if job.ask_first:
                earlier = channel.lookup(notification)
                if earlier is not None:
                    outcome.result = earlier
                    return outcome
                outcome.asked = True
            outcome.result = channel.notify(notification, job.message)
        except DeliveryError as error:
            outcome.error = error
        except Exception as error:
            logger.exception("Unexpected error sending notification %s", notification.id)
            outcome.error = TransientError(f"Unexpected error: {error!r}", uncertain=True)
        return outcome

    def record(self, outcomes: list[Outcome], claimed: dict[UUID, Notification]) -> None:
        if not outcomes:
            return
        now = timezone.now()
        with transaction.atomic():
            for outcome in outcomes:
                # Only rows still ours: a delivery receipt may already have moved a row on.
                mine = Notification.objects.filter(pk=outcome.notification_id, claimed_by=self.worker_id).filter(
                    status=Status.SENDING
                )
                notification = claimed[outcome.notification_id]
                release = {"claimed_at": None, "claimed_by": ""}
                if not outcome.started:
                    # Marked in flight ahead of time, but never sent: only its earlier doubt remains.
                    mine.update(status=Status.QUEUED, send_uncertain=notification.send_uncertain, **release)
                elif outcome.result is not None:
                    mine.update(
                        status=outcome.result.status,
                        provider_id=outcome.result.provider_id,
                        sent_at=now,
                        delivered_at=now if outcome.result.status == Status.DELIVERED else None,
                        error="",
                        send_uncertain=False,
                        attempts=F("attempts") + 1,
                        **release,
                    )
                else:
                    mine.update(**self._failure(outcome, notification, now), **release)
            self.channels.record_attempts()
        count_sends(outcomes, claimed)

    def _failure(self, outcome: Outcome, notification: Notification, now: datetime) -> dict:
        error = outcome.error
        assert error is not None
        attempts = notification.attempts + 1
        # Kept for the delivery page: how long transient errors held a message up.
        first = {"first_failed_at": notification.first_failed_at or now}
        if not isinstance(error, TransientError):
            return {"status": Status.FAILED, "error": error.message, "attempts": attempts, **first}
        if attempts >= self.conf.max_attempts:
            return {
                "status": Status.FAILED,
                "error": f"Gave up after {attempts} attempts. The last error: {error.message}",
                "attempts": attempts,
                **first,
            }
        # If the provider just told us it had no earlier send, only this attempt's doubt remains.
        uncertain = error.uncertain or (notification.send_uncertain and not outcome.asked)
        delay = retry_delay(attempts, base=self.conf.retry_base_seconds, cap=self.conf.retry_max_seconds)
        return {
            "status": Status.QUEUED,
            "error": error.message,
            "attempts": attempts,
            "send_uncertain": uncertain,
            "next_attempt_at": now + timedelta(seconds=delay),
            **first,
        }


class TokenPurse:
    """The rate-limit tokens one worker holds: sends and look-ups from buckets of their own (see ratelimit)."""

    def __init__(self, *, sends: TokenBucket, lookups: TokenBucket) -> None:
        self.send_bucket = sends
        self.lookup_bucket = lookups
        self.sends = 0  # granted and not yet spent
        self.lookups = 0

    def next_job(self, pending: deque[Job], *, window: int) -> tuple[Job | None, float]:
        """Takes the first of the next few jobs the tokens allow off `pending`; else how long to wait. A job that
        must ask first waits for a look-up token without holding up the sends behind it."""
        ahead = list(itertools.islice(pending, window))
        pause = self._top_up(ahead)
        for index, job in enumerate(ahead):
            if self.sends < 1:
                break
            if job.ask_first:
                if self.lookups < 1:
                    continue
                self.lookups -= 1
            self.sends -= 1
            del pending[index]
            return job, 0.0
        return None, pause

    def _top_up(self, ahead: list[Job]) -> float:
        # Enough for the next few jobs at once: one trip to the shared buckets per few messages.
        waits = []
        if self.sends < 1:
            grant = self.send_bucket.take(len(ahead))
            self.sends += grant.tokens
            if self.sends < 1 and self.lookup_bucket is not self.send_bucket:
                self.sends += self.lookup_bucket.take(len(ahead), spare_only=True).tokens
            if self.sends < 1:
                waits.append(grant.wait_seconds)
        lookups = sum(job.ask_first for job in ahead)
        if lookups and self.lookups < 1:
            grant = self.lookup_bucket.take(lookups)
            self.lookups += grant.tokens
            if self.lookups < 1:
                waits.append(grant.wait_seconds)
        return max(min(waits, default=0.0), 0.005)


def next_due_at(conf: NotificationSettings) -> datetime | None:
    """When the next row becomes claimable: a retry falling due, or a lease running out."""
    retry = Notification.objects.filter(status=Status.QUEUED).aggregate(at=Min("next_attempt_at"))["at"]
    claim = Notification.objects.filter(status=Status.SENDING).aggregate(at=Min("claimed_at"))["at"]
    times = [t for t in (retry, claim + conf.lease if claim else None) if t is not None]
    return min(times) if times else None


def count_sends(outcomes: list[Outcome], claimed: dict[UUID, Notification]) -> None:
    """Sends and errors by channel, for the metrics (respond.core.counters, shared by every worker)."""
    sends: dict[str, int] = {}
    errors: dict[tuple[str, str], int] = {}
    for outcome in outcomes:
        if not outcome.started:
            continue
        channel = claimed[outcome.notification_id].channel
        sends[channel] = sends.get(channel, 0) + 1
        if outcome.error is not None:
            kind = "transient" if isinstance(outcome.error, TransientError) else "permanent"
            errors[(channel, kind)] = errors.get((channel, kind), 0) + 1
    for channel, count in sends.items():
        counters.increment("notify_sends", count, channel=channel)
    for (channel, kind), count in errors.items():
        counters.increment("notify_errors", count, channel=channel, kind=kind)
