"""An "unable to implement" exception expires at its review date: the response reopens (in progress, next update
due now) and the organisation's people are told."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from crontask import scheduler

from respond.alerts.models import AlertStatus
from respond.core.models import AuditLog
from respond.responses import services
from respond.responses.models import EntryAction, ResponseStatus
from respond.responses.tasks import reopen_expired_exceptions
from tests.responses.conftest import make_alert, response_of, send_emails, update

pytestmark = pytest.mark.django_db


def exception(response, user, review_on: date):
    return update(
        response,
        user,
        ResponseStatus.UNABLE_TO_IMPLEMENT,
        unable_reason="The supplier has no fix for our version",
        mitigations="Isolated from the internet",
        risk_owner="Jo Bloggs, SIRO",
        review_on=review_on,
    )


@pytest.fixture
def excepted(trust_a, trust_b, bob, lee):
    """Trust A recorded an exception on 1 June 2026 to be reviewed on 1 July 2026."""
    with time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=UTC), tick=False):
        alert = make_alert(organisations=[trust_a, trust_b])
        response = exception(response_of(alert, trust_a), bob, date(2026, 7, 1))
    return response


def test_nothing_reopens_before_the_review_date(excepted):
    # 23:30 BST on 30 June (22:30 UTC).
    with time_machine.travel(datetime(2026, 6, 30, 22, 30, tzinfo=UTC), tick=False):
        assert services.expire_unable_to_implement() == 0
    excepted.refresh_from_db()
    assert excepted.status == ResponseStatus.UNABLE_TO_IMPLEMENT


def test_on_the_review_date_in_london_the_response_reopens(excepted):
    # 00:10 BST on 1 July is still 30 June in UTC.
    with time_machine.travel(datetime(2026, 6, 30, 23, 10, tzinfo=UTC), tick=False):
        assert services.expire_unable_to_implement() == 1
    excepted.refresh_from_db()
    assert excepted.status == ResponseStatus.IN_PROGRESS
    assert excepted.next_update_due_on == date(2026, 7, 1)
    assert excepted.review_on is None
    latest = excepted.entries.order_by("-version").first()
    assert (latest.action, latest.status, latest.submitted_by) == (
        EntryAction.REOPENED,
        ResponseStatus.IN_PROGRESS,
        None,
    )
    assert (
        AuditLog.objects.filter(action="response.reopened", actor_label="system: expire_unable_to_implement").count()
        == 1
    )
    # Everyone who responds for Trust A is told: bob (its responder) and lee (on its behalf).
    sent = send_emails()
    reopened = [message for message in sent if "the exception's review date has come" in message.subject]
    assert len(reopened) == len(sent) - 1  # and the confirmation of the exception itself, to bob
    assert sorted(message.to[0] for message in reopened) == ["bob@alpha.nhs.uk", "lee@csu.nhs.uk"]
    assert "open again" in reopened[0].body
    assert excepted.get_absolute_url() in reopened[0].body


def test_the_reopened_response_shows_its_update_is_due(excepted, signed_in, bob):
    with time_machine.travel(datetime(2026, 7, 1, 9, tzinfo=UTC), tick=False):
        services.expire_unable_to_implement()
        html = signed_in(bob).get(excepted.get_absolute_url()).content.decode()
    assert "Reopened: review date reached" in html
    assert "1 July 2026 (due today)" in html


def test_running_again_changes_nothing(excepted):
    with time_machine.travel(datetime(2026, 7, 2, 9, tzinfo=UTC), tick=False):
        assert services.expire_unable_to_implement() == 1
        assert services.expire_unable_to_implement() == 0
    assert excepted.entries.count() == 2


def test_exceptions_to_closed_alerts_stay_as_they_are(excepted):
    excepted.alert.status = AlertStatus.CLOSED
    excepted.alert.save()
    with time_machine.travel(datetime(2026, 7, 2, 9, tzinfo=UTC), tick=False):
        assert services.expire_unable_to_implement() == 0


def test_several_alerts_reopen_together(excepted, trust_a, bob):
    with time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=UTC), tick=False):
        other = make_alert(organisations=[trust_a])
        exception(response_of(other, trust_a), bob, date(2026, 6, 15))
    with time_machine.travel(datetime(2026, 7, 2, 9, tzinfo=UTC), tick=False):
        assert services.expire_unable_to_implement() == 2


def test_the_hourly_task_reopens_them(excepted):
    with time_machine.travel(datetime(2026, 7, 1, 9, tzinfo=UTC), tick=False):
        assert reopen_expired_exceptions.call() == 1
    excepted.refresh_from_db()
    assert excepted.status == ResponseStatus.IN_PROGRESS


def test_the_task_is_scheduled_every_hour():
    jobs = [job for job in scheduler.get_jobs() if job.name == reopen_expired_exceptions.name]
    assert len(jobs) == 1
    assert str(jobs[0].trigger.fields[6]) == "10"  # minute 10 of every hour
    assert str(jobs[0].trigger.fields[5]) == "*"
