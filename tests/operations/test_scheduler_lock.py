"""However many schedulers are started, exactly one runs the periodic jobs; when it dies, a standby takes over."""

import time

import pytest
from django.conf import settings

from respond.core.scheduler_lock import LOCK_NAME
from tests.support.processes import ProcessSet, ServiceProcess
from tests.support.servers import RedisServer

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
# The lock each configuration uses: Redis when REDIS_URL is set, else PostgreSQL's advisory lock, else (SQLite)
# a file lock. Each configuration the suite runs on tests what it can reach.
LOCKS = (["redis"] if settings.REDIS_URL else []) + (["postgresql"] if ON_POSTGRESQL else ["file"])
# The Redis lock's life here (SCHEDULER_LOCK_SECONDS, 10 s by default), renewed every 3 s: the waits for it to
# expire are that much shorter.
LOCK_SECONDS = 6


def active_and_standby(processes: ProcessSet) -> tuple[ServiceProcess, ServiceProcess]:
    """Two schedulers started together (one Django start's wait, not two): one takes the lock, the other stands by."""
    schedulers = [processes.start("scheduler"), processes.start("scheduler")]
    deadline = time.monotonic() + 90
    while True:
        logs = [scheduler.output() for scheduler in schedulers]
        taken = [s for s, log in zip(schedulers, logs, strict=True) if "Scheduler lock taken" in log]
        standing_by = [s for s, log in zip(schedulers, logs, strict=True) if "Standing by: another scheduler" in log]
        if len(taken) + len(standing_by) == 2:
            break
        if time.monotonic() > deadline or not all(scheduler.alive() for scheduler in schedulers):
            raise AssertionError("\n---\n".join(log[-3000:] for log in logs))
        time.sleep(0.2)
    assert len(taken) == 1, "\n---\n".join(logs)
    [active], [standby] = taken, standing_by
    active.wait_for_output("Starting scheduler")
    return active, standby


@pytest.mark.parametrize("lock", LOCKS)
def test_one_scheduler_runs_and_a_standby_takes_over_when_it_dies(process_set, lock):
    lock_env = {"SCHEDULER_LOCK_SECONDS": str(LOCK_SECONDS)} if lock == "redis" else {"REDIS_URL": ""}
    active, standby = active_and_standby(process_set(**lock_env))
    time.sleep(3)
    assert "Scheduler lock taken" not in standby.output()
    assert standby.alive()

    active.kill()  # SIGKILL: no chance to release the lock
    # Redis: the dead scheduler's lock expires (LOCK_SECONDS); PostgreSQL and the file: released at once.
    standby.wait_for_output("Scheduler lock taken", timeout=45)
    standby.wait_for_output("Starting scheduler")


def is_active(scheduler) -> bool:
    """Its log's last word on the lock is that it took it (a scheduler that lost it stands by afresh)."""
    log = scheduler.output()
    return scheduler.alive() and log.rfind("Scheduler lock taken") > max(
        log.rfind("Standing by"), log.rfind("Scheduler lock lost")
    )


@pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis lock: runs in the PostgreSQL + Redis suite")
def test_the_schedulers_ride_out_a_redis_restart_and_one_stays_active(process_set):
    redis_server = RedisServer().start()
    try:
        active, standby = active_and_standby(
            process_set(REDIS_URL=redis_server.url, SCHEDULER_LOCK_SECONDS=str(LOCK_SECONDS))
        )

        redis_server.stop()
        time.sleep(LOCK_SECONDS + 2)  # longer than the lock lasts: it expires while Redis is down
        redis_server.start()

        # The active one renews it or takes it again; or the standby takes it first and the other stands by.
        deadline = time.monotonic() + 45
        while sum(map(is_active, (active, standby))) != 1 or not redis_server_holds_the_lock(redis_server):
            assert time.monotonic() < deadline, f"{active.output()[-3000:]}\n---\n{standby.output()[-3000:]}"
            time.sleep(0.5)
        time.sleep(LOCK_SECONDS // 2 + 1)  # past the next renewal: still exactly one
        assert sum(map(is_active, (active, standby))) == 1
        # Neither process exited (before, the active one did, for compose to start it again).
        assert active.alive()
        assert standby.alive()
    finally:
        redis_server.remove()


def redis_server_holds_the_lock(server) -> bool:
    import redis

    return redis.Redis(port=server.port).get(LOCK_NAME) is not None
