"""The "Your alerts" start page: what each of the person's organisations owes, and by when."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Min, Model, OuterRef, Q, Subquery, Window
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from respond.accounts.models import Membership, User
from respond.alerts.models import ALERTS_VERSION, Alert, AlertStatus
from respond.core import versions
from respond.core.fragments import cached_fragment, query_state
from respond.core.kept_statements import KeptStatement
from respond.organisations.models import ORGANISATION_DETAILS_VERSION, Organisation
from respond.responses.changes import organisation_responses_version_of
from respond.responses.deadlines import time_left_text
from respond.responses.forms import DashboardFilterForm
from respond.responses.models import CLOSED_STATUSES, Response, ResponseQuerySet, ResponseStatus
from respond.responses.views import tables
from respond.responses.views.common import ResponseRow

ALERTS_PER_PAGE = 10
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
    reacknowledge_by: datetime | None = None
    reacknowledgement_time_left: str = ""
    reacknowledgement_overdue: bool = False


def _overview(request: HttpRequest) -> Paginator | None:
    """For CSOC staff and auditors: every alert's responses in numbers."""
    user = request.user
    if not (user.is_csoc or user.is_auditor):  # type: ignore[union-attr]
        return None
    counts = (
        Response.objects.required()
        .values("alert_id", "alert__threat_id", "alert__title", "alert__published_at", "alert__status")
        .annotate(
            total=Count("id"),
            not_acknowledged=Count("id", filter=Q(status=ResponseStatus.NOT_ACKNOWLEDGED)),
            late=Count("id", filter=Q(acknowledged_within_window=False)),
            closed=Count("id", filter=Q(status__in=CLOSED_STATUSES)),
        )
        .order_by("-alert__published_at", "-alert_id")
    )
    return Paginator(counts, ALERTS_PER_PAGE)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The start page: "Your alerts", what each of the person's organisations must respond to."""
    now = timezone.now()
    user = request.user
    theirs, version = _their_organisations(cast(User, user))  # signed in (login_required)
    organisations = sorted(pk for pk, _code, _name in theirs)
    filters = request.GET.copy()
    filters.setdefault("show", "open")
    filter_form = DashboardFilterForm(filters, organisations=[(code, name) for _pk, code, name in theirs])
    overview = _overview(request)
    context = {
        "filter_form": filter_form,
        "organisations": organisations,
        "your_alerts": _your_alerts(request, theirs, version, filter_form, now) if theirs else "",
        "overview_page": overview.get_page(request.GET.get("page")) if overview else None,
    }
    return render(request, "responses/dashboard.html", context)


# The person's organisations (ids, ODS codes and names, in the order of their names), with the versions of each
# one's responses, of the alerts and of organisations' details: read in one statement, so that the names are those
# of the versions they are read with (respond.core.versions). Each organisation's code and name by its id (an index
# lookup each, where joining the organisations had PostgreSQL read all of them).
def _of_organisation(field: str) -> Subquery:
    return Subquery(Organisation.objects.filter(pk=OuterRef("organisation_id")).values(field))


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


def _their_organisations(user: User) -> tuple[list[tuple[int, str, str]], int]:
    """The person's organisations' ids, codes and names, in the order of their names, and one number for the
    versions of what "Your alerts" shows of them (as versions.combined makes it: their sum)."""
    rows = THEIR_ORGANISATIONS.rows(None, user.pk)
    if not rows:
        return [], 0
    *_, alerts_version, details_version = rows[0]
    return [row[:3] for row in rows], sum(row[3] for row in rows) + alerts_version + details_version


def _your_alerts(
    request: HttpRequest,
    theirs: list[tuple[int, str, str]],
    version: int,
    filter_form: DashboardFilterForm,
    now: datetime,
) -> SafeString:
    """The filters and the alerts with their rows: rendered once for each state of what they show, the same for
    everyone with these organisations. The key holds the versions of the organisations' responses, of the
    alerts and of the organisations' names (`version`: _their_organisations), the query string, and the minute:
    the times left, and what is overdue, move on with the clock. `theirs`: the organisations' ids, codes and
    names, in the order of their names."""
    organisations = sorted(pk for pk, _code, _name in theirs)
    state = (organisations, version, query_state(request.GET), now.replace(second=0, microsecond=0))
    return cached_fragment(
        "your-alerts",
        state,
        lambda: render_to_string(
            "responses/_your_alerts.html", _your_alerts_context(theirs, filter_form, now, request), request
        ),
    )


# The page's three queries, each kept as Django writes it (respond.core.kept_statements): building and compiling
# them cost more than running them. `shape`: (what is shown, whether one organisation is picked).


def _shown(shape: tuple[str, bool], now: datetime, ods_code: str) -> Q:
    """The responses the page shows: those the filter shows, of the organisation picked if one is."""
    show, one_organisation = shape
    shown = ResponseQuerySet.shown_condition(show, now=now)
    return shown & Q(organisation__ods_code=ods_code) if one_organisation else shown


def _theirs(organisations: list[int]) -> ResponseQuerySet:
    return Response.objects.filter(organisation_id__any_of=organisations).required()


