"""Deadlines, time left and due dates in Europe/London, across the clocks changing: 01:00 UTC on the last Sunday
of March (30 March 2025) and of October (26 October 2025)."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.utils import timezone

from respond.responses.deadlines import duration_text, time_left_text
from respond.responses.models import Response, ResponseStatus
from tests.responses.conftest import acknowledge, make_alert, response_of

pytestmark = pytest.mark.django_db


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_a_deadline_across_the_spring_change_reads_an_hour_later_on_the_clock(trust_a):
    # 10:00 GMT on Saturday; 48 hours later the clocks say 11:00 BST.
    alert = make_alert(organisations=[trust_a], published_at=utc(2025, 3, 29, 10, 0))
    assert timezone.localtime(alert.deadline_at).strftime("%A %d %B %H:%M %Z") == "Monday 31 March 11:00 BST"


def test_a_deadline_across_the_autumn_change_reads_an_hour_earlier_on_the_clock(trust_a):
    alert = make_alert(organisations=[trust_a], published_at=utc(2025, 10, 25, 9, 0))  # 10:00 BST
    assert timezone.localtime(alert.deadline_at).strftime("%A %d %B %H:%M %Z") == "Monday 27 October 09:00 GMT"


def test_time_left_is_real_time_not_a_difference_of_clock_readings():
    deadline = utc(2025, 3, 31, 10, 0)  # 11:00 BST on Monday
    # 09:00 BST on Sunday reads 26 hours before 11:00 on Monday... and it is: the lost hour was at 01:00.
    assert time_left_text(deadline, utc(2025, 3, 30, 8, 0)) == "1 day 2 hours left"
    # 00:30 GMT on Sunday, before the change: 33.5 hours of real time, though the clocks say 34.5.
    assert time_left_text(deadline, utc(2025, 3, 30, 0, 30)) == "1 day 9 hours left"
    assert time_left_text(deadline, utc(2025, 3, 31, 12, 15)) == "Overdue by 2 hours 15 minutes"


def test_durations_read_plainly():
    assert duration_text(utc(2025, 1, 1, 0, 0, 30) - utc(2025, 1, 1)) == "less than a minute"
    assert duration_text(utc(2025, 1, 1, 1, 1) - utc(2025, 1, 1)) == "1 hour 1 minute"
    assert duration_text(utc(2025, 1, 3, 0, 5) - utc(2025, 1, 1)) == "2 days 5 minutes"


def test_the_dashboard_shows_the_london_deadline_and_time_left_across_the_spring_change(signed_in, trust_a, bob):
    alert = make_alert(organisations=[trust_a], published_at=utc(2025, 3, 29, 10, 0))
    with time_machine.travel(utc(2025, 3, 30, 8, 0), tick=False):
        html = signed_in(bob).get("/").content.decode()
    assert f"{alert.threat_id}: {alert.title}" in html
    assert "31 March 2025, 11:00am" in html
    assert "1 day 2 hours left" in html


def test_the_dashboard_across_the_autumn_change(signed_in, trust_a, bob):
    make_alert(organisations=[trust_a], published_at=utc(2025, 10, 25, 9, 0))
    with time_machine.travel(utc(2025, 10, 26, 10, 0), tick=False):
        html = signed_in(bob).get("/").content.decode()
    assert "27 October 2025, 9:00am" in html
    assert "23 hours left" in html


def test_acknowledging_on_the_london_clock_before_the_utc_deadline_is_in_time(trust_a, bob):
    alert = make_alert(organisations=[trust_a], published_at=utc(2025, 3, 29, 10, 0))
    # 10:30 BST on Monday: after 10:00 on the clock, but only 47.5 hours after publication.
    with time_machine.travel(utc(2025, 3, 31, 9, 30), tick=False):
        response = acknowledge(response_of(alert, trust_a), bob)
    assert response.acknowledged_within_window is True


def test_acknowledging_after_the_deadline_is_late(trust_a, bob):
    alert = make_alert(organisations=[trust_a], published_at=utc(2025, 10, 25, 9, 0))
    # 09:30 GMT on Monday: the clock reads earlier than publication's 10:00 BST, but 48.5 hours have passed.
    with time_machine.travel(utc(2025, 10, 27, 9, 30), tick=False):
        response = acknowledge(response_of(alert, trust_a), bob)
    assert response.acknowledged_within_window is False


def test_the_next_update_is_counted_in_london_days(trust_a, bob):
    alert = make_alert(organisations=[trust_a], published_at=utc(2025, 10, 24, 12, 0))
    # 00:30 BST on Saturday 25 October is still Friday in UTC.
    with time_machine.travel(utc(2025, 10, 24, 23, 30), tick=False):
        response = acknowledge(response_of(alert, trust_a), bob)
    assert response.next_update_due_on == date(2025, 10, 28)


def test_a_next_update_is_overdue_from_london_midnight(trust_a, bob):
    alert = make_alert(organisations=[trust_a], published_at=utc(2025, 3, 28, 12, 0))
    response = acknowledge(response_of(alert, trust_a), bob)
    Response.objects.filter(pk=response.pk).update(next_update_due_on=date(2025, 3, 30))
    response.refresh_from_db()
    # 23:30 BST on Sunday 30 March: due today.
    with time_machine.travel(utc(2025, 3, 30, 22, 30), tick=False):
        assert not response.update_overdue(timezone.now())
        assert not Response.objects.overdue(now=timezone.now()).exists()
    # 00:30 BST on Monday 31 March, still Sunday in UTC: overdue.
    with time_machine.travel(utc(2025, 3, 30, 23, 30), tick=False):
        assert response.update_overdue(timezone.now())
        assert list(Response.objects.overdue(now=timezone.now())) == [response]


def test_an_unacknowledged_response_is_overdue_once_the_window_closes(trust_a):
    alert = make_alert(organisations=[trust_a], published_at=utc(2025, 3, 29, 10, 0))
    response = response_of(alert, trust_a)
    with time_machine.travel(utc(2025, 3, 31, 9, 59), tick=False):
        assert not Response.objects.overdue(now=timezone.now()).exists()
    with time_machine.travel(utc(2025, 3, 31, 10, 1), tick=False):
        assert list(Response.objects.overdue(now=timezone.now())) == [response]
        assert response.status == ResponseStatus.NOT_ACKNOWLEDGED
