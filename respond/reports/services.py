"""The compliance figures behind the alert reports: every alert's, and one alert's by organisation type and region
(an organisation's history is in organisation_history). Each function runs a fixed number of aggregate queries
however many organisations, alerts and responses there are, read from the summary rows every response write keeps
(respond.responses.summaries); the pages that show them are cached (respond.core.fragments)."""

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import F, FilteredRelation, Q, QuerySet, Sum

from respond.alerts.models import Alert, AlertQuerySet
from respond.core.kept_statements import KeptStatement, Pages, in_model_order
from respond.organisations.models import Organisation, OrganisationType, Region
from respond.reports.statistics import (
    Acknowledgements,
    Medians,
    StatusCounts,
    acknowledgements_of,
    statuses_of,
)
from respond.responses.models import ResponseStatus
from respond.responses.summaries import COUNT_FIELDS
from respond.responses.summary_models import AlertCounts, AlertDelays, DelayKind

NO_REGION = "No region"


def reported_alerts() -> AlertQuerySet:
    """Released alerts that ask for a response, newest first."""
    return Alert.objects.released().filter(response_required=True).order_by("-published_at", "-pk")


def reported_years() -> list[int]:
    """The years reported alerts were published in, newest first: one small query of the alerts."""
    return sorted({moment.year for moment in reported_alerts().datetimes("published_at", "year")}, reverse=True)


# All alerts -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertSummary:
    alert: Alert
    acknowledgements: Acknowledgements
    deadline_passed: bool


def alert_summaries(alerts: Sequence[Alert], *, now: datetime) -> list[AlertSummary]:
    """Each alert's headline figures, in one query (see _acknowledgements_by_alert). Not cached on their own:
    the reports list that shows them is (respond.reports.views.index)."""
    acknowledgements = _acknowledgements_by_alert([alert.pk for alert in alerts])
    return [
        AlertSummary(
            alert=alert,
            acknowledgements=acknowledgements[alert.pk],
            deadline_passed=alert.deadline_at is not None and alert.deadline_at < now,
        )
        for alert in alerts
    ]


def _acknowledgements_by_alert(alert_ids: list[int]) -> dict[int, Acknowledgements]:
    """One query, of the alerts' summary rows (respond.responses.summaries)."""
    found = {
        alert_id: {"in_scope": in_scope, "acknowledged": acknowledged, "late": late}
        for alert_id, in_scope, acknowledged, late in AlertCounts.objects.filter(alert_id__in=alert_ids)
        .values("alert_id")
        .annotate(total_in_scope=Sum("in_scope"), total_acknowledged=Sum("acknowledged"), total_late=Sum("late"))
        .values_list("alert_id", "total_in_scope", "total_acknowledged", "total_late")
        .order_by()
    }
    empty = {"in_scope": 0, "acknowledged": 0, "late": 0}
    return {alert_id: acknowledgements_of(found.get(alert_id, empty)) for alert_id in alert_ids}


# One alert --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupFigures:
    """The figures of one group of organisations: an organisation type or a region."""

    label: str
    acknowledgements: Acknowledgements
    statuses: StatusCounts


@dataclass(frozen=True)
class AlertFigures:
    """What the alert report counts: worked out from every in-scope organisation's response."""

    acknowledgements: Acknowledgements
    statuses: StatusCounts
    by_type: list[GroupFigures]
    by_region: list[GroupFigures]
    medians: Medians

    def count_shown(self, show: str) -> int:
        """How many organisations the list shows with the filter `show` (see ORGANISATION_FILTERS)."""
        if show == "not_acknowledged":
            return self.acknowledgements.not_acknowledged
        if show == "late":
            return self.acknowledgements.late
        if show in ORGANISATION_FILTERS:
            return getattr(self.statuses, show)
        return self.acknowledgements.in_scope


@dataclass(frozen=True)
class AlertReport:
    alert: Alert
    figures: AlertFigures
    deadline_passed: bool

    @property
    def acknowledgements(self) -> Acknowledgements:
        return self.figures.acknowledgements

    @property
    def statuses(self) -> StatusCounts:
        return self.figures.statuses

    @property
    def by_type(self) -> list[GroupFigures]:
        return self.figures.by_type

    @property
    def by_region(self) -> list[GroupFigures]:
        return self.figures.by_region

    @property
    def medians(self) -> Medians:
        return self.figures.medians


