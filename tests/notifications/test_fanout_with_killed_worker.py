"""Fan-out to 2,000 recipients through real worker processes, with Notify answering 429 and 500 now and then
and one worker killed (SIGKILL) mid-run: every message reaches Notify exactly once, the killed worker's claims are
taken over when their lease runs out (seconds, not the minutes a claim timeout took), and the killed chain is
started again, so two chains send side by side once more.

The workers are `manage.py db_worker` processes, or `manage.py rqworker --with-scheduler` when REDIS_URL is
set, sharing this test's database: PostgreSQL's test database, or on SQLite a file copied from the in-memory
test database (in-memory databases cannot be shared between processes).
"""

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from respond.accounts.models import Membership, Role, User
from respond.notifications import services
from respond.notifications.models import Notification, Status, UserContactDetails
from respond.notifications.slots import STARTING, slot_key
from tests.factories import OrganisationFactory
from tests.notifications.conftest import make_alert
from tests.support.notify_server import NotifyServer
from tests.support.processes import claimant_pid, parent_pid

RECIPIENTS = 2000
TEXTING = 50  # of them also opted in to text messages: the alert is a major incident
ORGANISATIONS = 20
LEASE_SECONDS = 4
BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def dummy_tasks():
    """This test enqueues on the real queue, for real workers."""


