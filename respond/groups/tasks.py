"""Periodic group jobs: hourly digests of new posts, and archiving groups closed longer than the retention period.
Both are idempotent: a second scheduler, or a retried run, sends and archives nothing twice."""

import logging

from crontask import cron
from django.tasks import task
from django.utils import timezone

from respond.groups.posts import send_digests as run_digests
from respond.groups.services import groups_archive

logger = logging.getLogger(__name__)


@cron("0 * * * *")
@task
def send_group_digests() -> int:
    sent = run_digests(now=timezone.now())
    if sent:
        logger.info("Group digests: %d emails queued", sent)
    return sent


@cron("30 3 * * *")
@task
def archive_closed_groups() -> int:
    archived = groups_archive(now=timezone.now())
    if archived:
        logger.info("Groups archived after the retention period: %d", archived)
    return archived
