"""Compliance over time: per month of publication (in London), the share of organisations that acknowledged within
the window and the median times, overall, by NHS England region and by organisation type.

Whole months come from the summary rows each response write keeps (respond.responses.summaries): counts by month,
severity, organisation type and region, and counts per whole minute of delay, whose medians the database reads for
every month and grouping in one query. A month the dates cover only part of is worked out from its responses. The
medians are of the delays in whole minutes, on every path. A finished report is kept in the cache for a few
minutes, and the page says when it was worked out."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.db import connection
from django.db.models import F, FilteredRelation, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from respond.alerts.models import RELEASED_STATUSES, Alert
from respond.organisations.models import Region
from respond.reports.services import NO_REGION, type_label
from respond.reports.statistics import (
    Acknowledgements,
    Medians,
    acknowledgements_of,
    count_annotations,
    medians_in_python,
)
from respond.responses.models import Response
from respond.responses.summary_models import DelayKind, MonthCounts, MonthDelays

REGION = "organisation__region__name"
TYPE = "organisation__organisation_type"


@dataclass(frozen=True)
class OverTimeFilters:
    date_from: date | None = None
    date_to: date | None = None
    severity: str = ""
    organisation_type: str = ""
    region_code: str = ""

    def q(self) -> Q:
        """The in-scope pairs (alert, organisation) these filters keep: paths from the alert-organisation link
        and from Response alike."""
        condition = Q(alert__status__in=RELEASED_STATUSES, alert__response_required=True)
        if self.date_from:
            condition &= Q(alert__published_at__gte=_london_midnight(self.date_from))
        if self.date_to:
            condition &= Q(alert__published_at__lt=_london_midnight(self.date_to + timedelta(days=1)))
        if self.severity:
            condition &= Q(alert__severity=self.severity)
        if self.organisation_type:
            condition &= Q(organisation__organisation_type=self.organisation_type)
        if self.region_code:
            condition &= Q(organisation__region__code=self.region_code)
        return condition


def _london_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


@dataclass(frozen=True)
class MonthFigures:
    month: date
    acknowledgements: Acknowledgements
    medians: Medians


@dataclass(frozen=True)
class GroupSeries:
    """One region's or organisation type's months."""

    label: str
    months: list[MonthFigures]
    acknowledgements: Acknowledgements = field(default_factory=Acknowledgements)  # over the whole period


@dataclass(frozen=True)
class OverTime:
    months: list[MonthFigures]
    by_region: list[GroupSeries]
    by_type: list[GroupSeries]
    calculated_at: datetime | None = None

    @property
    def total(self) -> Acknowledgements:
        return sum((month.acknowledgements for month in self.months), Acknowledgements())


ALL, BY_REGION, BY_TYPE = "all", "region", "type"
# (grouping, month, region name or organisation type; None for ALL and for organisations without a region)
Key = tuple[str, date, str | None]
# The figures are worked out afresh at most this often (the page says when they were).
FIGURES_KEPT_FOR = timedelta(minutes=5)


def _month(value: Any) -> date:
    """TruncMonth gives an aware datetime in London on both databases (a date on some; SQLite's raw rows give
    text): the first of the month."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return date(value.year, value.month, 1)


def _duration(microseconds: float | None) -> timedelta | None:
    return None if microseconds is None else timedelta(microseconds=microseconds)


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _whole_months(filters: OverTimeFilters) -> tuple[date | None, date | None, list[tuple[date, date]]]:
    """The first and last whole months the dates cover (None: no bound), which the summaries give; and the parts of
    a month (from, to) at either end that the dates only partly cover, which are worked out from the responses."""
    date_from, date_to = filters.date_from, filters.date_to
    first = last = None
    if date_from:
        first = date_from if date_from.day == 1 else _month_end(date_from) + timedelta(days=1)
    if date_to:
        last = date_to.replace(day=1) if date_to == _month_end(date_to) else date_to.replace(day=1) - timedelta(days=1)
        last = last.replace(day=1)
    parts = []
    if date_from and date_from.day != 1:
        parts.append((date_from, min(_month_end(date_from), date_to) if date_to else _month_end(date_from)))
    if date_to and date_to != _month_end(date_to):
        start = max(date_to.replace(day=1), date_from) if date_from else date_to.replace(day=1)
        if not parts or parts[0][0].replace(day=1) != start.replace(day=1):
            parts.append((start, date_to))
    return first, last, parts


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _summary_conditions(filters: OverTimeFilters, first: date | None, last: date | None) -> tuple[str, list[Any]]:
    conditions: list[str] = ["1 = 1"]
    params: list[Any] = []
    if first:
        conditions.append("summary.month >= %s")
        params.append(first)
    if last:
        conditions.append("summary.month <= %s")
        params.append(last)
    if filters.severity:
        conditions.append("summary.severity = %s")
        params.append(filters.severity)
    if filters.organisation_type:
        conditions.append("summary.organisation_type = %s")
        params.append(filters.organisation_type)
    if filters.region_code:
        conditions.append(f"summary.region_key IN (SELECT id FROM {_table(Region)} WHERE code = %s)")  # noqa: S608
        params.append(filters.region_code)
    return " AND ".join(conditions), params


