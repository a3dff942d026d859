"""However many schedulers are started, exactly one runs the periodic jobs; when it dies, a standby takes over."""

import time

import pytest
from django.conf import settings

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