# Every alert listed, newest first: the number listed, and the page's alerts.
LISTED = KeptStatement(
    lambda shape, organisations, now, ods_code: (
        Alert.objects.filter(pk__in=_theirs(organisations).filter(_shown(shape, now, ods_code)).values("alert_id"))
        .order_by("-published_at", "-pk")
        .values_list("pk")
    )
)


def _in_model_order(model: type[Model], names: tuple[str, ...]) -> tuple[str, ...]:
    """Model.from_db takes the values of the fields it is given in the model's order of its fields."""
    order = [field.attname for field in model._meta.concrete_fields]
    return tuple(sorted(names, key=order.index))


ALERT_FIELDS = _in_model_order(  # the id first, as in every model
    Alert,
    (
        *("id", "threat_id", "title", "status", "severity", "published_at"),
        *("responses_asked_at", "response_window_hours", "response_required"),
    ),
)
RESPONSE_FIELDS = _in_model_order(
    Response,
    (
        *("id", "alert_id", "organisation_id", "status", "acknowledged_within_window"),
        *("next_update_due_on", "review_on", "reacknowledgement_due_at"),
    ),
)
ALERT_ID_AT, ORGANISATION_ID_AT = RESPONSE_FIELDS.index("alert_id"), RESPONSE_FIELDS.index("organisation_id")
ORGANISATION_FIELDS = _in_model_order(Organisation, ("id", "ods_code", "name"))


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


def _page(shape: tuple[str, bool], organisations: list[int], alerts: list[int], now: datetime, ods_code: str) -> Any:
    """All the person's organisations' responses to the page's alerts, each with its alert's figures (windows over
    them all): how many are shown, how many are not acknowledged and the earliest an update is to be acknowledged
    by; and whether it is shown itself. Without the organisations (their names are in hand, and joining them cost
    PostgreSQL a scan of every organisation)."""
    shown = _shown(shape, now, ods_code)
    return (
        _theirs(organisations)
        .filter(alert_id__any_of=alerts)
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
            *(f"alert__{name}" for name in ALERT_FIELDS[1:]),  # the id is the response's alert_id
            *RESPONSE_FIELDS,
            "total",
            "unacknowledged",
            "reacknowledge_by",
            "is_shown",
        )
        .order_by()
    )


PAGE = KeptStatement(_page)


def _page_groups(
    theirs: list[tuple[int, str, str]], shape: tuple[str, bool], alert_ids: list[int], now: datetime, ods_code: str
) -> list[AlertGroup]:
    """The page's alerts with their figures and first rows shown, in the order of the organisations' names, from
    the rows of one query. An alert none of whose responses is shown any more (since it was listed) is left out."""
    if not alert_ids:
        return []
    place = {pk: (at, code, name) for at, (pk, code, name) in enumerate(theirs)}
    organisations = _Organisations(place)
    alert_end = len(ALERT_FIELDS) - 1
    response_end = alert_end + len(RESPONSE_FIELDS)
    alerts: dict[int, Alert] = {}
    figures: dict[int, tuple[int, int, datetime | None]] = {}
    shown: dict[int, list[tuple[int, tuple[Any, ...]]]] = {}
    for row in PAGE.rows(shape, sorted(place), alert_ids, now, ods_code):
        alert_id, organisation_id = row[alert_end + ALERT_ID_AT], row[alert_end + ORGANISATION_ID_AT]
        if alert_id not in alerts:
            alerts[alert_id] = Alert.from_db(None, ALERT_FIELDS, (alert_id, *row[:alert_end]))
            figures[alert_id] = row[response_end:-1]  # type: ignore[assignment]
        if row[-1]:
            shown.setdefault(alert_id, []).append((place[organisation_id][0], row[alert_end:response_end]))
    groups = []
    for alert_id in alert_ids:
        if not shown.get(alert_id):
            continue
        alert, (total, waiting, reacknowledge_by) = alerts[alert_id], figures[alert_id]
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
                reacknowledge_by=reacknowledge_by,
                reacknowledgement_time_left=time_left_text(reacknowledge_by, now),
                reacknowledgement_overdue=(reacknowledge_by or now) < now,
            )
        )
    return groups


def _row(alert: Alert, fields: tuple[Any, ...], organisations: dict[int, Organisation], now: datetime) -> ResponseRow:
    response = Response.from_db(None, RESPONSE_FIELDS, fields)
    response.alert, response.organisation = alert, organisations[response.organisation_id]
    return ResponseRow.build(response, now=now, can_submit=True)


def _your_alerts_context(
    theirs: list[tuple[int, str, str]], filter_form: DashboardFilterForm, now: datetime, request: HttpRequest
) -> dict[str, Any]:
    """Three queries however many organisations and alerts: the alerts listed, and the page's alerts' figures and
    first rows (_page_groups)."""
    show, ods_code = filter_form.show_value, filter_form.organisation_value
    shape = (show, bool(ods_code))
    organisations = sorted(pk for pk, _code, _name in theirs)
    listed = [alert_id for (alert_id,) in LISTED.rows(shape, organisations, now, ods_code)]
    page = Paginator(listed, ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "filter_form": filter_form,
        "organisations": organisations,
        "show": show,
        "page": page,
        "groups": _page_groups(theirs, shape, list(page.object_list), now, ods_code),
        "tables": tables,
        "filtered": request.GET.get("show", "open") != "open" or bool(request.GET.get("organisation")),
    }
