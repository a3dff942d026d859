"""What "Your alerts" shows, read in three kept statements (respond.core.kept_statements) whatever the number of
the person's organisations and their alerts: their organisations with the versions the page is kept under, the
alerts listed, and the page's alerts with their figures and responses. Building and compiling these querysets cost
Django more than PostgreSQL took to run them (7 ms of the 17 ms of the page's data for someone responding for 200
organisations); each is now written once for each shape, and its rows are built into models directly."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Min, OuterRef, Q, Subquery, Window

from respond.accounts.models import Membership, User
from respond.alerts.models import ALERTS_VERSION, Alert, AlertStatus
from respond.core import versions
from respond.core.kept_statements import KeptStatement, in_model_order
from respond.organisations.models import ORGANISATION_DETAILS_VERSION, Organisation
from respond.responses.changes import organisation_responses_version_of
from respond.responses.deadlines import Due, time_left_text
from respond.responses.models import OWING, Response, ResponseQuerySet, ResponseStatus
from respond.responses.views.common import ResponseRow

# What changes the statements, rather than their values: what is shown, and whether one organisation is picked.
type Shape = tuple[str, bool]


@dataclass(frozen=True)
class TheirOrganisations:
    """The person's organisations: each one's id, ODS code and name in the order of their names (`by_name`), their
    ids in order (`ids`), and one number for the versions of what "Your alerts" shows of them (`version`)."""

    by_name: list[tuple[int, str, str]]
    ids: list[int]
    version: int


ROWS_PER_ALERT = 10


@dataclass(frozen=True)
class AlertGroup:
    alert: Alert
    rows: list[ResponseRow]
    total: int
    unacknowledged: int
    time_left: str
    acknowledgement_overdue: bool
    # The earliest time one of the person's organisations must acknowledge an update to the alert by.
    reacknowledgement: Due


# The person's organisations (ids, ODS codes and names, in the order of their names), with the versions of each
# one's responses, of the alerts and of organisations' details: read in one statement, so that the names are those
# of the versions they are read with (respond.core.versions). Each organisation's code and name by its id (an index
# lookup each, where joining the organisations had PostgreSQL read all of them).
def _of_organisation(field: str) -> Subquery:
    # Unordered: the organisations' default order by name had PostgreSQL sort each one-row lookup.
    return Subquery(Organisation.objects.filter(pk=OuterRef("organisation_id")).order_by().values(field))


THEIR_ORGANISATIONS = KeptStatement(
    lambda shape, user_id: (
        Membership.objects.filter(user_id=user_id)
        .annotate(
            ods_code=_of_organisation("ods_code"),
            name=_of_organisation("name"),
            responses_version=versions.number_of(organisation_responses_version_of(OuterRef("organisation_id"))),
            alerts_version=versions.number_of(ALERTS_VERSION),
            details_version=versions.number_of(ORGANISATION_DETAILS_VERSION),
        )
        .order_by("name", "organisation_id")
        .values_list("organisation_id", "ods_code", "name", "responses_version", "alerts_version", "details_version")
    )
)


def their_organisations(user: User) -> TheirOrganisations:
    """The person's organisations, with one number for the versions (as versions.combined makes it: their sum)."""
    rows = THEIR_ORGANISATIONS.rows(None, user.pk)
    if not rows:
        return TheirOrganisations([], [], 0)
    *_, alerts_version, details_version = rows[0]
    return TheirOrganisations(
        by_name=[row[:3] for row in rows],
        ids=sorted(row[0] for row in rows),
        version=sum(row[3] for row in rows) + alerts_version + details_version,
    )


def _shown(shape: Shape, now: datetime, ods_code: str) -> Q:
    """The responses the page shows: those the filter shows, of the organisation picked if one is."""
    show, one_organisation = shape
    shown = ResponseQuerySet.shown_condition(show, now=now)
    return shown & Q(organisation__ods_code=ods_code) if one_organisation else shown


def _theirs(organisations: list[int]) -> ResponseQuerySet:
    return Response.objects.filter(organisation_id__any_of=organisations).required()


ALERT_FIELDS = in_model_order(  # the id first, as in every model
    Alert,
    (
        *("id", "threat_id", "title", "status", "severity", "published_at"),
        *("responses_asked_at", "response_window_hours", "response_required"),
    ),
)
RESPONSE_FIELDS = in_model_order(
    Response,
    (
        *("id", "alert_id", "organisation_id", "status", "acknowledged_within_window"),
        *("next_update_due_on", "review_on", "reacknowledgement_due_at"),
    ),
)
ALERT_ID_AT, ORGANISATION_ID_AT = RESPONSE_FIELDS.index("alert_id"), RESPONSE_FIELDS.index("organisation_id")
ORGANISATION_FIELDS = in_model_order(Organisation, ("id", "ods_code", "name"))


# Every alert listed, newest first, with the fields the page shows of it: their number, and the page's alerts.
LISTED = KeptStatement(
    lambda shape, organisations, now, ods_code: (
        Alert.objects.filter(pk__in=_theirs(organisations).filter(_shown(shape, now, ods_code)).values("alert_id"))
        .order_by("-published_at", "-pk")
        .values_list(*ALERT_FIELDS)
    )
)


