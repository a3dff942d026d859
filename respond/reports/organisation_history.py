"""An organisation's compliance history: its figures across alerts, its responses to each alert, and its open
exceptions."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.lookups import LessThan
from django.utils import timezone

from respond.alerts.models import Alert
from respond.core.kept_statements import KeptStatement, Pages, in_model_order
from respond.organisations.models import Organisation
from respond.reports.statistics import (
    Medians,
    deadline_expression,
    median_aggregates,
    medians,
    medians_of,
    percent,
)
from respond.responses.models import Response, ResponseQuerySet, ResponseStatus


@dataclass(frozen=True)
class OrganisationSummary:
    alerts: int
    within_window: int
    late: int
    missed: int
    open_remediations: int
    open_exceptions: int
    medians: Medians

    @property
    def not_yet_due(self) -> int:
        return self.alerts - self.within_window - self.late - self.missed

    @property
    def decided(self) -> int:
        """Alerts whose acknowledgement is settled: acknowledged, or its window closed without one."""
        return self.within_window + self.late + self.missed

    @property
    def within_window_percent(self) -> int | None:
        return percent(self.within_window, self.decided)

    def count_shown(self, show: str) -> int:
        """How many responses the history lists with the filter `show` (see HISTORY_FILTERS)."""
        return {"open": self.open_remediations, "exceptions": self.open_exceptions}.get(show, self.alerts)


def organisation_responses(organisation: Organisation | int) -> ResponseQuerySet:
    return Response.objects.filter(organisation=organisation).required()


def open_remediations(responses: ResponseQuerySet) -> ResponseQuerySet:
    """Open responses (ResponseQuerySet.open: something still owed on a published alert) other than exceptions:
    not yet acknowledged, in progress, or complete or not applicable but owing an update's acknowledgement."""
    return responses.open().exclude(status=ResponseStatus.UNABLE_TO_IMPLEMENT)


def _open_exceptions(responses: ResponseQuerySet) -> ResponseQuerySet:
    """Open "unable to implement" responses, whether or not they also owe an update's acknowledgement. With
    open_remediations, every open response is counted once."""
    return responses.open().filter(status=ResponseStatus.UNABLE_TO_IMPLEMENT)


def _figures_of(organisation_id: int, now: datetime) -> dict[str, Any]:
    responses = Response.objects.filter(organisation_id=organisation_id).required()
    unable = Q(status=ResponseStatus.UNABLE_TO_IMPLEMENT)
    # The deadline in the filter itself, not annotated first: aggregating over an annotation costs Django 5 ms of
    # compiling for the same SQL.
    return responses.aggregate(
        alerts=Count("pk"),
        acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        late=Count("pk", filter=Q(acknowledged_within_window=False)),
        missed=Count("pk", filter=Q(acknowledged_at__isnull=True) & Q(LessThan(deadline_expression(), now))),
        open_remediations=Count("pk", filter=ResponseQuerySet.open_condition() & ~unable),
        open_exceptions=Count("pk", filter=ResponseQuerySet.open_condition() & unable),
        **median_aggregates(),
    )


# _figures_of's statement as Django writes it, kept for each database: building and compiling it cost Django 3 ms
# of every organisation's report, and running it 0.5 ms. It is written once for stand-in values, which each run
# replaces by its own, prepared for the database as Django prepares them.
STAND_IN_ID = -4_000_000_001
STAND_IN_NOW = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: list[Any]
    id_at: int  # where the organisation's id goes in params
    now_at: int  # where the time goes


_statements: dict[str, _Statement] = {}