def _summary_q(filters: OverTimeFilters, first: date | None, last: date | None) -> Q:
    condition = Q()
    if first:
        condition &= Q(month__gte=first)
    if last:
        condition &= Q(month__lte=last)
    if filters.severity:
        condition &= Q(severity=filters.severity)
    if filters.organisation_type:
        condition &= Q(organisation_type=filters.organisation_type)
    if filters.region_code:
        condition &= Q(region_key__in=Subquery(Region.objects.filter(code=filters.region_code).values("pk")))
    return condition


def _figures_from_summaries(
    filters: OverTimeFilters, first: date | None, last: date | None
) -> tuple[dict[Key, Acknowledgements], dict[Key, Medians]]:
    """The whole months' figures, from the summary rows kept by each response write (respond.responses.summaries):
    the counts summed here, and the medians read from the counts per minute of delay by the database, for each
    month and grouping at once: the delay at which the running count passes the middle."""
    where, params = _summary_conditions(filters, first, last)
    counts: dict[Key, Acknowledgements] = defaultdict(Acknowledgements)
    regions = dict(Region.objects.values_list("pk", "name"))
    rows = (
        MonthCounts.objects.filter(_summary_q(filters, first, last))
        .values_list("month", "organisation_type", "region_key", "in_scope", "acknowledged", "late")
        .order_by()
    )
    for month, organisation_type, region_key, in_scope, acknowledged, late in rows:
        figures = Acknowledgements(in_scope=in_scope, within_window=acknowledged - late, late=late)
        for key in _keys(_month(month), regions.get(region_key), organisation_type):
            counts[key] += figures
    # Grouped and sorted by bytes, not by the locale's rules: the same groups, much quicker on PostgreSQL.
    binary = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    sql = f"""
        WITH filtered AS (
            SELECT summary.month, summary.organisation_type{binary} AS organisation_type,
                COALESCE(region.name, ''){binary} AS region, summary.kind{binary} AS kind, summary.minutes,
                summary.count
            FROM {_table(MonthDelays)} summary LEFT JOIN {_table(Region)} region ON region.id = summary.region_key
            WHERE {where}
        ), grouped AS (
            SELECT 0 AS grouping, month, ''{binary} AS value, kind, minutes, CAST(SUM(count) AS INTEGER) AS n
            FROM filtered GROUP BY month, kind, minutes
            UNION ALL
            SELECT 1, month, region, kind, minutes, CAST(SUM(count) AS INTEGER)
            FROM filtered GROUP BY month, region, kind, minutes
            UNION ALL
            SELECT 2, month, organisation_type, kind, minutes, CAST(SUM(count) AS INTEGER)
            FROM filtered GROUP BY month, organisation_type, kind, minutes
        ), running AS (
            SELECT grouping, month, value, kind, minutes,
                SUM(n) OVER (PARTITION BY grouping, month, value, kind ORDER BY minutes ROWS UNBOUNDED PRECEDING)
                    AS upto,
                SUM(n) OVER (PARTITION BY grouping, month, value, kind) AS total
            FROM grouped WHERE n <> 0
        )
        SELECT grouping, month, value, kind, MIN(CASE WHEN upto >= (total + 1) / 2 THEN minutes END),
            MIN(CASE WHEN upto >= total / 2 + 1 THEN minutes END)
        FROM running GROUP BY grouping, month, value, kind
    """  # noqa: S608 - table names from the models, conditions from the fixed texts above; values are parameters
    times: dict[Key, dict[str, timedelta]] = defaultdict(dict)
    kinds = {0: ALL, 1: BY_REGION, 2: BY_TYPE}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for grouping, month, value, kind, low, high in cursor.fetchall():
            kind_of_grouping = kinds[grouping]
            label = None if kind_of_grouping == ALL or (kind_of_grouping == BY_REGION and not value) else value
            times[(kind_of_grouping, _month(month), label)][kind] = timedelta(minutes=(low + high) / 2)
    medians = {
        key: Medians(found.get(DelayKind.ACKNOWLEDGE), found.get(DelayKind.COMPLETE)) for key, found in times.items()
    }
    return dict(counts), medians


