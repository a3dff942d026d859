"""The production process set (scripts/process.sh), started for tests and for the load test: web (gunicorn),
worker and scheduler processes against a database and Redis that the caller names; and which process sent what,
for the tests and the benchmark that kill a worker while it holds claims."""

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROCESS_SCRIPT = BASE_DIR / "scripts" / "process.sh"
# Compiled templates, shared by every web process the tests and benchmarks start: each then warms up by loading
# them (a tenth of a second) instead of compiling them again (about 2 s of CPU).
TEMPLATE_BYTECODE = BASE_DIR / "var" / "jinja2-bytecode"


def claimant_pid(claimed_by: str) -> int:
    return int(claimed_by.split(":")[1])  # claims read "<host>:<pid>:<random>"


def parent_pid(pid: int) -> int | None:
    """The process's parent, or None when the process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(settings_dict: Mapping[str, Any]) -> str:
    """A DATABASE_URL for Django's settings of a database (the test database, for instance)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict.get("USER") or "")
    password = f":{quote(settings_dict['PASSWORD'])}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def process_environment(*, database: str, redis: str = "", **extra: str) -> dict[str, str]:
    """The environment of a process of the set: ours, less any NOTIFY_ or REDIS_ setting of the caller's."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("NOTIFY_", "REDIS_"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(APP_ENV=env.get("APP_ENV", "test"), DATABASE_URL=database, LOG_LEVEL="INFO", PYTHONUNBUFFERED="1")
    env.setdefault("JINJA2_BYTECODE_CACHE_DIR", str(TEMPLATE_BYTECODE))
    if redis:
        env["REDIS_URL"] = redis
    env.update(extra)
    return env


@dataclass
class ServiceProcess:
    role: str
    env: dict[str, str]
    log: Path
    port: int | None = None
    popen: subprocess.Popen | None = None
    extra_args: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ServiceProcess":
        env = dict(self.env)
        if self.role == "web":
            self.port = self.port or free_port()
            env["BIND"] = f"127.0.0.1:{self.port}"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.popen = subprocess.Popen(
            [str(PROCESS_SCRIPT), self.role, *self.extra_args],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn's workers are stopped with it
        )
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait_for_output(self, pattern: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.output()):
            if time.monotonic() > deadline or not self.alive():
                raise AssertionError(f"{self.role} never printed {pattern!r}:\n{self.output()[-3000:]}")
            time.sleep(0.2)

    def wait_until_serving(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(f"{self.url}/healthz", timeout=5).status_code in (200, 503):
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or not self.alive():
                raise AssertionError(f"web never answered on {self.url}:\n{self.output()[-3000:]}")
            time.sleep(0.3)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """The whole process group (gunicorn's master and workers; an RQ worker and its work horse)."""
        if self.alive():
            os.killpg(self.pid, sig)
            assert self.popen is not None
            self.popen.wait(timeout=30)

    def stop(self) -> None:
        self.ask_to_stop()
        self.wait_until_stopped()

    def ask_to_stop(self) -> None:
        """SIGTERM to the whole process group: it finishes what it is doing, then exits."""
        if self.alive():
            os.killpg(self.pid, signal.SIGTERM)

    def wait_until_stopped(self, timeout: float = 30) -> None:
        if self.popen is None:
            return
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait(timeout=30)


class ProcessSet:
    """Processes started together and stopped together."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.processes: list[ServiceProcess] = []

    def start(self, role: str, *, name: str | None = None, **extra_env: str) -> ServiceProcess:
        name = name or f"{role}-{sum(1 for p in self.processes if p.role == role) + 1}"
        process = ServiceProcess(role, {**self.env, **extra_env}, self.log_dir / f"{name}.log").start()
        self.processes.append(process)
        return process

    def stop(self) -> None:
        stop_together(self.processes)

    def __enter__(self) -> "ProcessSet":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_together(processes: list[ServiceProcess]) -> None:
    """Every process asked to stop at once, then waited for: each takes a second or two to finish its loop (a
    gunicorn worker's poll, RQ's warm shutdown), which one after another added up to several seconds a test."""
    for process in processes:
        process.ask_to_stop()
    for process in processes:
        process.wait_until_stopped()