def _in_scope_with_response(alert: Alert | int) -> QuerySet[Organisation]:
    return Organisation.objects.filter(alerts=alert).annotate(
        response=FilteredRelation("responses", condition=Q(responses__alert=alert))
    )


def _groups(rows: Sequence[Mapping[str, Any]], label: Callable[[Mapping[str, Any]], str]) -> list[GroupFigures]:
    acknowledgements: dict[str, Acknowledgements] = defaultdict(Acknowledgements)
    statuses: dict[str, StatusCounts] = defaultdict(StatusCounts)
    for row in rows:
        acknowledgements[label(row)] += acknowledgements_of(row)
        statuses[label(row)] += statuses_of(row)
    return [
        GroupFigures(label=name, acknowledgements=acknowledgements[name], statuses=statuses[name])
        for name in sorted(acknowledgements, key=lambda name: (name == NO_REGION, name))
    ]


TYPE_LABELS = dict(OrganisationType.choices)


def type_label(value: str) -> str:
    # A dict rather than OrganisationType(value).label: an alert's figures label each of their rows.
    return str(TYPE_LABELS.get(value, value))


def alert_report(*, alert: Alert, now: datetime) -> AlertReport:
    """Read from the summary rows each response write keeps, in one statement; not cached on their own (the pages
    that show them are: a cache of the figures too cost more queries afresh than it saved)."""
    return AlertReport(
        alert=alert,
        figures=_alert_figures(alert.pk),
        deadline_passed=alert.deadline_at is not None and alert.deadline_at < now,
    )


# The median delay of each kind from an alert's delay counts, as PERCENTILE_CONT(0.5) would give it from the delays
# themselves: the minutes at which the running count first reaches the lower and the higher middle rank, halfway
# between the two (tests/reports/reference_medians.py works it out one count at a time). In the database, as the
# national alert has a row for each of 2,000 minutes (reading them all was 4 ms of its report).
ALERT_MEDIANS_SQL = """
SELECT kind, MIN(minutes) FILTER (WHERE seen >= (total + 1) / 2) AS low,
    MIN(minutes) FILTER (WHERE seen >= total / 2 + 1) AS high
FROM (
    SELECT kind, minutes,
        SUM(count) OVER (PARTITION BY kind ORDER BY minutes) AS seen, SUM(count) OVER (PARTITION BY kind) AS total
    FROM {delays} WHERE alert_id = %s AND count > 0
) AS running
GROUP BY kind
"""
# The alert's counts by organisation type and region, then its medians: one statement, as each costs the page a
# round trip and Django's compiling of it (together 2 ms of the report worked out afresh).
ALERT_FIGURES_SQL = """
SELECT counts.organisation_type, region.name, {count_columns}, NULL AS kind, NULL AS low, NULL AS high
FROM {counts} AS counts LEFT JOIN {regions} AS region ON region.id = counts.region_key
WHERE counts.alert_id = %s
UNION ALL
SELECT NULL, NULL, {no_counts}, kind, low, high FROM ({medians}) AS medians
"""


def _alert_figures_sql() -> str:
    quote = connection.ops.quote_name
    return ALERT_FIGURES_SQL.format(
        count_columns=", ".join(f"counts.{quote(name)}" for name in COUNT_FIELDS),
        counts=quote(AlertCounts._meta.db_table),
        regions=quote(Region._meta.db_table),
        no_counts=", ".join("NULL" for _name in COUNT_FIELDS),
        medians=ALERT_MEDIANS_SQL.format(delays=quote(AlertDelays._meta.db_table)),
    )


