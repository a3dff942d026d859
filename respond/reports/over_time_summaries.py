"""Compliance over time read from the summaries (respond.responses.summary_models) rather than worked out from the
responses: the counts from the alerts' rows, the medians from the delays counted by month and group. Used for
whole months with no other filter (the page as it opens, and any range of whole months); other filters are
worked out from the responses (respond.reports.over_time).

A median is read in two steps, both in the database: the bands' running counts say which band holds the middle
delay (or the two middle ones) of each group, then the running counts of those bands' minutes say which minute it
is. The medians are of the delays in whole minutes, as the alert report's (and as the page shows them)."""

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
from respond.responses.summary_models import AlertCounts, DelayKind, Grouping, MonthDelayBands, MonthDelays


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


def _middle_bands(filters: OverTimeFilters) -> list[tuple[Any, ...]]:
    """For each group: the band(s) holding its middle delays, with the count before the band and the ranks (from
    0) of the middle delays: (month, grouping, group key, kind, band, before, low rank, high rank)."""
    conditions, params = ["count > 0"], []
    if filters.date_from:
        conditions.append("month >= %s")
        params.append(_month_number(filters.date_from))
    if filters.date_to:
        conditions.append("month <= %s")
        params.append(_month_number(filters.date_to))
    group = "PARTITION BY month, grouping, group_key, kind"
    sql = f"""
        SELECT month, grouping, group_key, kind, band, before, (total - 1) / 2, total / 2 FROM (
            SELECT month, grouping, group_key, kind, band, count,
                COALESCE(SUM(count) OVER ({group} ORDER BY band ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                    AS before,
                SUM(count) OVER ({group}) AS total
            FROM {_table(MonthDelayBands)} WHERE {" AND ".join(conditions)}
        ) bands
        WHERE (before <= (total - 1) / 2 AND (total - 1) / 2 < before + count)
            OR (before <= total / 2 AND total / 2 < before + count)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _middle_delays(bands: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The minute of each middle delay: (month, grouping, group key, kind, minutes, holds low rank, holds high)."""
    if not bands:
        return []
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(bands))
    sql = f"""
        WITH target(month, grouping, group_key, kind, band, before, low, high) AS (VALUES {values})
        SELECT month, grouping, group_key, kind, minutes, below <= low AND low < below + count,
            below <= high AND high < below + count
        FROM (
            SELECT target.month, target.grouping, target.group_key, target.kind, delays.minutes, delays.count,
                target.low, target.high,
                target.before + SUM(delays.count) OVER (
                    PARTITION BY target.month, target.grouping, target.group_key, target.kind, target.band
                    ORDER BY delays.minutes
                ) - delays.count AS below
            FROM target JOIN {_table(MonthDelays)} delays
                ON delays.month = target.month AND delays.grouping = target.grouping
                AND delays.group_key = target.group_key AND delays.kind = target.kind AND delays.band = target.band
            WHERE delays.count > 0
        ) minutes
        WHERE (below <= low AND low < below + count) OR (below <= high AND high < below + count)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for band in bands for value in band])
        return cursor.fetchall()


def _medians(filters: OverTimeFilters, region_names: dict[int, str]) -> dict[Key, Medians]:
    middles: dict[tuple[Any, ...], dict[str, int]] = defaultdict(dict)
    for month, grouping, group_key, kind, minutes, low, high in _middle_delays(_middle_bands(filters)):
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
