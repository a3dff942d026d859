"""The middle delays of a month's group (MonthMedians) follow its delays per minute (MonthDelays) however they
change: a delay at a time, many at once, from none, to none, far from where the middles were (more minutes between
than a write reads at first), and below zero (a clock behind). Checked against the middles of the delays written
out one by one."""

import random
from collections import Counter

import pytest

from respond.responses import month_medians, summaries
from respond.responses.summary_models import DelayKind, Grouping, MonthDelays, MonthMedians

pytestmark = pytest.mark.django_db
SERIES = (24318, Grouping.ALL.value, "", DelayKind.ACKNOWLEDGE.value)
OTHER = (24318, Grouping.TYPE.value, "nhs_trust", DelayKind.ACKNOWLEDGE.value)


def change(*minutes_changes: tuple[tuple, int, int]) -> None:
    """Adds (series, minutes, change) to MonthDelays as a write does, and moves the middles."""
    figures = summaries._empty()
    for series, minutes, amount in minutes_changes:
        figures[MonthDelays][(*series, minutes)]["count"] += amount
    summaries._write(figures)


def expected(delays: Counter) -> tuple[int, int, int | None, int | None]:
    ordered = sorted(delays.elements())
    if not ordered:
        return 0, 0, None, None
    low = ordered[(len(ordered) - 1) // 2]
    return len(ordered), ordered.index(low), low, ordered[len(ordered) // 2]


def stored(series: tuple) -> tuple[int, int, int | None, int | None]:
    month, grouping, group_key, kind = series
    row = MonthMedians.objects.filter(month=month, grouping=grouping, group_key=group_key, kind=kind).first()
    if row is None or row.total == 0:
        return 0, 0, None, None
    return row.total, row.below, row.low, row.high


def test_the_middles_follow_every_change():
    rng = random.Random(16)
    delays = {SERIES: Counter(), OTHER: Counter()}
    for step in range(300):
        changes = []
        for series in (SERIES, OTHER):
            roll = rng.random()
            if roll < 0.6 or not delays[series]:  # a few delays
                for _ in range(rng.randint(1, 3)):
                    changes.append((series, rng.randint(-5, 3000), 1))
            elif roll < 0.8:  # one taken away
                changes.append((series, rng.choice(list(delays[series].elements())), -1))
            elif roll < 0.9:  # many at one end: the middles move over more minutes than are read at first
                end = rng.choice([rng.randint(5000, 9000), rng.randint(-400, -10)])
                changes += [(series, end + offset, 1) for offset in range(rng.randint(100, 500))]
            else:  # many taken away at once, sometimes every one
                present = list(delays[series].elements())
                for minutes in rng.sample(present, rng.randint(len(present) // 2, len(present))):
                    changes.append((series, minutes, -1))
        merged = Counter()
        for series, minutes, amount in changes:
            merged[series, minutes] += amount
            delays[series][minutes] += amount
        change(*((series, minutes, amount) for (series, minutes), amount in merged.items() if amount))
        for series in (SERIES, OTHER):
            delays[series] = +delays[series]
            assert stored(series) == expected(delays[series]), step


def test_a_series_without_delays_has_no_middles():
    change((SERIES, 30, 2), (SERIES, 90, 1))
    assert stored(SERIES) == (3, 0, 30, 30)
    change((SERIES, 30, -2))
    assert stored(SERIES) == (1, 0, 90, 90)
    change((SERIES, 90, -1))
    assert MonthMedians.objects.get().total == 0
    assert MonthMedians.objects.get().low is None
    change((SERIES, 60, 1), (SERIES, 61, 1))
    assert stored(SERIES) == (2, 0, 60, 61)


def test_a_changed_minute_that_leaves_the_number_alone_still_moves_the_middles():
    change((SERIES, 10, 1), (SERIES, 20, 1), (SERIES, 30, 1))
    change((SERIES, 20, -1), (SERIES, 40, 1))
    assert stored(SERIES) == (3, 1, 30, 30)


def test_the_middles_are_read_a_few_minutes_either_side(django_assert_max_num_queries):
    change(*((SERIES, minutes, 1) for minutes in range(0, 2000, 3)))
    with django_assert_max_num_queries(5):  # MonthDelays, MonthMedians' lock, the minutes around, the middles
        change((SERIES, 1500, 1))
    assert stored(SERIES) == expected(Counter([*range(0, 2000, 3), 1500]))


def test_middles_that_disagree_with_the_delays_are_not_guessed():
    change((SERIES, 10, 1))
    MonthMedians.objects.update(total=5)
    with pytest.raises(LookupError, match="disagrees"):
        change((SERIES, 20, 1))
    assert month_medians.FURTHER > month_medians.AROUND
