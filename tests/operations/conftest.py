import gc
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection

from tests.notifications.conftest import notify  # noqa: F401 - the local Notify, for these tests too
from tests.support.processes import ProcessSet, database_url, process_environment, stop_together


@dataclass
class SharedDatabase:
    """The test database, reachable from processes the test starts: PostgreSQL's test database itself (with data
    committed, so transactional tests), or for SQLite a file copy of the in-memory test database made by
    `publish()` once the test's data is written."""

    url: str
    publish: Callable[[], None]


@pytest.fixture
def shared_database(transactional_db, tmp_path) -> SharedDatabase:
    # A parameter, not request.getfixturevalue(): that way, in a run whose first test is this one's, the test
    # database would not be set up yet, and the processes would be given the real one.
    if connection.vendor == "postgresql":
        return SharedDatabase(database_url(connection.settings_dict), lambda: None)
    # In the whole SQLite suite an earlier test's in-process database worker leaves a lock on the in-memory test
    # database, and the copy below then waits for ever (seen in CI). These tests run in the PostgreSQL suite.
    pytest.skip("needs a database other processes can reach: runs in the PostgreSQL + Redis suite (.ci/run)")
    path = tmp_path / "service.sqlite3"

    def publish() -> None:
        connection.ensure_connection()
        # Known limit: after a database task worker has run in this process (test_task_logs.py runs one, and is
        # named to run after the tests here that publish), the copy waits for ever on a lock it left.
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()

    return SharedDatabase(f"sqlite:///{path}", publish)


@pytest.fixture
def process_set(shared_database, tmp_path):
    """process_set(**env) -> a ProcessSet on the shared database (and the test's Redis, when it has one)."""
    started: list[ProcessSet] = []

    def _process_set(**extra_env: str) -> ProcessSet:
        env = process_environment(database=shared_database.url, redis=settings.REDIS_URL or "", **extra_env)
        processes = ProcessSet(env, tmp_path / "logs")
        started.append(processes)
        return processes

    yield _process_set
    # A web process stopping waits (about 2 s) for connections still open to it: requests' answers that the test
    # kept hold theirs until they are freed, and reference cycles keep them until the next garbage collection.
    gc.collect()
    stop_together([process for processes in started for process in processes.processes])
