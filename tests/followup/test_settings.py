"""The follow-up settings and their defaults."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from respond.followup.conf import catch_up, chase_interval, hours_before_deadline


def test_defaults(settings):
    for name in ("REMINDER_HOURS_BEFORE_DEADLINE", "REMINDER_CATCH_UP_HOURS", "CHASE_INTERVAL_MINUTES"):
        if hasattr(settings, name):
            delattr(settings, name)
    assert hours_before_deadline() == (24, 4)
    assert catch_up() == timedelta(hours=48)
    assert chase_interval() == timedelta(minutes=60)


@pytest.mark.parametrize(
    ("value", "hours"), [("24,4", (24, 4)), ("4, 24, 72", (72, 24, 4)), ([12], (12,)), ("", (24, 4))]
)
def test_hours_before_the_deadline_from_a_string_or_a_list(settings, value, hours):
    settings.REMINDER_HOURS_BEFORE_DEADLINE = value
    assert hours_before_deadline() == hours


@pytest.mark.parametrize("value", ["24,four", "0", "24,-1"])
def test_hours_that_are_not_whole_positive_numbers_are_refused(settings, value):
    settings.REMINDER_HOURS_BEFORE_DEADLINE = value
    with pytest.raises(ImproperlyConfigured):
        hours_before_deadline()
