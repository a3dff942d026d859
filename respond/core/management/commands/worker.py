"""The task worker, one entry point whatever the queue: RQ on Redis when REDIS_URL is set, else the database queue.

Every queue named in settings is worked, in settings' order (the first is taken first), so a new queue needs no
change here or in the scripts and containers that start workers.
"""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def task_queues() -> list[str]:
    return list(settings.TASKS["default"].get("QUEUES") or ["default"])


class Command(BaseCommand):
    help = "Run a background task worker (RQ on Redis when REDIS_URL is set, else the database queue)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--burst", action="store_true", help="work what is queued, then stop (tests)")

    def handle(self, *args: Any, burst: bool = False, **options: Any) -> None:
        if settings.REDIS_URL:
            call_command("rqworker", *task_queues(), job_class="django_tasks_rq.Job", with_scheduler=True, burst=burst)
        else:
            call_command(
                "db_worker",
                queue_name=",".join(task_queues()),
                interval=0.5,
                reload=False,
                batch=burst,
                verbosity=options.get("verbosity", 1),
            )
