"""Scheduled notification jobs: the sweep that starts delivery chains (respond.notifications.chains) lost with
their worker, or never started, while messages are due."""

from crontask import cron
from django.tasks import task

from respond.core.queues import SCHEDULED_PRIORITY, SCHEDULED_QUEUE
from respond.notifications.chains import restart_stalled_chains


@cron("* * * * *")
@task(queue_name=SCHEDULED_QUEUE, priority=SCHEDULED_PRIORITY)
def sweep_notifications() -> bool:
    """Restarts delivery chains lost with their worker (or never started) while messages are due."""
    return bool(restart_stalled_chains())
