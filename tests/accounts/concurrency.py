"""Two operations racing on PostgreSQL: the first holds its transaction open until the second waits on a lock."""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

LOCK_WAIT_TIMEOUT_SECONDS = 10

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks (SELECT ... FOR UPDATE) need PostgreSQL"
)


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        # Read inside the first operation's transaction, pg_stat_activity would show the snapshot of its first
        # reading until the transaction ends: the second's wait was never seen, and every race took the whole
        # timeout. A fresh snapshot each time.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def _wait_until_second_is_blocked(stop: threading.Event) -> None:
    deadline = time.monotonic() + LOCK_WAIT_TIMEOUT_SECONDS
    while time.monotonic() < deadline and not stop.is_set():
        if _someone_waits_for_a_lock():
            return
        stop.wait(0.01)


def race(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
    """Each operation's result, or the exception it raised. `second` starts once `first` has done its work but not
    committed; `first` commits once `second` is blocked (or after a timeout, if it never blocks)."""
    first_done = threading.Event()
    second_done = threading.Event()
    results: dict[str, Any] = {}

    def run_first() -> None:
        try:
            with transaction.atomic():
                results["first"] = first()
                first_done.set()
                _wait_until_second_is_blocked(second_done)
        except Exception as error:
            results["first"] = error
        finally:
            first_done.set()
            connection.close()

    def run_second() -> None:
        first_done.wait(LOCK_WAIT_TIMEOUT_SECONDS)
        try:
            results["second"] = second()
        except Exception as error:
            results["second"] = error
        finally:
            second_done.set()
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(LOCK_WAIT_TIMEOUT_SECONDS * 3)
    return results["first"], results["second"]
