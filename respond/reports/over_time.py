"""Compliance over time: per month of publication (in London), the share of organisations that acknowledged within
the window and the median times, overall, by NHS England region and by organisation type.

For whole months and no other filter (as the page opens), the figures are read from the summaries the response
writes keep (respond.reports.over_time_summaries). Otherwise, on PostgreSQL one query reads the in-scope
organisations of the period's alerts once, with their responses, and works out the counts and the medians of the
three groupings together (GROUPING SETS). Elsewhere (SQLite, in development) one query counts and another reads the
acknowledged responses' times, whose medians are worked out here. A finished report is kept in the cache for a few
minutes, and the page says when it was worked out."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import F, FilteredRelation, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from respond.alerts.models import RELEASED_STATUSES, Alert
from respond.organisations.models import Organisation, Region
from respond.reports.over_time_filters import (
    ALL,
    BY_REGION,
    BY_TYPE,
    Key,
    OverTimeFilters,
    london_midnight,
    month_start,
)
from respond.reports.over_time_summaries import figures_from_summaries, summarised
from respond.reports.services import NO_REGION, type_label
from respond.reports.statistics import (
    Acknowledgements,
    Medians,
    acknowledgements_of,
    count_annotations,
    medians_in_python,
)
from respond.responses.models import Response, ResponseStatus

REGION = "organisation__region__name"
TYPE = "organisation__organisation_type"


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


# The figures are worked out afresh at most this often (the page says when they were).
FIGURES_KEPT_FOR = timedelta(minutes=5)


def _duration(microseconds: float | None) -> timedelta | None:
    return None if microseconds is None else timedelta(microseconds=microseconds)


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _figures_in_postgresql(filters: OverTimeFilters) -> tuple[dict[Key, Acknowledgements], dict[Key, Medians]]:
    """One scan of the period's in-scope organisations and their responses. Each alert's month is worked out once,
    and its pairs are joined alert by alert (OFFSET 0 keeps the subqueries apart), through the alert's indexes,
    rather than by hashing every response ever made. Responses are only opened for organisations in scope, so these
    are the same responses the other path reads. Medians are of whole microseconds as float8, which sorts faster
    than intervals; a halfway value is then rounded as Python rounds half a timedelta, so both paths give the same
    medians."""
    alert_conditions = ["status = ANY(%(released)s)", "response_required"]
    conditions: list[str] = []
    params: dict[str, Any] = {
        "timezone": timezone.get_current_timezone_name(),
        "released": sorted(RELEASED_STATUSES),
        "complete": ResponseStatus.COMPLETE.value,
    }
    if filters.date_from:
        alert_conditions.append("published_at >= %(date_from)s")
        params["date_from"] = london_midnight(filters.date_from)
    if filters.date_to:
        alert_conditions.append("published_at < %(date_to)s")
        params["date_to"] = london_midnight(filters.date_to + timedelta(days=1))
    if filters.severity:
        alert_conditions.append("severity = %(severity)s")
        params["severity"] = filters.severity
    if filters.organisation_type:
        conditions.append("organisation.organisation_type = %(organisation_type)s")
        params["organisation_type"] = filters.organisation_type
    if filters.region_code:
        conditions.append("region.code = %(region_code)s")
        params["region_code"] = filters.region_code
    # Only table names from the models and the fixed conditions above are put into the text; values are parameters.
    # Regions are grouped by name, as elsewhere, through the first region of each name: sorting numbers is quicker.
    sql = f"""
        SELECT month, grouping, region.name, organisation_type, in_scope, acknowledged, late,
            to_acknowledge, to_complete
        FROM (
            SELECT month, GROUPING(region_key, organisation_type) AS grouping, region_key, organisation_type,
                COUNT(*) AS in_scope, COUNT(to_acknowledge) AS acknowledged,
                COUNT(*) FILTER (WHERE NOT acknowledged_within_window) AS late,
                PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY to_acknowledge) AS to_acknowledge,
                PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY to_complete) AS to_complete
            FROM (
                SELECT alert.month, region.key AS region_key,
                    organisation.organisation_type COLLATE "C" AS organisation_type,
                    pair.acknowledged_within_window,
                    ROUND(DATE_PART('epoch', pair.acknowledged_at - alert.published_at) * 1000000) AS to_acknowledge,
                    CASE WHEN pair.status = %(complete)s
                        THEN ROUND(DATE_PART('epoch', pair.closed_at - alert.published_at) * 1000000)
                    END AS to_complete
                FROM (
                    SELECT id, published_at,
                        DATE_TRUNC('month', published_at AT TIME ZONE %(timezone)s)::date AS month
                    FROM {_table(Alert)}
                    WHERE {" AND ".join(alert_conditions)}
                    OFFSET 0
                ) alert
                CROSS JOIN LATERAL (
                    SELECT link.organisation_id, response.acknowledged_at, response.acknowledged_within_window,
                        response.status, response.closed_at
                    FROM {_table(Alert.organisations.through)} link
                    LEFT JOIN {_table(Response)} response
                        ON response.alert_id = alert.id AND response.organisation_id = link.organisation_id
                    WHERE link.alert_id = alert.id
                    OFFSET 0
                ) pair
                JOIN {_table(Organisation)} organisation ON organisation.id = pair.organisation_id
                LEFT JOIN (
                    SELECT id, code, MIN(id) OVER (PARTITION BY name) AS key FROM {_table(Region)}
                ) region ON region.id = organisation.region_id
                {"WHERE " + " AND ".join(conditions) if conditions else ""}
            ) in_scope
            GROUP BY GROUPING SETS ((month), (month, region_key), (month, organisation_type))
        ) figures
        LEFT JOIN {_table(Region)} region ON region.id = figures.region_key
    """  # noqa: S608
    kinds = {0b11: ALL, 0b01: BY_REGION, 0b10: BY_TYPE}
    counts: dict[Key, Acknowledgements] = {}
    medians: dict[Key, Medians] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # For this transaction only: compiling this query to machine code (JIT) costs more than it saves.
        cursor.execute("SELECT set_config('jit', 'off', true)")
        cursor.execute(sql, params)
        for (
            month,
            grouping,
            region,
            organisation_type,
            in_scope,
            acknowledged,
            late,
            to_acknowledge,
            to_complete,
        ) in cursor.fetchall():
            kind = kinds[grouping]
            key = (kind, month, region if kind == BY_REGION else organisation_type if kind == BY_TYPE else None)
            counts[key] = Acknowledgements(in_scope=in_scope, within_window=acknowledged - late, late=late)
            medians[key] = Medians(_duration(to_acknowledge), _duration(to_complete))
    return counts, medians


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
        month, figures = month_start(row["month"]), acknowledgements_of(row)
        for key in _keys(month, row[REGION], row[TYPE]):
            counts[key] += figures
    timings = (
        Response.objects.filter(filters.q(), acknowledged_at__isnull=False)
        .annotate(month=TruncMonth("alert__published_at"))
        .values_list("month", REGION, TYPE, "alert__published_at", "acknowledged_at", "closed_at", "status")
        .order_by()
    )
    rows = [
        (key, *times) for month, region, type_, *times in timings for key in _keys(month_start(month), region, type_)
    ]
    medians = {cast(Key, key[0]): value for key, value in medians_in_python(rows, 1).items()}
    return dict(counts), medians


def _keys(month: date, region: str | None, organisation_type: str) -> Iterable[Key]:
    return ((ALL, month, None), (BY_REGION, month, region), (BY_TYPE, month, organisation_type))


def _series(months: dict[date, Acknowledgements], medians: dict[date, Medians], label: str) -> GroupSeries:
    figures = [
        MonthFigures(month=month, acknowledgements=months[month], medians=medians.get(month, Medians()))
        for month in sorted(months)
    ]
    whole = Acknowledgements(
        in_scope=sum(months[month].in_scope for month in months),
        within_window=sum(months[month].within_window for month in months),
        late=sum(months[month].late for month in months),
    )
    return GroupSeries(label=label, months=figures, acknowledgements=whole)


def compliance_over_time(filters: OverTimeFilters, regions: Iterable[Region] | None = None) -> OverTime:
    """Read from the summaries for whole months and no other filter (one query; `regions`, all of them, saves
    another); otherwise worked out by the database on PostgreSQL (one query), elsewhere partly here (two)."""
    if summarised(filters):
        counts, medians = figures_from_summaries(filters, regions)
    elif connection.vendor == "postgresql":
        counts, medians = _figures_in_postgresql(filters)
    else:
        counts, medians = _figures_elsewhere(filters)
    grouped: dict[str, dict[str, dict[date, Acknowledgements]]] = defaultdict(lambda: defaultdict(dict))
    times: dict[str, dict[str | None, dict[date, Medians]]] = defaultdict(lambda: defaultdict(dict))
    for (kind, month, value), figures in counts.items():
        # Organisations without a region are shown together, after the regions.
        label = (value or NO_REGION) if kind == BY_REGION else value or ""
        months = grouped[kind][label]
        months[month] = months[month] + figures if month in months else figures
    for (kind, month, value), value_medians in medians.items():
        times[kind][value][month] = value_medians

    def region_times(name: str) -> dict[date, Medians]:
        return times[BY_REGION][None if name == NO_REGION else name]

    by_region, types = grouped[BY_REGION], grouped[BY_TYPE]
    return OverTime(
        months=_series(grouped[ALL][""], times[ALL][None], "All").months,
        by_region=[
            _series(by_region[name], region_times(name), name)
            for name in sorted(by_region, key=lambda name: (name == NO_REGION, name))
        ],
        by_type=[
            _series(types[value], times[BY_TYPE][value], type_label(value)) for value in sorted(types, key=type_label)
        ],
        calculated_at=timezone.now(),
    )
