"""Scheduled notification jobs: the sweep that restarts delivery (respond.notifications.chains) when work is due
and no worker is sending it."""

import logging

from crontask import cron
from django.tasks import task
from django.utils import timezone

from respond.notifications.chains import enqueue_delivery
from respond.notifications.conf import notification_settings
from respond.notifications.delivery import recently_active
from respond.notifications.models import Notification

logger = logging.getLogger(__name__)


@cron("* * * * *")
@task
def sweep_notifications() -> bool:
    """Restart delivery when work is due and no worker has sent anything for two minutes."""
    conf = notification_settings()
    if recently_active(120):
        return False
    if not Notification.objects.claimable(now=timezone.now(), claim_timeout=conf.claim_timeout).exists():
        return False
    logger.warning("Notifications are due and no worker is sending them: starting delivery")
    enqueue_delivery()
    return True