def _alert_figures(alert_id: int) -> AlertFigures:
    """From the alert's summary rows (respond.responses.summaries), in one statement: its counts by organisation
    type and region (summed here for the totals), and its medians, read from its counts per minute of delay."""
    rows: list[dict[str, Any]] = []
    middles: dict[str, timedelta] = {}
    with connection.cursor() as cursor:
        cursor.execute(_alert_figures_sql(), [alert_id, alert_id])
        for organisation_type, region_name, *counts, kind, low, high in cursor.fetchall():
            if kind is None:
                rows.append({"organisation_type": organisation_type, "region_name": region_name})
                rows[-1].update(zip(COUNT_FIELDS, counts, strict=True))
            else:
                middles[kind] = timedelta(minutes=(low + high) / 2)
    by_type = _groups(rows, lambda row: type_label(row["organisation_type"]))
    return AlertFigures(
        acknowledgements=sum((group.acknowledgements for group in by_type), Acknowledgements()),
        statuses=sum((group.statuses for group in by_type), StatusCounts()),
        by_type=by_type,
        by_region=_groups(rows, lambda row: row["region_name"] or NO_REGION),
        medians=Medians(acknowledge=middles.get(DelayKind.ACKNOWLEDGE), complete=middles.get(DelayKind.COMPLETE)),
    )


ORGANISATION_FILTERS: dict[str, Q] = {
    "not_acknowledged": Q(response__acknowledged_at__isnull=True),
    "late": Q(response__acknowledged_within_window=False),
    **{
        status: Q(response__status=status)
        for status in (
            ResponseStatus.IN_PROGRESS,
            ResponseStatus.COMPLETE,
            ResponseStatus.NOT_APPLICABLE,
            ResponseStatus.UNABLE_TO_IMPLEMENT,
        )
    },
}


@dataclass(frozen=True)
class OrganisationRow:
    """One in-scope organisation's response to an alert, as the alert report lists it."""

    organisation: Organisation
    status: str
    acknowledged_at: datetime | None
    within_window: bool | None
    time_to_acknowledge: timedelta | None
    time_to_complete: timedelta | None

    @property
    def status_label(self) -> str:
        return ResponseStatus(self.status).label


def _alert_organisations(alert_id: int, *, show: str) -> QuerySet[Organisation]:
    """The in-scope organisations with their response's fields, by name; `show` narrows them (see the form)."""
    organisations = (
        _in_scope_with_response(alert_id)
        .annotate(
            response_status=F("response__status"),
            response_acknowledged_at=F("response__acknowledged_at"),
            response_within_window=F("response__acknowledged_within_window"),
            response_closed_at=F("response__closed_at"),
        )
        .order_by("name", "pk")
    )
    if show in ORGANISATION_FILTERS:
        organisations = organisations.filter(ORGANISATION_FILTERS[show])
    return organisations


ORGANISATION_FIELDS = in_model_order(Organisation, ("id", "ods_code", "name", "organisation_type", "region_id"))
RESPONSE_FIELDS = ("response_status", "response_acknowledged_at", "response_within_window", "response_closed_at")

# A page of an alert's organisations: what the rows show (reports.tables), one kept statement for each filter and
# page (the page's LIMIT and OFFSET are written into it). Compiling the queryset and building its models cost
# Django twice what PostgreSQL took to run it.
ALERT_ORGANISATIONS_PAGE = KeptStatement(
    lambda shape, alert_id: _alert_organisations(alert_id, show=shape[0])[shape[1] : shape[2]].values_list(
        *ORGANISATION_FIELDS, "region__name", *RESPONSE_FIELDS
    )
)


def paged_alert_organisations(alert: Alert, *, show: str = "") -> Pages[OrganisationRow]:
    """An alert's in-scope organisations as the report lists them, by name, `show` narrowing them: for a paginator
    to read a page at a time."""
    return Pages(ALERT_ORGANISATIONS_PAGE, show, alert.pk, build=lambda rows: _organisation_rows(rows, alert))


def _organisation_rows(rows: list[tuple[Any, ...]], alert: Alert) -> list[OrganisationRow]:
    published = alert.published_at
    built = []
    for *organisation_fields, region_name, status, acknowledged_at, within_window, closed_at in rows:
        organisation = Organisation.from_db(None, ORGANISATION_FIELDS, organisation_fields)
        if organisation.region_id is not None:
            organisation.region = Region.from_db(None, ("id", "name"), (organisation.region_id, region_name))
        status = status or ResponseStatus.NOT_ACKNOWLEDGED
        built.append(
            OrganisationRow(
                organisation=organisation,
                status=status,
                acknowledged_at=acknowledged_at,
                within_window=within_window,
                time_to_acknowledge=acknowledged_at - published if acknowledged_at and published else None,
                time_to_complete=(
                    closed_at - published if status == ResponseStatus.COMPLETE and closed_at and published else None
                ),
            )
        )
    return built
