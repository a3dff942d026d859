"""The RQ worker (`manage.py worker` when REDIS_URL is set), made to ride out a Redis outage (a restart, a
failover) instead of exiting with it.

RQ's own worker leaves its loop on the first lost connection outside its idle wait, and its scheduler of deferred
jobs (a delivery chain's next run) dies with it and is not started again for ten minutes. Here:

- the work loop is started again, in the same process, as soon as Redis answers (`work_through_outages`);
- a job keeps running while Redis is away: the worker keeps watching its work horse rather than leave it behind,
  and a delivery chain waits for Redis itself (respond.notifications.chains);
- RQ's scheduler process waits for Redis and carries on, and the worker retries a lost connection every few
  seconds at most rather than backing off to a minute;
- when the worker starts, and each time it reaches Redis again after losing it, the tasks in
  settings.TASKS_AT_WORKER_START are queued (the delivery sweep), so that work stopped by the outage (a chain
  that died, a publication whose chains could not be queued) starts again at once, not at the scheduler's next
  tick.
"""

import logging
import signal
import time
from typing import Any

import redis
from django.conf import settings
from django_rq.utils import reset_db_connections
from django_rq.workers import get_worker
from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT
from rq.logutils import setup_loghandlers
from rq.scheduler import RQScheduler
from rq.worker import Worker

from respond.core.queues import queue_start_tasks

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (redis.ConnectionError, redis.TimeoutError)  # BusyLoadingError (Redis reading its file) included
REDIS_POLL_SECONDS = 0.5
# A loop that stops again this soon, Redis answering, is failing for another reason: wait longer before each start.
QUICK_STOP_SECONDS = 10
MAX_RESTART_DELAY_SECONDS = 30


class OutageTolerantScheduler(RQScheduler):
    """RQ's scheduler process, which moves deferred jobs to their queue when due: it waits for Redis rather than
    die. Its locks expire if the outage outlasts them; its heartbeat takes them again, or drops those another
    worker's scheduler took meanwhile."""

    def work(self) -> None:
        while True:
            try:
                super().work()
                return
            except OUTAGE_ERRORS as error:
                if self._stop_requested:
                    return  # its locks expire by themselves
                self.log.warning("Scheduler %s: Redis is out of reach (%s); waiting for it", self.name, error)
                while not self._stop_requested and not redis_answers(self.connection):
                    time.sleep(REDIS_POLL_SECONDS)


class OutageTolerantWorker(Worker):
    # RQ doubles the wait between attempts to reach Redis up to a minute; a worker should be back within seconds.
    max_connection_wait_time = 2.0

    stop_asked = False
    lost_redis = False  # since it last reached Redis: the start tasks are queued again when it does

    def request_stop(self, signum: Any, frame: Any) -> None:
        self.stop_asked = True
        super().request_stop(signum, frame)

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        # Without a pipeline it reaches Redis at once: RQ's idle loop calls it first each time it tries again.
        try:
            super().heartbeat(timeout, pipeline)
        except OUTAGE_ERRORS:
            self.lost_redis = True
            raise
        if self.lost_redis and pipeline is None:
            self.log.warning("Worker %s: Redis answers again", self.name)
            queue_start_tasks()
            self.lost_redis = False

    def maintain_heartbeats(self, job: Any, execution: Any) -> None:
        try:
            super().maintain_heartbeats(job, execution)
        except OUTAGE_ERRORS as error:
            # The work horse carries on without Redis (RQ would leave it running unwatched): keep watching it.
            self.log.warning("Worker %s: Redis is out of reach (%s) while job %s runs", self.name, error, job.id)
            self.lost_redis = True

    def _start_scheduler(
        self,
        burst: bool = False,
        logging_level: Any = "INFO",
        date_format: str = DEFAULT_LOGGING_DATE_FORMAT,
        log_format: str = DEFAULT_LOGGING_FORMAT,
    ) -> None:
        # RQ's own, with the scheduler that waits for Redis.
        self.scheduler = OutageTolerantScheduler(
            self.queues,
            connection=self.connection,
            logging_level=logging_level if logging_level is not None else self.log.level,
            date_format=date_format,
            log_format=log_format,
            serializer=self.serializer,
        )
        self.scheduler.acquire_locks()
        if not self.scheduler.acquired_locks:
            return
        if burst:
            try:
                self.scheduler.register_birth()
                self.scheduler.enqueue_scheduled_jobs()
            finally:
                self.scheduler.release_locks()
                self.scheduler.register_death()
        else:
            self.scheduler.start()


def work_through_outages(queue_names: list[str], *, burst: bool = False, verbosity: int = 1) -> None:
    level = "DEBUG" if verbosity >= 2 else "WARNING" if verbosity == 0 else "INFO"
    setup_loghandlers(level)
    connection = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5, socket_timeout=5)
    previous: OutageTolerantWorker | None = None
    restart_delay = 0.0
    while True:
        if not redis_answers(connection):
            logger.warning("Waiting for Redis before taking tasks")
            while not redis_answers(connection):
                time.sleep(REDIS_POLL_SECONDS)
            logger.warning("Redis answers: taking tasks")
        started = time.monotonic()
        worker: OutageTolerantWorker | None = None
        try:
            if previous is not None:
                retire(previous)
                previous = None
            queue_start_tasks()
            worker = new_worker(queue_names)
            reset_db_connections()  # none shared with the work horses RQ forks
            worker.work(burst=burst, with_scheduler=True, logging_level=level)
        except OUTAGE_ERRORS as error:
            if burst:
                raise
            logger.warning("The worker lost Redis (%s)", error)
        if burst or (worker is not None and worker.stop_asked):
            return
        # The loop stopped by itself (Redis went away, or another error it logged): start it again. Until then a
        # signal stops the process at once, as it would before the first start.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        previous = worker or previous
        stopped_quickly = time.monotonic() - started < QUICK_STOP_SECONDS and redis_answers(connection)
        restart_delay = min(max(1.0, restart_delay * 2), MAX_RESTART_DELAY_SECONDS) if stopped_quickly else 0.0
        time.sleep(restart_delay)


def new_worker(queue_names: list[str]) -> OutageTolerantWorker:
    worker = get_worker(*queue_names, worker_class=OutageTolerantWorker, job_class="django_tasks_rq.Job")
    assert isinstance(worker, OutageTolerantWorker)
    return worker


def retire(worker: OutageTolerantWorker) -> None:
    """What an RQ worker whose loop stopped without Redis could not do: say it is gone, and free its scheduler's
    locks (its process was stopped) so that the next loop's scheduler takes them at once."""
    worker.register_death()
    if worker.scheduler is not None:
        worker.scheduler.release_locks()


def redis_answers(connection: redis.Redis) -> bool:
    """Redis answers (and has finished loading its data)."""
    try:
        return bool(connection.ping())
    except OUTAGE_ERRORS:
        return False
