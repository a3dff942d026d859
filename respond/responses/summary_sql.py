# ruff: noqa: S608 - only table names from the models and fixed text go into the statements; values are parameters
"""The summaries worked out by the database, in one statement each (set-based: a rebuild of a national data set
takes seconds rather than reading every response into Python). Each statement gives a summary's key columns and
its amounts, in the order of respond.responses.summaries.KEYS; the same figures as summaries._add gives, to the
minute (whole minutes rounded down, months in London)."""

from typing import Any

from django.db import connection, models
from django.utils import timezone

from respond.alerts.models import RELEASED_STATUSES, Alert
from respond.organisations.models import Organisation, Region
from respond.responses.models import Response
from respond.responses.statuses import ResponseStatus
from respond.responses.summary_models import (
    AlertCounts,
    AlertDelays,
    DelayKind,
    Grouping,
    MonthCounts,
    MonthDelays,
    MonthMedians,
    SummaryPlacement,
)

STATUS_COUNTS = ("in_progress", "complete", "not_applicable", "unable_to_implement")


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _minutes(since: str, until: str) -> str:
    """Whole minutes from `since` to `until`, rounded down (as Python's timedelta // timedelta does)."""
    if connection.vendor == "postgresql":
        return f"FLOOR(EXTRACT(EPOCH FROM ({until} - {since})) / 60)::integer"
    microseconds = f"django_timestamp_diff({until}, {since})"
    # %% is the modulo operator (the statements always have parameters).
    return f"(({microseconds}) - ((({microseconds}) %% 60000000) + 60000000) %% 60000000) / 60000000"


def _month(moment: str) -> tuple[str, list[Any]]:
    """year * 12 + month - 1, in London."""
    zone = timezone.get_default_timezone_name()
    if connection.vendor == "postgresql":
        local = f"({moment} AT TIME ZONE %s)"
        return f"(EXTRACT(YEAR FROM {local}) * 12 + EXTRACT(MONTH FROM {local}) - 1)::integer", [zone, zone]
    first = f"django_datetime_trunc('month', {moment}, %s, %s)"
    sql = f"(CAST(substr({first}, 1, 4) AS INTEGER) * 12 + CAST(substr({first}, 6, 2) AS INTEGER) - 1)"
    return sql, [zone, connection.timezone_name, zone, connection.timezone_name]


def _in_scope() -> str:
    """Responses whose organisation is in its alert's scope, with the alert and the organisation."""
    return (
        f"{_table(Response)} response "
        f"JOIN {_table(Alert.organisations.through)} link "
        "ON link.alert_id = response.alert_id AND link.organisation_id = response.organisation_id "
        f"JOIN {_table(Alert)} alert ON alert.id = response.alert_id "
        f"JOIN {_table(Organisation)} organisation ON organisation.id = response.organisation_id"
    )


def current_placements(where: str = "") -> str:
    """Where each organisation (each of those `where`, a condition on organisation.id) is now, as SummaryPlacement
    keeps it: (organisation id, type, region key, region group)."""
    sql = (
        "SELECT organisation.id AS id, organisation.organisation_type AS organisation_type, "
        "COALESCE(organisation.region_id, 0) AS region_key, "
        f"COALESCE((SELECT MIN(same_name.id) FROM {_table(Region)} same_name WHERE same_name.name = region.name), 0) "
        "AS region_group "
        f"FROM {_table(Organisation)} organisation "
        f"LEFT JOIN {_table(Region)} region ON region.id = organisation.region_id"
    )
    return f"{sql} WHERE {where}" if where else sql


def place(where: str) -> str:
    """Keeps where the organisations `where` are now as where their figures are counted, unless already kept."""
    columns = "organisation_id, organisation_type, region_key, region_group"
    return (
        f"INSERT INTO {_table(SummaryPlacement)} ({columns}) {current_placements(where)} "
        "ON CONFLICT (organisation_id) DO NOTHING"
    )


def responses_organisations(column: str, count: int) -> str:
    """A condition on organisation.id: the organisations of the responses whose `column` is one of `count` values."""
    values = ", ".join(["%s"] * count)
    return f"organisation.id IN (SELECT organisation_id FROM {_table(Response)} WHERE {column} IN ({values}))"


def moved_organisations() -> str:
    """The organisations whose figures are counted somewhere other than where they are now, in id order."""
    return (
        f"SELECT placed.organisation_id FROM {_table(SummaryPlacement)} placed JOIN ({current_placements()}) now_at "
        "ON now_at.id = placed.organisation_id "
        "WHERE placed.organisation_type <> now_at.organisation_type OR placed.region_key <> now_at.region_key "
        "OR placed.region_group <> now_at.region_group ORDER BY 1"
    )


def _region_groups() -> str:
    """Each region's id, and the first id of the regions of its name (first_id)."""
    return (
        f"SELECT region.id, MIN(same_name.id) AS first_id FROM {_table(Region)} region "
        f"JOIN {_table(Region)} same_name ON same_name.name = region.name GROUP BY region.id"
    )


