"""Periodic jobs never wait behind delivery: their own queue at the top priority, and delivery makes room for one
that has waited a few seconds for a worker."""

import os
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from respond.core.queues import SCHEDULED_QUEUE, scheduled_job_needs_room
from respond.followup.tasks import send_reminders
from respond.notifications.chains import deliver_notifications
from respond.notifications.tasks import sweep_notifications
from respond.responses.tasks import reopen_expired_exceptions

pytestmark = pytest.mark.django_db


WITH_REDIS = bool(os.environ.get("REDIS_URL"))


@pytest.fixture
def database_queue(settings):
    if WITH_REDIS:
        pytest.skip("with Redis the tasks are RQ's: the database queue is not in use")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": [SCHEDULED_QUEUE, "default"]}}


def test_every_periodic_job_goes_on_the_scheduled_queue():
    for job in (sweep_notifications, send_reminders, reopen_expired_exceptions):
        assert job.queue_name == SCHEDULED_QUEUE
    assert deliver_notifications.queue_name == "default"


def test_a_worker_takes_a_periodic_job_before_delivery_queued_earlier(database_queue):
    """(RQ has no priorities: it takes from its queues in the order given, `scheduled` first.)"""
    for slot in range(3):
        deliver_notifications.enqueue(slot=slot)
    sweep_notifications.enqueue()

    with transaction.atomic():
        first = DBTaskResult.objects.ready().filter(queue_name__in=[SCHEDULED_QUEUE, "default"]).get_locked()

    assert first is not None
    assert first.task_path == "respond.notifications.tasks.sweep_notifications"


def test_delivery_makes_room_only_for_a_periodic_job_no_worker_has_taken_for_a_few_seconds(database_queue):
    deliver_notifications.enqueue(slot=0)
    assert not scheduled_job_needs_room()  # delivery waiting is no reason

    queued_at = timezone.now()
    sweep_notifications.enqueue()
    assert not scheduled_job_needs_room()  # a free worker takes it at once
    with time_machine.travel(queued_at + timedelta(seconds=5)):
        assert scheduled_job_needs_room()
    # Waiting this long, no worker here takes from its queue: stopping delivery again and again would not help.
    with time_machine.travel(queued_at + timedelta(seconds=120)):
        assert not scheduled_job_needs_room()


@pytest.mark.skipif(not WITH_REDIS, reason="needs REDIS_URL (the suite runs once with Redis)")
def test_with_rq_a_periodic_job_waiting_is_seen_on_its_queue():
    import django_rq

    queue = django_rq.get_queue(SCHEDULED_QUEUE)
    queue.empty()
    try:
        queued_at = timezone.now()
        sweep_notifications.enqueue()
        assert not scheduled_job_needs_room()
        with time_machine.travel(queued_at + timedelta(seconds=5)):
            assert scheduled_job_needs_room()
    finally:
        queue.empty()