@contextmanager
def sqlite_file_copy(path: Path):
    """Points the default connection at a file copy of the in-memory test database, then back."""
    connection.ensure_connection()
    memory = connection.connection
    with sqlite3.connect(path) as target:
        memory.backup(target)
    name = connection.settings_dict["NAME"]
    connection.connection = None  # keep the in-memory database open for the rest of the suite
    connection.settings_dict["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


@pytest.fixture
def shared_database(tmp_path):
    """A database URL the worker processes can open: the test database itself, or a file copy of it."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
        yield f"postgres://{quote(db['USER'])}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        return
    assert connection.is_in_memory_db(), "expected the in-memory SQLite test database"
    with sqlite_file_copy(tmp_path / "fanout.sqlite3") as url:
        yield url


@pytest.fixture
def clean_queue():
    if not settings.REDIS_URL:
        return
    import redis

    # The suite's own Redis database: drop jobs and rate-limit state left by earlier runs.
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


def recipients() -> list:
    organisations = [OrganisationFactory() for _ in range(ORGANISATIONS)]
    users = User.objects.bulk_create(
        User(email=f"person{n}@trust{n % ORGANISATIONS}.nhs.uk", full_name=f"Person {n}", password="!")
        for n in range(RECIPIENTS)
    )
    Membership.objects.bulk_create(
        Membership(user=user, organisation=organisations[n % ORGANISATIONS], role=Role.RESPONDER)
        for n, user in enumerate(users)
    )
    UserContactDetails.objects.bulk_create(
        UserContactDetails(user=user, mobile_number=f"+4477009{n:05d}", sms_opt_in=True)
        for n, user in enumerate(users[:TEXTING])
    )
    return organisations


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    if settings.REDIS_URL:
        command = ["rqworker", "default", "--job-class", "django_tasks_rq.Job", "--with-scheduler"]
    else:
        command = ["db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"]
    return subprocess.Popen(
        [sys.executable, "manage.py", *command],
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        # Its own process group: rqworker --with-scheduler forks a scheduler that must die with it.
        start_new_session=True,
    )


def kill_group(worker: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, sig)


def alive(pid: int) -> bool:
    return parent_pid(pid) is not None


def wait_for(condition, *, within: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {what}. The workers said:\n{log.read_text()[-5000:]}")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_every_message_is_sent_exactly_once_despite_faults_and_a_killed_worker(shared_database, clean_queue, tmp_path):
    notify = NotifyServer(latency=0.004, timeout_seconds=2).start()
    notify.fail_every(101, kind="accept_then_500")  # Notify stored it, but said it failed
    notify.fail_every(13, status=429)
    notify.fail_every(31, status=500)
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "tests.support.notify_settings",
        "DATABASE_URL": shared_database,
        **notify.client_environment,
        "NOTIFY_TIMEOUT_SECONDS": "1",
        "NOTIFY_LEASE_SECONDS": str(LEASE_SECONDS),
        "NOTIFY_LEASE_RENEWAL_SECONDS": "1",
        "NOTIFY_RETRY_BASE_SECONDS": "0.2",
        "NOTIFY_RETRY_MAX_SECONDS": "1",
        "NOTIFY_MAX_ATTEMPTS": "20",
        "NOTIFY_RATE_LIMIT_PER_MINUTE": "60000",
        "NOTIFY_SEND_CONCURRENCY": "4",
        "NOTIFY_BATCH_SIZE": "50",
        "NOTIFY_PARALLEL_TASKS": "2",
    }
    workers = []
    try:
        alert = make_alert(organisations=recipients(), major_incident=True)
        with transaction.atomic():
            expected = services.notifications_for_alert(alert=alert)
        assert expected == RECIPIENTS + 2 * TEXTING

        log = tmp_path / "workers.log"
        workers = [start_worker(env, log), start_worker(env, log)]
        victim = workers[0]

        senders: set[int] = set()

        def claimants() -> set[int]:
            claims = Notification.objects.filter(status=Status.SENDING).values_list("claimed_by", flat=True)
            return {claimant_pid(claimed_by) for claimed_by in set(claims)}

        def signal_all(pids: set[int], sig: int) -> None:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)

        def victim_frozen_mid_batch() -> bool:
            """The first worker stopped (SIGSTOP) while it holds claims: seen sending, it could otherwise finish its
            batch between being seen and being killed, on a busy machine, and leave no claim to take over."""
            # The sending process is the worker itself (db_worker) or its work-horse child (rqworker).
            senders.update(pid for pid in claimants() if victim.pid in (pid, parent_pid(pid)))
            if len(notify.records) < 400 or not senders:
                return False
            frozen = {victim.pid, *senders}
            signal_all(frozen, signal.SIGSTOP)
            if claimants() & senders:
                return True
            signal_all(frozen, signal.SIGCONT)
            return False

        wait_for(victim_frozen_mid_batch, within=40, what="the first worker to be sending", log=log)
        for pid in {victim.pid, *senders}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        victim.wait(timeout=10)
        assert victim.returncode == -signal.SIGKILL
        killed_at = timezone.now()
        wait_for(lambda: not any(alive(pid) for pid in senders), within=10, what="the worker to die", log=log)
        # Claims whose process is gone: the killed worker's. It marked those it may have sent.
        claims = Notification.objects.filter(status=Status.SENDING).values_list("pk", "claimed_by", "send_uncertain")
        orphaned = {pk: marked for pk, claimed_by, marked in claims if not alive(claimant_pid(claimed_by))}
        kill_group(victim, signal.SIGKILL)  # and the scheduler process rqworker forked, left running otherwise
        workers.append(start_worker(env, log))

        def two_live_chains() -> bool:
            holders = cache.get_many([slot_key(0), slot_key(1)]).values()
            pids = {claimant_pid(holder) for holder in holders if holder != STARTING}
            return len(pids) == 2 and all(alive(pid) for pid in pids) and not senders & pids

        # The killed chain's slot is started again (on the new worker): full parallelism after the crash.
        wait_for(two_live_chains, within=30, what="two live delivery chains after the crash", log=log)

        def all_sent() -> bool:
            return not Notification.objects.exclude(status=Status.SENT).exists()

        wait_for(all_sent, within=45, what="every message to be sent", log=log)
    finally:
        for worker in workers:
            kill_group(worker, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                kill_group(worker, signal.SIGKILL)
        notify.stop()

    rows = list(Notification.objects.all())
    assert len(rows) == expected
    # Exactly once: Notify holds one message per row, and each row points at it.
    assert notify.references() == {row.reference: 1 for row in rows}
    by_reference = {record.reference: record.id for record in notify.records}
    assert all(row.provider_id == by_reference[row.reference] for row in rows)
    statuses = [seen.status for seen in notify.requests if seen.method == "POST"]
    assert statuses.count(429) > 50
    assert statuses.count(500) > 50
    assert Notification.objects.filter(attempts__gt=1).count() > 100
    # The killed worker's claims were taken over once their lease ran out, Notify asked first about each it marked.
    assert orphaned
    lookups = [seen for seen in notify.requests if seen.method == "GET" and seen.path == "/v2/notifications"]
    assert len(lookups) >= sum(orphaned.values())
    taken_over = Notification.objects.filter(pk__in=orphaned)
    out_after = max(taken_over.values_list("sent_at", flat=True)) - killed_at
    # The lease, then retries of Notify's injected faults, on a busy machine: the old claim timeout alone was 300 s.
    assert out_after < timedelta(seconds=LEASE_SECONDS + 40), out_after
