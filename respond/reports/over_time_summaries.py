"""Compliance over time read from the summaries (respond.responses.summary_models) rather than worked out from the
responses: the counts from the alerts' rows, the medians from the delays counted by month and group. Used for whole
months with no other filter (the page as it opens, and any range of whole months); other filters are worked out from
the responses (respond.reports.over_time).

A median is read in three steps, in one statement: the octaves' running counts say which octave holds the middle delay
(or the two middle ones) of each group, the running counts of that octave's bands which band, and those of that band's
minutes which minute. The medians are of the delays in whole minutes, as the alert report's (and as the page shows
them)."""

# ruff: noqa: S608 - only table names from the models go into the statements; values are parameters

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Sum
from django.db.models.functions import TruncMonth

from respond.alerts.models import RELEASED_STATUSES
from respond.organisations.models import Region
from respond.reports.over_time_filters import (
    ALL,
    BY_REGION,
    BY_TYPE,
    Key,
    OverTimeFilters,
    london_midnight,
    month_start,
)
from respond.reports.statistics import Acknowledgements, Medians
from respond.responses.summary_models import (
    AlertCounts,
    DelayKind,
    Grouping,
    MonthDelayBands,
    MonthDelayOctaves,
    MonthDelays,
)


def summarised(filters: OverTimeFilters) -> bool:
    """Whether the summaries give these figures: whole months, nothing else chosen."""
    whole_months = (filters.date_from is None or filters.date_from.day == 1) and (
        filters.date_to is None or (filters.date_to + timedelta(days=1)).day == 1
    )
    return whole_months and not (filters.severity or filters.organisation_type or filters.region_code)


def _month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_of(number: int) -> date:
    return date(number // 12, number % 12 + 1, 1)


def _counts(filters: OverTimeFilters, region_names: dict[int, str]) -> dict[Key, Acknowledgements]:
    rows = AlertCounts.objects.filter(alert__status__in=RELEASED_STATUSES, alert__response_required=True)
    if filters.date_from:
        rows = rows.filter(alert__published_at__gte=london_midnight(filters.date_from))
    if filters.date_to:
        rows = rows.filter(alert__published_at__lt=london_midnight(filters.date_to + timedelta(days=1)))
    grouped = (
        rows.annotate(month=TruncMonth("alert__published_at"))
        .values("month", "organisation_type", "region_key")
        .annotate(in_scope=Sum("in_scope"), acknowledged=Sum("acknowledged"), late=Sum("late"))
        .order_by()
    )
    counts: dict[Key, Acknowledgements] = defaultdict(Acknowledgements)
    for row in grouped:
        if not row["in_scope"]:
            continue
        month, late = month_start(row["month"]), row["late"]
        figures = Acknowledgements(in_scope=row["in_scope"], within_window=row["acknowledged"] - late, late=late)
        region = region_names.get(row["region_key"])
        for key in ((ALL, month, None), (BY_REGION, month, region), (BY_TYPE, month, row["organisation_type"])):
            counts[key] += figures
    return dict(counts)


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# The rows of one level (octaves, bands or minutes) below the targets found at the level above, with how many of
# the group's delays come before each: {fine} is the finer level's unit column, {coarse} the coarser one's.
NEXT_LEVEL = """
    SELECT target.month, target.grouping, target.group_key, target.kind, finer.{fine} AS unit, finer.count,
        target.low, target.high,
        target.before + SUM(finer.count) OVER (
            PARTITION BY target.month, target.grouping, target.group_key, target.kind, target.unit
            ORDER BY finer.{fine} ROWS UNBOUNDED PRECEDING
        ) - finer.count AS before
    FROM {targets} target JOIN {table} finer
        ON finer.month = target.month AND finer.grouping = target.grouping AND finer.group_key = target.group_key
        AND finer.kind = target.kind AND finer.{coarse} = target.unit
    WHERE finer.count > 0
"""
# Of those rows, the ones holding a middle delay.
HOLDING = "(before <= low AND low < before + count) OR (before <= high AND high < before + count)"


def _middle_delays(filters: OverTimeFilters) -> list[tuple[Any, ...]]:
    """The minute of each group's middle delays: (month, grouping, group key, kind, minutes, holds the low middle,
    holds the high middle), the middles counted from 0 ((n - 1) / 2 and n / 2: the same for an odd count n).
    Each step reads only the rows below the octave, then the band, holding a middle delay, through the unique
    indexes: one statement."""
    conditions, params = ["count > 0"], []
    if filters.date_from:
        conditions.append("month >= %s")
        params.append(_month_number(filters.date_from))
    if filters.date_to:
        conditions.append("month <= %s")
        params.append(_month_number(filters.date_to))
    group = "PARTITION BY month, grouping, group_key, kind"
    bands = NEXT_LEVEL.format(fine="band", coarse="octave", targets="octave_target", table=_table(MonthDelayBands))
    minutes = NEXT_LEVEL.format(fine="minutes", coarse="band", targets="band_target", table=_table(MonthDelays))
    sql = f"""
        WITH octave AS (
            SELECT month, grouping, group_key, kind, octave AS unit, count,
                COALESCE(SUM(count) OVER ({group} ORDER BY octave ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                    AS before,
                SUM(count) OVER ({group}) AS total
            FROM {_table(MonthDelayOctaves)} WHERE {" AND ".join(conditions)}
        ), octave_target AS (
            SELECT month, grouping, group_key, kind, unit, before, (total - 1) / 2 AS low, total / 2 AS high
            FROM octave
            WHERE (before <= (total - 1) / 2 AND (total - 1) / 2 < before + count)
                OR (before <= total / 2 AND total / 2 < before + count)
        ), band AS ({bands}
        ), band_target AS (SELECT * FROM band WHERE {HOLDING}
        ), minute AS ({minutes})
        SELECT month, grouping, group_key, kind, unit, before <= low AND low < before + count,
            before <= high AND high < before + count
        FROM minute WHERE {HOLDING}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _medians(filters: OverTimeFilters, region_names: dict[int, str]) -> dict[Key, Medians]:
    middles: dict[tuple[Any, ...], dict[str, int]] = defaultdict(dict)
    for month, grouping, group_key, kind, minutes, low, high in _middle_delays(filters):
        if low:
            middles[(month, grouping, group_key, kind)]["low"] = minutes
        if high:
            middles[(month, grouping, group_key, kind)]["high"] = minutes
    found: dict[Key, dict[str, timedelta]] = defaultdict(dict)
    for (month, grouping, group_key, kind), middle in middles.items():
        day = _month_of(month)
        if grouping == Grouping.ALL:
            key: Key = (ALL, day, None)
        elif grouping == Grouping.REGION:
            key = (BY_REGION, day, region_names.get(int(group_key)))
        else:
            key = (BY_TYPE, day, group_key)
        found[key][kind] = timedelta(minutes=(middle["low"] + middle["high"]) / 2)
    return {
        key: Medians(times.get(DelayKind.ACKNOWLEDGE), times.get(DelayKind.COMPLETE)) for key, times in found.items()
    }


def figures_from_summaries(
    filters: OverTimeFilters,
) -> tuple[dict[Key, Acknowledgements], dict[Key, Medians]]:
    """The counts and medians of each month, overall, by region (by name) and by type: three queries."""
    names = dict(Region.objects.values_list("pk", "name"))
    return _counts(filters, names), _medians(filters, names)