class _Organisations(dict[int, Organisation]):
    """The person's organisations as models, each made once, when first shown, from its code and name in hand."""

    def __init__(self, place: dict[int, tuple[int, str, str]]) -> None:
        super().__init__()
        self.place = place

    def __missing__(self, pk: int) -> Organisation:
        _at, code, name = self.place[pk]
        values = {"id": pk, "ods_code": code, "name": name}
        made = self[pk] = Organisation.from_db(
            None, ORGANISATION_FIELDS, [values[field] for field in ORGANISATION_FIELDS]
        )
        return made


BY_ALERT = F("alert_id")


def _page(shape: Shape, organisations: list[int], alerts: list[int], now: datetime, ods_code: str) -> Any:
    """The person's organisations' responses to the page's alerts that count in its figures, each with its
    alert's figures (windows over them all): how many are shown, how many are not acknowledged and the earliest an
    update is to be acknowledged by; and whether it is shown itself. Only those shown or owing something count, so
    that PostgreSQL reads them from the index of open responses where the filter shows open ones. Without the
    organisations (their names are in hand, and joining them cost PostgreSQL a scan of every organisation) and
    without the alerts' fields (the listing read them: here they came again with every response)."""
    shown = _shown(shape, now, ods_code)
    counted = shown | OWING if shown else Q()  # an empty condition (every response shown) would drop out of an OR
    return (
        _theirs(organisations)
        .filter(counted, alert_id__any_of=alerts)
        .annotate(
            total=Window(Count("pk", filter=shown), partition_by=BY_ALERT),
            unacknowledged=Window(Count("pk", filter=Q(status=ResponseStatus.NOT_ACKNOWLEDGED)), partition_by=BY_ALERT),
            reacknowledge_by=Window(
                Min(
                    "reacknowledgement_due_at",
                    filter=Q(reacknowledgement_due_at__isnull=False, alert__status=AlertStatus.PUBLISHED),
                ),
                partition_by=BY_ALERT,
            ),
            is_shown=ExpressionWrapper(shown, output_field=BooleanField()),
        )
        .values_list(
            *RESPONSE_FIELDS,
            "total",
            "unacknowledged",
            "reacknowledge_by",
            "is_shown",
        )
        .order_by()
    )


PAGE = KeptStatement(_page)


def page_groups(
    theirs: TheirOrganisations, shape: Shape, listed: list[tuple[Any, ...]], now: datetime, ods_code: str
) -> list[AlertGroup]:
    """The page's alerts (`listed`: their rows from listed_alerts) with their figures and first rows shown, in the
    order of the organisations' names, from the rows of one query. An alert none of whose responses is shown any
    more (since it was listed) is left out."""
    if not listed:
        return []
    place = {pk: (at, code, name) for at, (pk, code, name) in enumerate(theirs.by_name)}
    organisations = _Organisations(place)
    alerts = {row[0]: Alert.from_db(None, ALERT_FIELDS, row) for row in listed}
    figures: dict[int, tuple[int, int, datetime | None]] = {}
    shown: dict[int, list[tuple[int, tuple[Any, ...]]]] = {}
    response_end = len(RESPONSE_FIELDS)
    for row in PAGE.rows(shape, theirs.ids, list(alerts), now, ods_code):
        alert_id, organisation_id = row[ALERT_ID_AT], row[ORGANISATION_ID_AT]
        if alert_id not in figures:  # the same on each of the alert's rows
            figures[alert_id] = row[response_end:-1]  # type: ignore[assignment]
        if row[-1]:
            shown.setdefault(alert_id, []).append((place[organisation_id][0], row[:response_end]))
    groups = []
    for alert_id, alert in alerts.items():
        if not shown.get(alert_id):
            continue
        total, waiting, reacknowledge_by = figures[alert_id]
        first = sorted(shown[alert_id], key=lambda placed: placed[0])[:ROWS_PER_ALERT]
        deadline = alert.deadline_at
        groups.append(
            AlertGroup(
                alert=alert,
                rows=[_row(alert, fields, organisations, now) for _at, fields in first],
                total=total,
                unacknowledged=waiting,
                time_left=time_left_text(deadline, now) if waiting and alert.status == AlertStatus.PUBLISHED else "",
                acknowledgement_overdue=bool(waiting and deadline and deadline < now),
                reacknowledgement=Due.of(reacknowledge_by, now),
            )
        )
    return groups


def _row(alert: Alert, fields: tuple[Any, ...], organisations: dict[int, Organisation], now: datetime) -> ResponseRow:
    response = Response.from_db(None, RESPONSE_FIELDS, fields)
    response.alert, response.organisation = alert, organisations[response.organisation_id]
    return ResponseRow.build(response, now=now, can_submit=True)


def listed_alerts(shape: Shape, organisations: list[int], now: datetime, ods_code: str) -> list[tuple[Any, ...]]:
    """The alerts listed, newest first (every one with a response shown): each one's fields (ALERT_FIELDS)."""
    return LISTED.rows(shape, organisations, now, ods_code)
