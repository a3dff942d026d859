"""What the fault test runs against, all on loopback and all its own: a PostgreSQL and a Redis server it may stop
and start, the local Notify server, and the production process set (scripts/process.sh): two web processes, two
task workers (RQ), and two schedulers (one active, one standby). A supervisor restarts a worker or scheduler that
exits, as compose's `restart: unless-stopped` would; web processes are never restarted."""

import contextlib
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.notify_server import NotifyServer
from tests.support.processes import ProcessSet, ServiceProcess, process_environment
from tests.support.servers import PostgresServer, RedisServer


def notify_timeout_seconds(lease: float) -> float:
    """The longest a Notify request may take: a lease must cover two requests and two renewals (conf.py)."""
    return lease / 4


def children(pid: int) -> list[int]:
    """Every process whose parent is `pid` (an RQ work horse runs in a session of its own, so killing the worker's
    process group does not reach it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def kill_with_children(process: ServiceProcess) -> None:
    """SIGKILL, without warning: the process, its group and its children (and theirs)."""
    stack, victims = [process.pid], []
    while stack:
        pid = stack.pop()
        victims.append(pid)
        stack.extend(children(pid))
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.kill()


@dataclass
class Supervisor:
    """Restarts workers and schedulers that exit. An exit the test caused is `replaced`; any other is `crashed`."""

    processes: list[ServiceProcess]
    replaced: int = 0
    crashed: list[str] = field(default_factory=list)
    _expected: set[int] = field(default_factory=set)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> "Supervisor":
        threading.Thread(target=self._watch, name="supervisor", daemon=True).start()
        return self

    def expect_exit(self, process: ServiceProcess) -> None:
        with self._lock:
            self._expected.add(process.pid)

    def stop(self) -> None:
        self._stop.set()

    def _watch(self) -> None:
        while not self._stop.wait(0.25):
            for process in self.processes:
                if process.alive():
                    continue
                with self._lock:
                    expected = process.pid in self._expected
                    if expected:
                        self.replaced += 1
                    else:
                        self.crashed.append(f"{process.role} {process.pid} (exit {process.popen.returncode})")  # type: ignore[union-attr]
                if not expected:
                    print(f"  [supervisor] {process.role} {process.pid} exited by itself: restarting it", flush=True)
                process.start()


@dataclass
class World:
    work: Path
    postgres: PostgresServer
    redis: RedisServer
    notify: NotifyServer
    database_url: str
    processes: ProcessSet
    webs: list[ServiceProcess]
    workers: list[ServiceProcess]
    schedulers: list[ServiceProcess]
    supervisor: Supervisor

    def active_scheduler(self, timeout: float = 60) -> ServiceProcess:
        """The scheduler holding the lock: alive, and its log's last word on the lock is that it took it (a
        restarted scheduler's log keeps its earlier life's lines)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for scheduler in self.schedulers:
                log = scheduler.output()
                if scheduler.alive() and log.rfind("Scheduler lock taken") > log.rfind("Standing by"):
                    return scheduler
            time.sleep(0.2)
        raise SystemExit("No scheduler took the lock")

    def stop(self) -> None:
        self.supervisor.stop()
        self.processes.stop()
        self.notify.stop()
        self.redis.remove()
        self.postgres.remove()


def process_env(database_url: str, redis: RedisServer, notify: NotifyServer, *, lease: float) -> dict[str, str]:
    return process_environment(
        database=database_url,
        redis=redis.url,
        APP_ENV="development",
        DEBUG="0",
        LOG_LEVEL="WARNING",
        LOG_FORMAT="json",
        **notify.client_environment,
        # The local Notify has no limit of its own: how fast the workers can go is what a run measures.
        NOTIFY_RATE_LIMIT_PER_MINUTE="60000",
        NOTIFY_TIMEOUT_SECONDS=str(notify_timeout_seconds(lease)),
        NOTIFY_LEASE_SECONDS=str(lease),
        NOTIFY_LEASE_RENEWAL_SECONDS=str(lease / 4),
        # Production's backoff, capped at a minute so that a run ends soon after an outage: ten attempts still
        # span more than three minutes, longer than any outage here.
        NOTIFY_RETRY_MAX_SECONDS="60",
        WEB_CONCURRENCY="2",
        WEB_THREADS="4",
    )


def start_processes(world_env: dict[str, str], log_dir: Path) -> tuple[ProcessSet, list, list, list]:
    processes = ProcessSet(world_env, log_dir)
    webs = [processes.start("web") for _ in range(2)]
    workers = [processes.start("worker") for _ in range(2)]
    schedulers = [processes.start("scheduler")]
    schedulers[0].wait_for_output("Scheduler lock taken")
    schedulers.append(processes.start("scheduler"))
    schedulers[1].wait_for_output("Standing by")
    for web in webs:
        web.wait_until_serving()
    for worker in workers:
        worker.wait_for_output("Listening on")
    return processes, webs, workers, schedulers
