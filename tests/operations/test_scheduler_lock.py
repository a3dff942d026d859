"""However many schedulers are started, exactly one runs the periodic jobs; when it dies, a standby takes over."""

import time

import pytest
from django.conf import settings

from respond.core.scheduler_lock import LOCK_NAME
from tests.support.servers import RedisServer

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
# The lock each configuration uses: Redis when REDIS_URL is set, else PostgreSQL's advisory lock, else (SQLite)
# a file lock. Each configuration the suite runs on tests what it can reach.
LOCKS = (["redis"] if settings.REDIS_URL else []) + (["postgresql"] if ON_POSTGRESQL else ["file"])


@pytest.mark.parametrize("lock", LOCKS)
def test_one_scheduler_runs_and_a_standby_takes_over_when_it_dies(process_set, lock):
    processes = process_set(**({} if lock == "redis" else {"REDIS_URL": ""}))
    active = processes.start("scheduler")
    active.wait_for_output("Scheduler lock taken")
    active.wait_for_output("Starting scheduler")
    standby = processes.start("scheduler")
    standby.wait_for_output("Standing by: another scheduler is active")
    time.sleep(3)
    assert "Scheduler lock taken" not in standby.output()
    assert standby.alive()

    active.kill()  # SIGKILL: no chance to release the lock
    # Redis: the dead scheduler's lock expires (LOCK_TIMEOUT, 10 s); PostgreSQL and the file: released at once.
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
        processes = process_set(REDIS_URL=redis_server.url)
        active = processes.start("scheduler")
        active.wait_for_output("Starting scheduler")
        standby = processes.start("scheduler")
        standby.wait_for_output("Standing by: another scheduler is active")

        redis_server.stop()
        time.sleep(12)  # longer than the lock's 10 s: it expires while Redis is down
        redis_server.start()

        # The active one renews it or takes it again; or the standby takes it first and the other stands by.
        deadline = time.monotonic() + 45
        while sum(map(is_active, (active, standby))) != 1 or not redis_server_holds_the_lock(redis_server):
            assert time.monotonic() < deadline, f"{active.output()[-3000:]}\n---\n{standby.output()[-3000:]}"
            time.sleep(0.5)
        time.sleep(6)  # past the next renewal: still exactly one
        assert sum(map(is_active, (active, standby))) == 1
        # Neither process exited (before, the active one did, for compose to start it again).
        assert active.alive()
        assert standby.alive()
    finally:
        redis_server.remove()


def redis_server_holds_the_lock(server) -> bool:
    import redis

    return redis.Redis(port=server.port).get(LOCK_NAME) is not None
