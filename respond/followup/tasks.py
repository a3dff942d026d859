"""Periodic follow-up: reminder digests before deadlines, and escalation once one is missed."""

import logging

from crontask import cron
from django.tasks import task

from respond.core.queues import SCHEDULED_PRIORITY, SCHEDULED_QUEUE
from respond.followup.reminders import send_reminders as run_reminders

logger = logging.getLogger(__name__)


# Every quarter of an hour, so a reminder goes within 15 minutes of its threshold; idempotent, so a second
# scheduler or a retried run sends nothing twice.
@cron("*/15 * * * *")
@task(queue_name=SCHEDULED_QUEUE, priority=SCHEDULED_PRIORITY)
def send_reminders() -> int:
    run = run_reminders()
    if run.reminded:
        logger.info(
            "Reminders: %d claimed, %d organisation digests, %d missed-deadline messages",
            run.reminded,
            run.digests,
            run.escalations,
        )
    return run.reminded
