"""An alert's median times, worked out by the database from its delay counts (one row per whole minute), are
those of the delays counted one at a time (tests/reports/reference_medians.py), on both engines."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from respond.reports.services import alert_report
from respond.responses.summary_models import AlertDelays, DelayKind
from tests.reports.reference_medians import median_of_counts
from tests.responses.conftest import make_alert

pytestmark = pytest.mark.django_db


def write_counts(alert, kind, counts):
    AlertDelays.objects.bulk_create(
        AlertDelays(alert=alert, kind=kind, minutes=minutes, count=count) for minutes, count in counts
    )


@pytest.mark.parametrize("seed", range(6))
def test_medians_from_the_counts_are_those_of_the_delays(seed):
    generator = random.Random(seed)
    alert = make_alert(organisations=[])
    AlertDelays.objects.filter(alert=alert).delete()
    expected = {}
    for kind in (DelayKind.ACKNOWLEDGE, DelayKind.COMPLETE):
        minutes = generator.sample(range(0, 5000), generator.randint(1, 60))
        # Rows left at 0 by later writes count for nothing; odd and even totals both.
        counts = [(minute, generator.choice([0, 1, 1, 2, 3, 7])) for minute in minutes]
        write_counts(alert, kind, counts)
        expected[kind] = median_of_counts(counts)
    medians = alert_report(alert=alert, now=timezone.now()).medians
    assert medians.acknowledge == expected[DelayKind.ACKNOWLEDGE]
    assert medians.complete == expected[DelayKind.COMPLETE]


def test_halfway_between_the_two_middle_delays_and_none_without_any():
    alert = make_alert(organisations=[])
    AlertDelays.objects.filter(alert=alert).delete()
    write_counts(alert, DelayKind.ACKNOWLEDGE, [(60, 1), (120, 1), (600, 0)])
    write_counts(alert, DelayKind.COMPLETE, [(300, 0)])
    medians = alert_report(alert=alert, now=timezone.now()).medians
    assert medians.acknowledge == timedelta(minutes=90)
    assert medians.complete is None
