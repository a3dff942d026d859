"""The task worker, one entry point whatever the queue: RQ on Redis when REDIS_URL is set, else the database queue.

Every queue named in settings is worked, in settings' order (the first is taken first), so a new queue needs no
change here or in the scripts and containers that start workers. On Redis the worker rides out an outage and
takes tasks again as soon as Redis answers (respond.core.rq_worker); on either queue it starts by queueing the
tasks in settings.TASKS_AT_WORKER_START (the delivery sweep), so that work left by a worker that stopped resumes
at once.
"""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from respond.core.queues import queue_start_tasks


def task_queues() -> list[str]:
    return list(settings.TASKS["default"].get("QUEUES") or ["default"])


class Command(BaseCommand):
    help = "Run a background task worker (RQ on Redis when REDIS_URL is set, else the database queue)."
    # Like the web process, a long-running role starts without Django's system checks (about 3 s of CPU a start,
    # most of it importing every view for the URL checks): `migrate` runs them once per release, before any starts.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--burst", action="store_true", help="work what is queued, then stop (tests)")

    def handle(self, *args: Any, burst: bool = False, **options: Any) -> None:
        verbosity = options.get("verbosity", 1)
        if settings.REDIS_URL:
            from respond.core.rq_worker import work_through_outages  # RQ is installed only with Redis

            work_through_outages(task_queues(), burst=burst, verbosity=verbosity)
            return
        queue_start_tasks()
        call_command(
            "db_worker",
            queue_name=",".join(task_queues()),
            interval=0.5,
            reload=False,
            batch=burst,
            verbosity=verbosity,
        )
