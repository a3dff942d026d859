"""The delivery task runs until nothing is due, then schedules itself for the next retry; the sweep restarts it."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from respond.notifications import services
from respond.notifications.chains import deliver_notifications
from respond.notifications.delivery import HEARTBEAT_KEY
from respond.notifications.models import Notification, Status
from respond.notifications.tasks import sweep_notifications
from tests.notifications.conftest import make_alert

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_heartbeat():
    cache.delete(HEARTBEAT_KEY)


def enqueued():
    return deliver_notifications.get_backend().results


def test_the_task_sends_everything_due_and_stops_when_nothing_is_left(notify, trust_a, alice, bob):
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))

    assert deliver_notifications.call(slot=0) == 2

    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
    assert enqueued() == []


def test_a_retry_due_soon_is_waited_for_in_the_task(notify, trust_a, alice):
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    notify.fail_next(2, status=500)

    assert deliver_notifications.call(slot=0) == 3

    row = Notification.objects.get()
    assert (row.status, row.attempts) == (Status.SENT, 3)
    assert enqueued() == []


def test_a_retry_waiting_for_later_schedules_the_next_run_for_then(notify, settings, trust_a, alice):
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    settings.NOTIFY_RETRY_MAX_SECONDS = 60
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    notify.fail_next(1, status=429)

    deliver_notifications.call(slot=1)

    row = Notification.objects.get()
    assert row.status == Status.QUEUED
    assert timezone.now() + timedelta(seconds=29) < row.next_attempt_at <= timezone.now() + timedelta(seconds=60)
    [scheduled] = enqueued()
    assert scheduled.kwargs == {"slot": 1}
    assert scheduled.task.run_after == row.next_attempt_at

    # Another chain of the same slot finding the same retry does not schedule a second run.
    deliver_notifications.call(slot=1)
    assert len(enqueued()) == 1


def test_a_task_out_of_time_hands_over_to_a_new_one_at_once(notify, settings, trust_a, alice, bob):
    settings.NOTIFY_TASK_TIME_LIMIT_SECONDS = 0
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))

    assert deliver_notifications.call(slot=0) == 0

    [next_run] = enqueued()
    assert next_run.task.run_after is None
    assert next_run.kwargs == {"slot": 0}


def test_the_sweep_restarts_delivery_when_work_is_due_and_no_worker_is_sending(notify, settings, trust_a, alice):
    settings.NOTIFY_PARALLEL_TASKS = 2
    assert sweep_notifications.call() is False  # nothing to send

    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    cache.set(HEARTBEAT_KEY, timezone.now().timestamp())
    assert sweep_notifications.call() is False  # a worker is busy with it
    assert enqueued() == []

    cache.delete(HEARTBEAT_KEY)
    assert sweep_notifications.call() is True
    assert [result.kwargs for result in enqueued()] == [{"slot": 0}, {"slot": 1}]
