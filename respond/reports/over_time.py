"""Compliance over time: per month of publication (in London), the share of organisations that acknowledged within
the window and the median times, overall, by NHS England region and by organisation type."""

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import F, FilteredRelation, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from respond.alerts.models import RELEASED_STATUSES, Alert
from respond.reports.services import NO_REGION, type_label
from respond.reports.statistics import (
    Acknowledgements,
    Medians,
    acknowledgements_of,
    count_annotations,
    grouped_medians,
)
from respond.responses.models import Response

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

    @property
    def total(self) -> Acknowledgements:
        return sum((month.acknowledgements for month in self.months), Acknowledgements())


def _month(value: Any) -> date:
    """TruncMonth gives an aware datetime in London on both databases (a date on some): the first of the month."""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return date(value.year, value.month, 1)


def _series(
    counts: dict[tuple[Hashable, ...], Acknowledgements],
    times: dict[tuple[Hashable, ...], Medians],
    label: str,
) -> GroupSeries:
    months = [
        MonthFigures(month=key[0], acknowledgements=counts[key], medians=times.get(key, Medians()))  # type: ignore[arg-type]
        for key in sorted(counts)
    ]
    return GroupSeries(
        label=label, months=months, acknowledgements=sum((m.acknowledgements for m in months), Acknowledgements())
    )


def compliance_over_time(filters: OverTimeFilters) -> OverTime:
    """One query for the counts (month x region x type, summed here), and the medians by month, by month and
    region, and by month and type (one query each on PostgreSQL; one in all elsewhere)."""
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
    Counts = dict[tuple[Hashable, ...], Acknowledgements]
    overall: Counts = defaultdict(Acknowledgements)
    regions: dict[str, Counts] = defaultdict(lambda: defaultdict(Acknowledgements))
    types: dict[str, Counts] = defaultdict(lambda: defaultdict(Acknowledgements))
    for row in in_scope:
        month, figures = _month(row["month"]), acknowledgements_of(row)
        overall[(month,)] += figures
        regions[row[REGION] or NO_REGION][(month,)] += figures
        types[row[TYPE]][(month,)] += figures

    responses: QuerySet[Response] = Response.objects.filter(filters.q()).annotate(
        month=TruncMonth("alert__published_at")
    )
    medians: dict[tuple[str, ...], dict[tuple[Hashable, ...], Medians]] = {
        grouping: {
            (_month(key[0]), *key[1:]): value for key, value in grouped_medians(responses, ["month", *grouping]).items()
        }
        for grouping in ((), (REGION,), (TYPE,))
    }

    def times_of(grouping: tuple[str, ...], value: str | None) -> dict[tuple[Hashable, ...], Medians]:
        return {(key[0],): medians_ for key, medians_ in medians[grouping].items() if key[1] == value}

    by_region = [
        _series(regions[name], times_of((REGION,), None if name == NO_REGION else name), name)
        for name in sorted(regions, key=lambda name: (name == NO_REGION, name))
    ]
    by_type = [
        _series(types[value], times_of((TYPE,), value), type_label(value)) for value in sorted(types, key=type_label)
    ]
    return OverTime(months=_series(overall, medians[()], "All").months, by_region=by_region, by_type=by_type)
