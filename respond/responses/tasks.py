"""Background work: reopening exceptions whose review date has come, and moving organisations' figures in the
summaries after an ODS import moved them. (The emails about a submission go through the notifications outbox:
see respond.responses.emails.)"""

import logging

from crontask import cron
from django.tasks import task

from respond.core.queues import SCHEDULED_PRIORITY, SCHEDULED_QUEUE
from respond.responses import summaries
from respond.responses.services import expire_unable_to_implement

logger = logging.getLogger(__name__)


# Hourly, so an exception reopens early on its review date (London time), and a missed run is caught up.
@cron("10 * * * *")
@task(queue_name=SCHEDULED_QUEUE, priority=SCHEDULED_PRIORITY)
def reopen_expired_exceptions() -> int:
    reopened = expire_unable_to_implement()
    if reopened:
        logger.info("Reopened %d responses whose exception reached its review date", reopened)
    return reopened


# Every minute: an ODS import may have moved organisations to another type or region, which the summaries count
# them by (respond.responses.summaries); their figures follow them. Costs one query when none moved.
@cron("* * * * *")
@task(queue_name=SCHEDULED_QUEUE, priority=SCHEDULED_PRIORITY)
def move_organisations_figures() -> int:
    moved = summaries.move_organisations()
    if moved:
        logger.info("Summaries: moved the figures of %d organisations to their new type or region", moved)
    return moved
