"""The worker's side of the outbox: claim due rows, send them within the shared rate limit, record the outcome.

Exactly once: a row is claimed (status "sending", claimed_by, claimed_at) in a short transaction that other
workers skip (SKIP LOCKED on PostgreSQL; on SQLite every transaction is BEGIN IMMEDIATE). A worker starts
no send from a claim older than half the claim timeout, and only a claim older than the whole timeout is
taken over; the new owner first asks Notify, by the row's reference, whether the message was sent.
"""

import itertools
import logging
import os
import random
import socket
import time
import uuid
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from respond.notifications.channels import Channels, DeliveryError, SendResult, TransientError
from respond.notifications.conf import NotificationSettings
from respond.notifications.messages import Message, render_message
from respond.notifications.models import Notification, Status
from respond.notifications.ratelimit import TokenBucket

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "notifications:delivery:heartbeat"


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


class Deliverer:
    def __init__(
        self, *, conf: NotificationSettings, channels: Channels, bucket: TokenBucket, worker_id: str | None = None
    ) -> None:
        self.conf = conf
        self.channels = channels
        self.bucket = bucket
        self.worker_id = worker_id or new_worker_id()
        self.tokens = 0  # granted by the bucket and not yet spent
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
                batch = self.claim()
                if not batch:
                    return summary
                cache.set(HEARTBEAT_KEY, time.time(), timeout=600)
                summary.processed += sum(outcome.started for outcome in self.deliver(batch, pool))

    def claim(self) -> list[Notification]:
        now = timezone.now()
        with transaction.atomic():
            candidates = list(
                Notification.objects.claimable(now=now, claim_timeout=self.conf.claim_timeout)
                .select_for_update(skip_locked=True)
                .order_by("priority", "next_attempt_at")
                .values_list("id", "status")[: self.conf.batch_size]
            )
            if not candidates:
                return []
            ids = [pk for pk, _ in candidates]
            Notification.objects.filter(id__in=ids).update(
                status=Status.SENDING, claimed_at=now, claimed_by=self.worker_id
            )
            # Claimed before by a worker that never finished: it may have sent them.
            taken_over = [pk for pk, status in candidates if status == Status.SENDING]
            if taken_over:
                logger.warning("Taking over %d notifications from a worker that did not finish", len(taken_over))
                Notification.objects.filter(id__in=taken_over).update(send_uncertain=True)
        return list(
            Notification.objects.filter(id__in=ids, claimed_by=self.worker_id).select_related(
                "alert", "update", "organisation", "composed"
            )
        )

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
        claimed = time.monotonic()
        stop_after = self.conf.claim_timeout.total_seconds() / 2
        pending = deque(Job(n, self.message_for(n), n.send_uncertain) for n in batch)
        running: set[Future[Outcome]] = set()
        outcomes: list[Outcome] = []

        def collect(timeout: float | None) -> None:
            nonlocal running
            done, running = wait(running, timeout=timeout, return_when=FIRST_COMPLETED)
            outcomes.extend(future.result() for future in done)

        while pending:
            if time.monotonic() - claimed > stop_after:
                logger.warning("Claim is getting old: giving back %d notifications", len(pending))
                outcomes.extend(Outcome(job.notification.id, started=False) for job in pending)
                break
            if len(running) >= self.conf.send_concurrency:
                collect(None)
                continue
            needed = 2 if pending[0].ask_first else 1
            if self.tokens < needed:
                # Enough for the next few sends at once: one trip to the shared bucket per few messages.
                ahead = sum(2 if job.ask_first else 1 for job in itertools.islice(pending, self.conf.send_concurrency))
                grant = self.bucket.take(ahead - self.tokens)
                self.tokens += grant.tokens
                if self.tokens < needed:
                    pause = max(grant.wait_seconds, 0.005)
                    if running:
                        collect(pause)
                    else:
                        time.sleep(pause)
                    continue
            self.tokens -= needed
            running.add(pool.submit(self.send_one, pending.popleft()))
        while running:
            collect(None)
        self.record(outcomes, {n.id: n for n in batch})
        return outcomes

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
        now = timezone.now()
        with transaction.atomic():
            for outcome in outcomes:
                # Only rows still ours: a delivery receipt may already have moved a row on.
                mine = Notification.objects.filter(pk=outcome.notification_id, claimed_by=self.worker_id).filter(
                    status=Status.SENDING
                )
                release = {"claimed_at": None, "claimed_by": ""}
                if not outcome.started:
                    mine.update(status=Status.QUEUED, **release)
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
                    assert outcome.error is not None
                    mine.update(**self._failure(outcome, claimed[outcome.notification_id], now), **release)

    def _failure(self, outcome: Outcome, notification: Notification, now: datetime) -> dict:
        error = outcome.error
        assert error is not None
        attempts = notification.attempts + 1
        if not isinstance(error, TransientError):
            return {"status": Status.FAILED, "error": error.message, "attempts": attempts}
        if attempts >= self.conf.max_attempts:
            return {
                "status": Status.FAILED,
                "error": f"Gave up after {attempts} attempts. The last error: {error.message}",
                "attempts": attempts,
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
        }


def next_due_at(conf: NotificationSettings) -> datetime | None:
    """When the next row becomes claimable: a retry falling due, or a claim timing out."""
    retry = Notification.objects.filter(status=Status.QUEUED).aggregate(at=Min("next_attempt_at"))["at"]
    claim = Notification.objects.filter(status=Status.SENDING).aggregate(at=Min("claimed_at"))["at"]
    times = [t for t in (retry, claim + conf.claim_timeout if claim else None) if t is not None]
    return min(times) if times else None


def recently_active(seconds: float) -> bool:
    beat = cache.get(HEARTBEAT_KEY)
    return beat is not None and time.time() - float(beat) < seconds
