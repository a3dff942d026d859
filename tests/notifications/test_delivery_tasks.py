"""The delivery task runs until nothing is due, then schedules itself for the next retry; a chain lost with its
worker is started again, by the sweep or by a live chain."""

from datetime import timedelta

import pytest
import redis
from django.core.cache import cache
from django.db import IntegrityError, OperationalError
from django.utils import timezone

from respond.notifications import services
from respond.notifications.chains import deliver_notifications, enqueue_delivery
from respond.notifications.conf import notification_settings
from respond.notifications.delivery import Deliverer
from respond.notifications.models import Notification, Status
from respond.notifications.slots import STARTING, ChainSlot, slot_key
from respond.notifications.tasks import sweep_notifications
from tests.notifications.conftest import in_process_deliverer, make_alert, run_worker_once

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_chain(settings):
    settings.NOTIFY_PARALLEL_TASKS = 1  # one chain, run by the test: no other slot to start


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
    settings.NOTIFY_PARALLEL_TASKS = 2
    assert ChainSlot(0, notification_settings()).take()  # slot 0's chain is alive

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


def test_the_sweep_starts_chains_only_for_slots_no_live_chain_holds(notify, settings, trust_a, alice):
    settings.NOTIFY_PARALLEL_TASKS = 2
    assert sweep_notifications.call() is False  # nothing to send

    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    conf = notification_settings()
    live = ChainSlot(0, conf)
    assert live.take()
    # Slot 1's chain died: its lease ran out. Only slot 1 is started again, however busy slot 0's chain is.
    assert sweep_notifications.call() is True
    assert [result.kwargs for result in enqueued()] == [{"slot": 1}]
    assert cache.get(slot_key(1)) == STARTING
    # Started once: the queued chain has not run yet, and is not queued again.
    assert sweep_notifications.call() is False
    assert len(enqueued()) == 1


def test_a_write_to_the_outbox_starts_chains_only_in_free_slots(settings):
    settings.NOTIFY_PARALLEL_TASKS = 2
    assert ChainSlot(0, notification_settings()).take()
    enqueue_delivery()
    assert [result.kwargs for result in enqueued()] == [{"slot": 1}]
    enqueue_delivery()  # both slots have a chain, running or on its way: nothing more
    assert len(enqueued()) == 1


def test_a_chain_stops_at_once_when_a_live_chain_holds_its_slot(notify, trust_a, alice):
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    assert ChainSlot(0, notification_settings()).take()

    assert deliver_notifications.call(slot=0) == 0
    assert Notification.objects.get().status == Status.QUEUED


def test_a_chain_presumed_dead_stops_when_its_replacement_has_taken_the_slot(notify, trust_a, alice):
    conf = notification_settings()
    old = ChainSlot(0, conf)
    assert old.take()
    cache.delete(slot_key(0))  # its lease ran out (a long pause)
    assert ChainSlot(0, conf).reserve()  # a replacement is queued: the old chain may still carry on
    assert old.renew()
    replacement = ChainSlot(0, conf)
    assert not replacement.take()  # the old chain renewed in time: the replacement stops at once
    cache.delete(slot_key(0))
    assert replacement.take()
    assert not old.renew()
    assert old.lost


def test_a_chain_makes_room_for_a_periodic_job_waiting_for_a_worker(notify, settings, monkeypatch, trust_a, alice):
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    monkeypatch.setattr("respond.notifications.chains.scheduled_job_needs_room", lambda: True)

    assert deliver_notifications.call(slot=0) == 0

    [next_run] = enqueued()
    assert (next_run.kwargs, next_run.task.run_after) == ({"slot": 0}, None)
    assert cache.get(slot_key(0)) == STARTING


def test_a_chain_waits_out_a_database_outage_and_carries_on(notify, trust_a, alice, bob, monkeypatch):
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    run = Deliverer.run
    outages = []

    def database_restarting_once(self, *, time_limit):
        if not outages:
            outages.append(time_limit)
            raise OperationalError("terminating connection due to administrator command")
        return run(self, time_limit=time_limit)

    monkeypatch.setattr(Deliverer, "run", database_restarting_once)

    assert deliver_notifications.call(slot=0) == 2

    assert len(outages) == 1
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
    assert enqueued() == []


def test_a_chain_waits_out_a_redis_outage_and_carries_on(notify, trust_a, alice, bob, monkeypatch):
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    run = Deliverer.run
    outages = []

    def redis_restarting_once(self, *, time_limit):
        if not outages:
            outages.append(time_limit)
            raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return run(self, time_limit=time_limit)

    monkeypatch.setattr(Deliverer, "run", redis_restarting_once)

    assert deliver_notifications.call(slot=0) == 2

    assert len(outages) == 1
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
    assert enqueued() == []


def test_claims_handed_back_after_an_outage_are_due_at_once_and_asked_about_where_maybe_sent(
    notify, trust_a, alice, bob
):
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    interrupted = in_process_deliverer()
    claimed = interrupted.claim()
    assert len(claimed) == 2
    maybe_sent = claimed[0]
    Notification.objects.filter(pk=maybe_sent.pk).update(send_uncertain=True)  # its send had started

    interrupted.hand_back_claims()

    rows = Notification.objects.all()
    assert {(row.status, row.claimed_by, row.claimed_at) for row in rows} == {(Status.QUEUED, "", None)}
    assert Notification.objects.get(pk=maybe_sent.pk).send_uncertain
    # Due at once, not when the interrupted worker's lease would have run out; Notify asked first about the one.
    run_worker_once()
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
    assert [seen.path for seen in notify.requests if seen.method == "GET"] == ["/v2/notifications"]
    assert notify.references() == {row.reference: 1 for row in rows}


def test_a_chain_stops_on_a_database_error_that_is_not_an_outage(notify, trust_a, alice, monkeypatch):
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))

    def broken(self, *, time_limit):
        raise IntegrityError("a bug, not an outage")

    monkeypatch.setattr(Deliverer, "run", broken)

    with pytest.raises(IntegrityError):
        deliver_notifications.call(slot=0)
