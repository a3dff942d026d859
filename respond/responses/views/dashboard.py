"""The "Your alerts" start page: what each of the person's organisations owes, and by when."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Min, Model, Q, Window
from django.db.models.functions import RowNumber
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
from respond.responses.changes import organisation_responses_version
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
    # Their organisations' ids, with the codes and names the filter offers, in one query.
    memberships = Membership.objects.filter(user=cast(User, user))  # signed in (login_required)
    theirs = list(
        memberships.order_by("organisation__name", "organisation_id").values_list(
            "organisation_id", "organisation__ods_code", "organisation__name"
        )
    )
    organisations = sorted(pk for pk, _code, _name in theirs)
    filters = request.GET.copy()
    filters.setdefault("show", "open")
    filter_form = DashboardFilterForm(filters, organisations=[(code, name) for _pk, code, name in theirs])
    overview = _overview(request)
    context = {
        "filter_form": filter_form,
        "organisations": organisations,
        "your_alerts": _your_alerts(request, organisations, filter_form, now) if organisations else "",
        "overview_page": overview.get_page(request.GET.get("page")) if overview else None,
    }
    return render(request, "responses/dashboard.html", context)


def _your_alerts(
    request: HttpRequest, organisations: list[int], filter_form: DashboardFilterForm, now: datetime
) -> SafeString:
    """The filters and the alerts with their rows: rendered once for each state of what they show, the same for
    everyone with these organisations. The key holds the versions of the organisations' responses, of the
    alerts and of the organisations' names (respond.core.versions), the query string, and the minute: the times
    left, and what is overdue, move on with the clock."""
    names = [organisation_responses_version(pk) for pk in organisations] + [
        ALERTS_VERSION,
        ORGANISATION_DETAILS_VERSION,
    ]
    state = (organisations, versions.combined(names), query_state(request.GET), now.replace(second=0, microsecond=0))
    return cached_fragment(
        "your-alerts",
        state,
        lambda: render_to_string(
            "responses/_your_alerts.html", _your_alerts_context(organisations, filter_form, now, request), request
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


ALERT_FIELDS = _in_model_order(
    Alert,
    (
        *("id", "threat_id", "title", "status", "severity", "published_at"),
        *("responses_asked_at", "response_window_hours", "response_required"),
    ),
)
# The page's alerts, with how many of their responses are shown and, of all the person's organisations' responses
# to each, how many are not acknowledged and the earliest an update is to be acknowledged by.
FIGURES = KeptStatement(
    lambda shape, organisations, alerts, now, ods_code: (
        _theirs(organisations)
        .filter(alert_id__any_of=alerts)
        .values_list(*(f"alert__{name}" for name in ALERT_FIELDS))
        .annotate(
            total=Count("pk", filter=_shown(shape, now, ods_code)),
            unacknowledged=Count("pk", filter=Q(status=ResponseStatus.NOT_ACKNOWLEDGED)),
            reacknowledge_by=Min(
                "reacknowledgement_due_at",
                filter=Q(reacknowledgement_due_at__isnull=False, alert__status=AlertStatus.PUBLISHED),
            ),
        )
        .order_by()
    )
)
RESPONSE_FIELDS = _in_model_order(
    Response,
    (
        *("id", "alert_id", "organisation_id", "status", "acknowledged_within_window"),
        *("next_update_due_on", "review_on", "reacknowledgement_due_at"),
    ),
)
ORGANISATION_FIELDS = _in_model_order(Organisation, ("id", "ods_code", "name"))  # the id first, as in every model
BY_NAME = (F("organisation__name").asc(), F("organisation_id").asc())
# The first rows shown of each of the page's alerts, by organisation name.
ROWS = KeptStatement(
    lambda shape, organisations, alerts, now, ods_code: (
        _theirs(organisations)
        .filter(_shown(shape, now, ods_code), alert_id__any_of=alerts)
        .annotate(position=Window(RowNumber(), partition_by=F("alert_id"), order_by=BY_NAME))
        .filter(position__lte=ROWS_PER_ALERT)
        .values_list(*RESPONSE_FIELDS, *(f"organisation__{name}" for name in ORGANISATION_FIELDS[1:]))
        .order_by("organisation__name", "organisation_id")
    )
)


def _page_groups(
    organisations: list[int], shape: tuple[str, bool], alert_ids: list[int], now: datetime, ods_code: str
) -> list[AlertGroup]:
    """The page's alerts with their figures and first rows, built from the rows of two queries."""
    if not alert_ids:
        return []
    figures, alerts = {}, {}
    for *fields, total, unacknowledged, reacknowledge_by in FIGURES.rows(
        shape, organisations, alert_ids, now, ods_code
    ):
        alert = Alert.from_db(None, ALERT_FIELDS, fields)
        alerts[alert.pk], figures[alert.pk] = alert, (total, unacknowledged, reacknowledge_by)
    rows: dict[int, list[ResponseRow]] = {alert_id: [] for alert_id in alert_ids}
    split = len(RESPONSE_FIELDS)
    for row in ROWS.rows(shape, organisations, alert_ids, now, ods_code):
        response = Response.from_db(None, RESPONSE_FIELDS, row[:split])
        response.alert = alerts[response.alert_id]
        response.organisation = Organisation.from_db(
            None, ORGANISATION_FIELDS, (response.organisation_id, *row[split:])
        )
        rows[response.alert_id].append(ResponseRow.build(response, now=now, can_submit=True))
    groups = []
    for alert_id in alert_ids:
        alert, (total, waiting, reacknowledge_by) = alerts[alert_id], figures[alert_id]
        deadline = alert.deadline_at
        groups.append(
            AlertGroup(
                alert=alert,
                rows=rows[alert_id],
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


def _your_alerts_context(
    organisations: list[int], filter_form: DashboardFilterForm, now: datetime, request: HttpRequest
) -> dict[str, Any]:
    """Three queries however many organisations and alerts: the alerts listed, and the page's alerts' figures and
    first rows (_page_groups)."""
    show, ods_code = filter_form.show_value, filter_form.organisation_value
    shape = (show, bool(ods_code))
    listed = [alert_id for (alert_id,) in LISTED.rows(shape, organisations, now, ods_code)]
    page = Paginator(listed, ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "filter_form": filter_form,
        "organisations": organisations,
        "show": show,
        "page": page,
        "groups": _page_groups(organisations, shape, list(page.object_list), now, ods_code),
        "tables": tables,
        "filtered": request.GET.get("show", "open") != "open" or bool(request.GET.get("organisation")),
    }
