"""The scheduler's heartbeat, on the periodic jobs' queue (crontask's own goes on the default queue, behind
delivery: `manage.py crontask --no-heartbeat` leaves it out)."""

import logging

from crontask import cron
from django.tasks import task

from respond.core.queues import SCHEDULED_PRIORITY, SCHEDULED_QUEUE

logger = logging.getLogger(__name__)


@cron("* * * * *")
@task(queue_name=SCHEDULED_QUEUE, priority=SCHEDULED_PRIORITY)
def scheduler_heartbeat() -> None:
    logger.info("Scheduler heartbeat: periodic jobs are being queued and run")
