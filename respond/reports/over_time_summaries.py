"""Compliance over time read from the summaries (respond.responses.summary_models) rather than worked out from the
responses: per month of publication, for every organisation, each region and each type, the counts (MonthCounts)
and the middle delays (MonthMedians, kept by every write: respond.responses.month_medians). Used for whole months
with no other filter (the page as it opens, and any range of whole months); other filters are worked out from the
responses (respond.reports.over_time). The medians are of the delays in whole minutes, as the alert report's (and
as the page shows them): halfway between the two middle delays (the same one for an odd number)."""

# ruff: noqa: S608 - only table names from the models go into the statement; values are parameters

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import connection

from respond.organisations.models import Region
from respond.reports.over_time_filters import ALL, BY_REGION, BY_TYPE, Key, OverTimeFilters
from respond.reports.statistics import Acknowledgements, Medians
from respond.responses.summary_models import DelayKind, Grouping, MonthCounts, MonthMedians


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


def _key(month: int, grouping: str, group_key: str, region_names: dict[int, str]) -> Key:
    day = _month_of(month)
    if grouping == Grouping.ALL:
        return (ALL, day, None)
    if grouping == Grouping.REGION:
        return (BY_REGION, day, region_names.get(int(group_key)))
    return (BY_TYPE, day, group_key)


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _rows(filters: OverTimeFilters) -> list[tuple[Any, ...]]:
    """Each month's group's counts, with the sums of its two middle delays to acknowledge and to complete (None
    without delays): one statement."""
    conditions = ["counts.in_scope > 0"]
    params: list[int | str] = [DelayKind.ACKNOWLEDGE.value, DelayKind.COMPLETE.value]
    if filters.date_from:
        conditions.append("counts.month >= %s")
        params.append(_month_number(filters.date_from))
    if filters.date_to:
        conditions.append("counts.month <= %s")
        params.append(_month_number(filters.date_to))
    same_group = "{0}.month = counts.month AND {0}.grouping = counts.grouping AND {0}.group_key = counts.group_key"
    sql = f"""
        SELECT counts.month, counts.grouping, counts.group_key, counts.in_scope, counts.acknowledged, counts.late,
            acknowledge.low + acknowledge.high, complete.low + complete.high
        FROM {_table(MonthCounts)} counts
        LEFT JOIN {_table(MonthMedians)} acknowledge
            ON {same_group.format("acknowledge")} AND acknowledge.kind = %s AND acknowledge.total > 0
        LEFT JOIN {_table(MonthMedians)} complete
            ON {same_group.format("complete")} AND complete.kind = %s AND complete.total > 0
        WHERE {" AND ".join(conditions)}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _median(middles: int | None) -> timedelta | None:
    """Halfway between the two middle delays, whose minutes add up to `middles`."""
    return None if middles is None else timedelta(minutes=middles / 2)


def figures_from_summaries(
    filters: OverTimeFilters, regions: Iterable[Region] | None = None
) -> tuple[dict[Key, Acknowledgements], dict[Key, Medians]]:
    """The counts and medians of each month, overall, by region (by name) and by type: one small query, and one
    of the regions unless given them all."""
    names = (
        {region.pk: region.name for region in regions}
        if regions is not None
        else dict(Region.objects.values_list("pk", "name"))
    )
    counts: dict[Key, Acknowledgements] = {}
    medians: dict[Key, Medians] = {}
    for month, grouping, group_key, in_scope, acknowledged, late, to_acknowledge, to_complete in _rows(filters):
        key = _key(month, grouping, group_key, names)
        # Summed: a region renamed to another's name counts under both keys until its organisations are moved.
        figures = Acknowledgements(in_scope=in_scope, within_window=acknowledged - late, late=late)
        counts[key] = counts[key] + figures if key in counts else figures
        if to_acknowledge is not None or to_complete is not None:
            medians[key] = Medians(_median(to_acknowledge), _median(to_complete))
    return counts, medians
