"""gunicorn's settings for the web process (scripts/process.sh web), from the environment."""

import os
import shutil
from pathlib import Path
from typing import Any

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads, so that a long export download does not hold up other requests or trip the worker timeout.
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 20
keepalive = 5
# The project is imported and warmed up (respond.operations.warm_up) once, in the master, before the workers fork.
preload_app = True
# Request lines come as JSON from respond.operations.middleware (without paths, which can hold tokens).
accesslog = None
errorlog = "-"
# gunicorn 24+ opens a control socket (gunicornc) at one path per user by default, which every web process on a
# machine (the tests' and the load test's, run side by side) would share; nothing here uses it.
control_socket_disable = True


def on_starting(server: Any) -> None:
    """Metrics of an earlier run's workers must not be added to this run's."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def when_ready(server: Any) -> None:
    from respond.operations.warm_up import warm_up

    server.log.info("Warmed up: %(views)s URL names, %(templates)s templates", warm_up())


def child_exit(server: Any, worker: Any) -> None:
    """A dead worker's gauges go; its counters and histograms stay in the totals (prometheus-client's rule)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