def _statement() -> _Statement:
    statement = _statements.get(connection.alias)
    if statement is None:
        written: list[tuple[str, list[Any]]] = []

        def keep(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            written.append((sql, list(params)))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(keep):
            _figures_of(STAND_IN_ID, STAND_IN_NOW)
        (sql, params), now = written[-1], connection.ops.adapt_datetimefield_value(STAND_IN_NOW)
        id_at = [index for index, value in enumerate(params) if value == STAND_IN_ID]
        now_at = [index for index, value in enumerate(params) if value == now]
        if len(id_at) != 1 or len(now_at) != 1:
            raise RuntimeError(f"The organisation's figures' statement has unexpected parameters: {params}")
        statement = _statements[connection.alias] = _Statement(sql, params, id_at=id_at[0], now_at=now_at[0])
    return statement


def _figures(organisation_id: int, now: datetime) -> dict[str, Any]:
    statement = _statement()
    params = list(statement.params)
    params[statement.id_at] = organisation_id
    params[statement.now_at] = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        row = cursor.fetchone()
        return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


def organisation_summary(organisation: Organisation, *, now: datetime) -> OrganisationSummary:
    """One query on PostgreSQL, counts and medians together (two elsewhere: medians_in_python), however many
    responses the organisation has; not cached on its own (the page that shows it is). What is open is the
    responses' own definition (ResponseQuerySet.open_condition)."""
    figures = _figures(organisation.pk, now)
    return OrganisationSummary(
        alerts=figures["alerts"],
        within_window=figures["acknowledged"] - figures["late"],
        late=figures["late"],
        missed=figures["missed"],
        open_remediations=figures["open_remediations"],
        open_exceptions=figures["open_exceptions"],
        medians=medians_of(figures) if median_aggregates() else medians(organisation_responses(organisation)),
    )


HISTORY_FILTERS: dict[str, Callable[[ResponseQuerySet], ResponseQuerySet]] = {
    "open": open_remediations,
    "exceptions": _open_exceptions,
}


def organisation_history(organisation: Organisation | int, *, show: str = "") -> ResponseQuerySet:
    """The organisation's responses, newest alert first; "open" remediations or open "exceptions" only."""
    responses = organisation_responses(organisation)
    if show in HISTORY_FILTERS:
        responses = HISTORY_FILTERS[show](responses)
    return responses.order_by("-alert__published_at", "-alert_id")


def open_exceptions(organisation: Organisation | int) -> ResponseQuerySet:
    """Open "unable to implement" exceptions, the soonest review first."""
    responses = HISTORY_FILTERS["exceptions"](organisation_responses(organisation))
    return responses.order_by(F("review_on").asc(nulls_last=True), "-alert__published_at")


# What the history's rows show (respond.reports.tables), and no more: a row's organisation is the page's own.
RESPONSE_FIELDS = in_model_order(
    Response,
    (
        *("id", "alert_id", "organisation_id", "status", "acknowledged_at", "acknowledged_within_window"),
        *("closed_at", "review_on", "next_update_due_on", "reacknowledgement_due_at"),
    ),
)
ALERT_FIELDS = in_model_order(
    Alert,
    (
        *("id", "threat_id", "title", "status", "published_at", "responses_asked_at", "response_window_hours"),
        "response_required",
    ),
)
COLUMNS = (*RESPONSE_FIELDS, *(f"alert__{name}" for name in ALERT_FIELDS[1:]))  # the alert's id is alert_id
ALERT_ID_AT = RESPONSE_FIELDS.index("alert_id")

# A page of the history, and the first open exceptions, in kept statements (respond.core.kept_statements):
# compiling the querysets and building their models cost Django more than PostgreSQL took to run them. A page's
# LIMIT and OFFSET are written into its SQL, so a statement is kept for each filter and page, at most 100.
HISTORY_PAGE = KeptStatement(
    lambda shape, organisation_id: organisation_history(organisation_id, show=shape[0])[
        shape[1] : shape[2]
    ].values_list(*COLUMNS),
    most_shapes=100,
)
FIRST_OPEN_EXCEPTIONS = KeptStatement(
    lambda shape, organisation_id: open_exceptions(organisation_id)[:shape].values_list(*COLUMNS)
)


def _responses(rows: list[tuple[Any, ...]], organisation: Organisation) -> list[Response]:
    """The rows' responses, each with its alert, and the organisation given."""
    responses = []
    end = len(RESPONSE_FIELDS)
    for row in rows:
        response = Response.from_db(None, RESPONSE_FIELDS, row[:end])
        response.alert = Alert.from_db(None, ALERT_FIELDS, (row[ALERT_ID_AT], *row[end:]))
        response.organisation = organisation
        responses.append(response)
    return responses


def paged_history(organisation: Organisation, *, show: str = "") -> Pages[Response]:
    """The organisation's responses as organisation_history lists them, each with what its row shows: for a
    paginator to read a page at a time."""
    return Pages(HISTORY_PAGE, show, organisation.pk, build=lambda rows: _responses(rows, organisation))


def first_open_exceptions(organisation: Organisation, count: int) -> list[Response]:
    """The first `count` of open_exceptions, each with what its row shows."""
    return _responses(FIRST_OPEN_EXCEPTIONS.rows(count, organisation.pk), organisation)


@dataclass(frozen=True)
class HistoryRow:
    response: Response
    outcome: str  # "Within the window", "Late", "Missed", "Not yet due"
    time_to_acknowledge: timedelta | None
    time_to_complete: timedelta | None
    review_due: bool
    reacknowledgement_overdue: bool = False


def history_rows(responses: Sequence[Response], organisation: Organisation, *, now: datetime) -> list[HistoryRow]:
    """The rows of the organisation's `responses`: each is given the organisation, rather than read again."""
    today: date = timezone.localdate(now)
    rows = []
    for response in responses:
        response.organisation = organisation
        published, deadline = response.alert.published_at, response.alert.deadline_at
        if response.acknowledged_within_window is True:
            outcome = "Within the window"
        elif response.acknowledged_within_window is False:
            outcome = "Late"
        elif response.acknowledged_at is None and deadline is not None and deadline < now:
            outcome = "Missed"
        else:
            outcome = "Not yet due"
        complete = response.status == ResponseStatus.COMPLETE and response.closed_at and published
        rows.append(
            HistoryRow(
                response=response,
                outcome=outcome,
                time_to_acknowledge=(
                    response.acknowledged_at - published if response.acknowledged_at and published else None
                ),
                time_to_complete=response.closed_at - published if complete else None,  # type: ignore[operator]
                review_due=response.review_on is not None and response.review_on <= today,
                reacknowledgement_overdue=response.reacknowledgement_overdue(now),
            )
        )
    return rows
