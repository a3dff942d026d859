"""Background work: the emails about a submission, and reopening exceptions whose review date has come."""

import logging

from crontask import cron
from django.tasks import task

from respond.responses import emails

logger = logging.getLogger(__name__)


@task
def send_response_emails(entry_ids: list[int]) -> int:
    return emails.send_response_emails(entry_ids=entry_ids)


# Hourly, so an exception reopens early on its review date (London time), and a missed run is caught up.
@cron("10 * * * *")
@task
def reopen_expired_exceptions() -> int:
    from respond.responses.services import expire_unable_to_implement  # services queue this module's tasks

    reopened = expire_unable_to_implement()
    if reopened:
        logger.info("Reopened %d responses whose exception reached its review date", reopened)
    return reopened