def _delays() -> tuple[str, list[Any]]:
    """Each in-scope response's delays: (alert, organisation type, region group, reported, month, kind, minutes)."""
    month, month_params = _month("alert.published_at")
    reported = ", ".join(["%s"] * len(RELEASED_STATUSES))
    columns = (
        "response.alert_id, organisation.organisation_type, COALESCE(region_group.first_id, 0) AS region_group, "
        f"CASE WHEN alert.status IN ({reported}) AND alert.response_required THEN 1 ELSE 0 END AS reported, "
        f"{month} AS month"
    )
    source = f"{_in_scope()} LEFT JOIN ({_region_groups()}) region_group ON region_group.id = organisation.region_id"
    sql = (
        f"SELECT {columns}, %s AS kind, {_minutes('alert.published_at', 'response.acknowledged_at')} AS minutes "
        f"FROM {source} WHERE alert.published_at IS NOT NULL AND response.acknowledged_at IS NOT NULL "
        "UNION ALL "
        f"SELECT {columns}, %s AS kind, {_minutes('alert.published_at', 'response.closed_at')} AS minutes "
        f"FROM {source} WHERE alert.published_at IS NOT NULL AND response.closed_at IS NOT NULL "
        "AND response.status = %s"
    )
    one = [*sorted(RELEASED_STATUSES), *month_params]
    return sql, [*one, DelayKind.ACKNOWLEDGE.value, *one, DelayKind.COMPLETE.value, ResponseStatus.COMPLETE.value]


def _alert_counts() -> tuple[str, list[Any]]:
    statuses = ", ".join("SUM(CASE WHEN response.status = %s THEN 1 ELSE 0 END)" for _ in STATUS_COUNTS)
    sql = (
        "SELECT response.alert_id, organisation.organisation_type, COALESCE(organisation.region_id, 0), COUNT(*), "
        "SUM(CASE WHEN response.acknowledged_at IS NOT NULL THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN NOT response.acknowledged_within_window THEN 1 ELSE 0 END), {statuses} "
        f"FROM {_in_scope()} GROUP BY 1, 2, 3"
    )
    return sql, list(STATUS_COUNTS)


def _groups(source: str, columns: str) -> str:
    """The rows of `source` (with month, organisation_type and region_group) once for each group they count in:
    (month, grouping, group key, *columns); the groupings are the first three parameters."""
    return (
        f"SELECT month, %s AS grouping, '' AS group_key, {columns} FROM {source} "
        f"UNION ALL SELECT month, %s, CAST(region_group AS TEXT), {columns} FROM {source} "
        f"UNION ALL SELECT month, %s, organisation_type, {columns} FROM {source}"
    )


GROUPINGS = [Grouping.ALL.value, Grouping.REGION.value, Grouping.TYPE.value]


def _by_group() -> tuple[str, list[Any]]:
    """The reported delays once for each group they count in: (month, grouping, group key, kind, minutes)."""
    delays, params = _delays()
    return f"WITH d AS ({delays}) {_groups('d WHERE reported = 1', 'kind, minutes')}", [*params, *GROUPINGS]


def _month_counts() -> tuple[str, list[Any]]:
    """The reported responses' counts by month and group (as _alert_counts, of the alerts that count)."""
    month, month_params = _month("alert.published_at")
    reported = ", ".join(["%s"] * len(RELEASED_STATUSES))
    responses = (
        f"SELECT {month} AS month, organisation.organisation_type, COALESCE(region_group.first_id, 0) AS region_group, "
        "CASE WHEN response.acknowledged_at IS NOT NULL THEN 1 ELSE 0 END AS acknowledged, "
        "CASE WHEN NOT response.acknowledged_within_window THEN 1 ELSE 0 END AS late "
        f"FROM {_in_scope()} LEFT JOIN ({_region_groups()}) region_group ON region_group.id = organisation.region_id "
        f"WHERE alert.published_at IS NOT NULL AND alert.status IN ({reported}) AND alert.response_required"
    )
    sql = (
        f"WITH r AS ({responses}) SELECT month, grouping, group_key, COUNT(*), SUM(acknowledged), SUM(late) "
        f"FROM ({_groups('r', 'acknowledged, late')}) g GROUP BY 1, 2, 3"
    )
    return sql, [*month_params, *sorted(RELEASED_STATUSES), *GROUPINGS]


def _month_delays() -> tuple[str, list[Any]]:
    grouped, params = _by_group()
    return (
        f"SELECT month, grouping, group_key, kind, minutes, COUNT(*) AS n FROM ({grouped}) g GROUP BY 1, 2, 3, 4, 5",
        params,
    )


def _month_medians() -> tuple[str, list[Any]]:
    """Each series' number of delays, the low middle one (the ((total - 1) // 2)th, from 0) and how many come before
    it, and the high middle one (the (total // 2)th), from the running counts of its minutes."""
    minutes, params = _month_delays()
    series = "PARTITION BY month, grouping, group_key, kind"
    running = (
        f"SELECT month, grouping, group_key, kind, minutes, n, "
        f"CAST(SUM(n) OVER ({series} ORDER BY minutes ROWS UNBOUNDED PRECEDING) AS INTEGER) - n AS earlier, "
        f"CAST(SUM(n) OVER ({series}) AS INTEGER) AS total FROM ({minutes}) m"
    )
    low = "earlier <= (total - 1) / 2 AND (total - 1) / 2 < earlier + n"
    high = "earlier <= total / 2 AND total / 2 < earlier + n"
    sql = (
        f"SELECT month, grouping, group_key, kind, MAX(total), MAX(CASE WHEN {low} THEN earlier END), "
        f"MAX(CASE WHEN {low} THEN minutes END), MAX(CASE WHEN {high} THEN minutes END) "
        f"FROM ({running}) r GROUP BY 1, 2, 3, 4"
    )
    return sql, params


def select(model: type[models.Model]) -> tuple[str, list[Any]]:
    """The statement giving the summary's rows worked out from the responses, and its parameters."""
    if model is AlertCounts:
        return _alert_counts()
    if model is AlertDelays:
        delays, params = _delays()
        return f"SELECT alert_id, kind, minutes, COUNT(*) FROM ({delays}) d GROUP BY 1, 2, 3", params
    if model is MonthCounts:
        return _month_counts()
    if model is MonthDelays:
        return _month_delays()
    assert model is MonthMedians
    return _month_medians()
