"""Compliance over time read from the summaries (respond.responses.summary_models) rather than worked out from the
responses: per month of publication, for every organisation, each region and each type, the counts (MonthCounts)
and the middle delays (MonthMedians, kept by every write: respond.responses.month_medians). Used for whole months
with no other filter (the page as it opens, and any range of whole months); other filters are worked out from the
responses (respond.reports.over_time). The medians are of the delays in whole minutes, as the alert report's (and
as the page shows them): halfway between the two middle delays (the same one for an odd number)."""

from collections import defaultdict
from datetime import date, timedelta

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


def _in_period(filters: OverTimeFilters) -> dict[str, int]:
    period = {}
    if filters.date_from:
        period["month__gte"] = _month_number(filters.date_from)
    if filters.date_to:
        period["month__lte"] = _month_number(filters.date_to)
    return period


def _key(month: int, grouping: str, group_key: str, region_names: dict[int, str]) -> Key:
    day = _month_of(month)
    if grouping == Grouping.ALL:
        return (ALL, day, None)
    if grouping == Grouping.REGION:
        return (BY_REGION, day, region_names.get(int(group_key)))
    return (BY_TYPE, day, group_key)


def _counts(filters: OverTimeFilters, region_names: dict[int, str]) -> dict[Key, Acknowledgements]:
    rows = (
        MonthCounts.objects.filter(**_in_period(filters), in_scope__gt=0)
        .values_list("month", "grouping", "group_key", "in_scope", "acknowledged", "late")
        .order_by()
    )
    counts: dict[Key, Acknowledgements] = defaultdict(Acknowledgements)
    for month, grouping, group_key, in_scope, acknowledged, late in rows:
        # Summed: a region renamed to another's name counts under both keys until its organisations are moved.
        key = _key(month, grouping, group_key, region_names)
        counts[key] += Acknowledgements(in_scope=in_scope, within_window=acknowledged - late, late=late)
    return dict(counts)


def _medians(filters: OverTimeFilters, region_names: dict[int, str]) -> dict[Key, Medians]:
    rows = (
        MonthMedians.objects.filter(**_in_period(filters), total__gt=0)
        .values_list("month", "grouping", "group_key", "kind", "low", "high")
        .order_by()
    )
    found: dict[Key, dict[str, timedelta]] = {}
    for month, grouping, group_key, kind, low, high in rows:
        assert low is not None  # there are delays (total > 0)
        assert high is not None
        found.setdefault(_key(month, grouping, group_key, region_names), {})[kind] = timedelta(minutes=(low + high) / 2)
    return {
        key: Medians(times.get(DelayKind.ACKNOWLEDGE), times.get(DelayKind.COMPLETE)) for key, times in found.items()
    }


def figures_from_summaries(
    filters: OverTimeFilters,
) -> tuple[dict[Key, Acknowledgements], dict[Key, Medians]]:
    """The counts and medians of each month, overall, by region (by name) and by type: three small queries."""
    names = dict(Region.objects.values_list("pk", "name"))
    return _counts(filters, names), _medians(filters, names)