def _figures_elsewhere(filters: OverTimeFilters) -> tuple[dict[Key, Acknowledgements], dict[Key, Medians]]:
    """The counts by month, region and type (summed here into each grouping), and the acknowledged responses'
    times, whose medians are worked out here."""
    in_scope = (
        Alert.organisations.through.objects.filter(filters.q())
        .annotate(
            response=FilteredRelation(
                "organisation__responses", condition=Q(organisation__responses__alert_id=F("alert_id"))
            ),
            month=TruncMonth("alert__published_at"),
        )
        .values("month", REGION, TYPE)
        .annotate(**count_annotations("response__"))
        .order_by()
    )
    counts: dict[Key, Acknowledgements] = defaultdict(Acknowledgements)
    for row in in_scope:
        month, figures = _month(row["month"]), acknowledgements_of(row)
        for key in _keys(month, row[REGION], row[TYPE]):
            counts[key] += figures
    timings = (
        Response.objects.filter(filters.q(), acknowledged_at__isnull=False)
        .annotate(month=TruncMonth("alert__published_at"))
        .values_list("month", REGION, TYPE, "alert__published_at", "acknowledged_at", "closed_at", "status")
        .order_by()
    )
    rows = [(key, *times) for month, region, type_, *times in timings for key in _keys(_month(month), region, type_)]
    medians = {cast(Key, key[0]): value for key, value in medians_in_python(rows, 1, whole_minutes=True).items()}
    return dict(counts), medians


def _keys(month: date, region: str | None, organisation_type: str) -> Iterable[Key]:
    return ((ALL, month, None), (BY_REGION, month, region), (BY_TYPE, month, organisation_type))


def _series(months: dict[date, Acknowledgements], medians: dict[date, Medians], label: str) -> GroupSeries:
    figures = [
        MonthFigures(month=month, acknowledgements=months[month], medians=medians.get(month, Medians()))
        for month in sorted(months)
    ]
    return GroupSeries(
        label=label, months=figures, acknowledgements=sum((m.acknowledgements for m in figures), Acknowledgements())
    )


def compliance_over_time(filters: OverTimeFilters) -> OverTime:
    """The whole months from the summaries (two queries), a month the dates cover only part of from its responses
    (two more)."""
    first, last, parts = _whole_months(filters)
    counts: dict[Key, Acknowledgements] = {}
    medians: dict[Key, Medians] = {}
    if not (first and last and first > last):
        counts, medians = _figures_from_summaries(filters, first, last)
    for date_from, date_to in parts:
        part_counts, part_medians = _figures_elsewhere(replace(filters, date_from=date_from, date_to=date_to))
        counts.update(part_counts)
        medians.update(part_medians)
    grouped: dict[str, dict[str, dict[date, Acknowledgements]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(Acknowledgements))
    )
    times: dict[str, dict[str | None, dict[date, Medians]]] = defaultdict(lambda: defaultdict(dict))
    for (kind, month, value), figures in counts.items():
        # Organisations without a region are shown together, after the regions.
        label = (value or NO_REGION) if kind == BY_REGION else value or ""
        grouped[kind][label][month] += figures
    for (kind, month, value), value_medians in medians.items():
        times[kind][value][month] = value_medians

    def region_times(name: str) -> dict[date, Medians]:
        return times[BY_REGION][None if name == NO_REGION else name]

    regions, types = grouped[BY_REGION], grouped[BY_TYPE]
    return OverTime(
        months=_series(grouped[ALL][""], times[ALL][None], "All").months,
        by_region=[
            _series(regions[name], region_times(name), name)
            for name in sorted(regions, key=lambda name: (name == NO_REGION, name))
        ],
        by_type=[
            _series(types[value], times[BY_TYPE][value], type_label(value)) for value in sorted(types, key=type_label)
        ],
        calculated_at=timezone.now(),
    )
