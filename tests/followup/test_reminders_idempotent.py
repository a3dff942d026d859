"""The reminder job never sends a reminder twice: run again, or run on two workers at once."""

import threading
from datetime import UTC, date, datetime

import pytest
import time_machine
from crontask import scheduler
from django.db import connection

from respond.accounts.models import GlobalRole
from respond.core.audit import Auditor
from respond.followup import tasks
from respond.followup.models import Reminder
from respond.followup.reminders import send_reminders
from respond.notifications.models import MessageKind, Notification
from respond.publication.services import threat_update_add
from tests.factories import global_user
from tests.followup.conftest import in_progress, make_alert

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def owing_everything(trust_a, trust_b):
    make_alert(organisations=[trust_a, trust_b], published_at=datetime(2026, 6, 8, 14, 0, tzinfo=UTC))  # due soon
    make_alert(organisations=[trust_a], published_at=datetime(2026, 6, 8, 10, 0, tzinfo=UTC))  # missed
    older = make_alert(organisations=[trust_b], published_at=datetime(2026, 5, 1, 10, 0, tzinfo=UTC))
    in_progress(older, trust_b, next_update_due_on=date(2026, 6, 1))
    # Trust A acknowledged this one and has an update to acknowledge by 10am tomorrow; Trust B missed another's.
    updated = make_alert(organisations=[trust_a], published_at=datetime(2026, 6, 1, 10, 0, tzinfo=UTC))
    in_progress(updated, trust_a, next_update_due_on=date(2026, 6, 30))
    request_reacknowledgement(updated, at=datetime(2026, 6, 9, 10, 0, tzinfo=UTC))
    missed_update = make_alert(organisations=[trust_b], published_at=datetime(2026, 6, 1, 10, 0, tzinfo=UTC))
    in_progress(missed_update, trust_b, next_update_due_on=date(2026, 6, 30))
    request_reacknowledgement(missed_update, at=datetime(2026, 6, 8, 11, 0, tzinfo=UTC))


def request_reacknowledgement(alert, *, at):
    csoc = global_user(GlobalRole.CSOC)
    with time_machine.travel(at, tick=False):
        threat_update_add(
            alert=alert, text="A patch is out.\n", requires_reacknowledgement=True, added_by=csoc,
            auditor=Auditor.for_user(csoc),
        )  # fmt: skip


def outbox():
    """Reminders and escalations (the updates' own alert emails aside)."""
    return sorted(
        Notification.objects.filter(kind__in=[MessageKind.REMINDER_EMAIL, MessageKind.ESCALATION_EMAIL]).values_list(
            "kind", "address"
        )
    )


@pytest.mark.django_db
def test_running_twice_sends_nothing_the_second_time(trust_a, trust_b, alice, bob, charlie, auditor):
    owing_everything(trust_a, trust_b)
    with time_machine.travel(NOW, tick=False):
        first = send_reminders()
        sent = outbox()
        second = send_reminders()
    assert (first.reminded, first.digests) == (6, 2)
    # alice, bob, charlie; the missed deadline to alice and the auditor; the missed update to charlie
    assert len(sent) == 6
    assert second.reminded == 0
    assert outbox() == sent


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once(trust_a, trust_b, alice, bob, charlie, auditor):
    if connection.vendor != "postgresql":
        pytest.skip("Truly concurrent transactions need PostgreSQL: SQLite lets one writer in at a time")
    owing_everything(trust_a, trust_b)
    barrier = threading.Barrier(2)
    runs = []
    errors = []

    def worker():
        try:
            barrier.wait()
            runs.append(send_reminders(now=NOW))
        except Exception as error:  # reported below: an exception in a thread would otherwise be lost
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(run.reminded for run in runs) == [0, 6]
    assert Reminder.objects.count() == 6
    assert len(outbox()) == 6
    assert len(set(outbox())) == 6


def test_the_job_is_scheduled_every_quarter_of_an_hour():
    [job] = [job for job in scheduler.get_jobs() if job.name == tasks.send_reminders.name]
    assert str(job.trigger).startswith("cron[month='*', day='*', day_of_week='*', hour='*', minute='*/15']")


@pytest.mark.django_db
def test_the_task_runs_the_job(trust_a, alice):
    make_alert(organisations=[trust_a], published_at=datetime(2026, 6, 8, 14, 0, tzinfo=UTC))
    with time_machine.travel(NOW, tick=False):
        assert tasks.send_reminders.call() == 1
        assert tasks.send_reminders.call() == 0
