"""A task worker rides out a Redis outage: the process never exits, the delivery chain it was running waits for
Redis and sends again within seconds of its return, and every message still goes exactly once. A worker started
while Redis is down waits for it, then starts delivery by itself (the sweep it queues when it starts).

Real processes (`scripts/process.sh worker`) on a Redis server of the test's own that it stops and starts, the
local Notify, and the test database. No scheduler runs: nothing but the worker itself can start delivery again."""

import time
from collections.abc import Callable

import pytest

from respond.accounts.models import Membership, Role, User
from respond.notifications.models import Notification, Status
from respond.notifications.outbox import insert_outbox_rows
from tests.factories import OrganisationFactory
from tests.notifications.conftest import make_alert
from tests.support.notify_server import NotifyServer
from tests.support.processes import ServiceProcess
from tests.support.servers import RedisServer

DOWN_SECONDS = 3
RESUMED_WITHIN_SECONDS = 10  # the goal: like a database restart's, not the minute and more of the next sweep


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.remove()


@pytest.fixture
def slow_notify():
    """Notify answering each send in 50 ms: a few hundred messages take the worker seconds, time to break Redis."""
    server = NotifyServer(latency=0.05, timeout_seconds=2).start()
    yield server
    server.stop()


def start_worker(process_set, redis_server: RedisServer, notify: NotifyServer) -> ServiceProcess:
    return process_set(
        REDIS_URL=redis_server.url,
        **notify.client_environment,
        NOTIFY_TIMEOUT_SECONDS="1",
        NOTIFY_LEASE_SECONDS="4",
        NOTIFY_LEASE_RENEWAL_SECONDS="1",
        NOTIFY_RATE_LIMIT_PER_MINUTE="60000",
        NOTIFY_PARALLEL_TASKS="1",
        NOTIFY_SEND_CONCURRENCY="2",
        NOTIFY_BATCH_SIZE="20",
    ).start("worker")


def outbox_rows(people: int) -> int:
    """An alert's outbox rows, written without queueing anything: only the worker can start their delivery."""
    organisation = OrganisationFactory()
    users = User.objects.bulk_create(
        User(email=f"person{n}@outage.nhs.uk", full_name=f"Person {n}", password="!") for n in range(people)
    )
    Membership.objects.bulk_create(
        Membership(user=user, organisation=organisation, role=Role.RESPONDER) for user in users
    )
    return insert_outbox_rows(alert=make_alert(organisations=[organisation]), update=None)


def wait_for(condition: Callable[[], bool], *, within: float, what: str, worker: ServiceProcess) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {what}. The worker said:\n{worker.output()[-5000:]}")
        time.sleep(0.05)


def all_sent() -> bool:
    return not Notification.objects.exclude(status=Status.SENT).exists()


def assert_sent_exactly_once(notify: NotifyServer, expected: int) -> None:
    rows = list(Notification.objects.all())
    assert len(rows) == expected
    assert notify.references() == {row.reference: 1 for row in rows}


def test_a_worker_rides_out_a_redis_restart_and_sends_again_within_seconds(process_set, redis_server, slow_notify):
    expected = outbox_rows(300)
    worker = start_worker(process_set, redis_server, slow_notify)
    wait_for(lambda: len(slow_notify.records) >= 40, within=90, what="the worker to be sending", worker=worker)

    redis_server.stop()
    time.sleep(DOWN_SECONDS)
    assert not all_sent()
    redis_server.start()
    back_at = time.time()

    def sending_again() -> bool:
        return any(seen.at > back_at and seen.status == 201 for seen in slow_notify.requests)

    wait_for(sending_again, within=RESUMED_WITHIN_SECONDS, what="Notify to receive messages again", worker=worker)
    wait_for(all_sent, within=90, what="every message to be sent", worker=worker)

    assert worker.alive(), worker.output()[-5000:]
    assert "the database and Redis answer again, carrying on" in worker.output()
    assert_sent_exactly_once(slow_notify, expected)


def test_a_worker_started_without_redis_waits_for_it_then_starts_delivery(process_set, redis_server, slow_notify):
    expected = outbox_rows(20)
    redis_server.stop()
    worker = start_worker(process_set, redis_server, slow_notify)
    worker.wait_for_output("Waiting for Redis before taking tasks")
    time.sleep(1)
    assert worker.alive()
    assert not slow_notify.records

    redis_server.start()
    wait_for(all_sent, within=60, what="every message to be sent", worker=worker)

    assert worker.alive()
    assert_sent_exactly_once(slow_notify, expected)


def test_an_idle_worker_reaching_redis_again_starts_delivery_of_what_was_published_meanwhile(
    process_set, redis_server, slow_notify
):
    worker = start_worker(process_set, redis_server, slow_notify)
    worker.wait_for_output("Listening on")
    redis_server.stop()
    # Published while Redis was down: the outbox rows are written, their delivery chains could not be queued.
    expected = outbox_rows(20)
    time.sleep(DOWN_SECONDS)
    redis_server.start()

    wait_for(all_sent, within=RESUMED_WITHIN_SECONDS, what="every message to be sent", worker=worker)

    assert worker.alive()
    assert_sent_exactly_once(slow_notify, expected)
