"""The "Your alerts" start page: what each of the person's organisations owes, and by when."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Min, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString

from respond.accounts.models import Membership, User
from respond.alerts.models import ALERTS_VERSION, Alert, AlertStatus
from respond.core import versions
from respond.core.fragments import cached_fragment, query_state
from respond.organisations.models import ORGANISATION_DETAILS_VERSION
from respond.responses.changes import organisation_responses_version
from respond.responses.deadlines import time_left_text
from respond.responses.forms import DashboardFilterForm
from respond.responses.models import CLOSED_STATUSES, Response, ResponseQuerySet, ResponseStatus
from respond.responses.views import tables
from respond.responses.views.common import ResponseRow

ALERTS_PER_PAGE = 10
ROWS_PER_ALERT = 10
# What the alerts and their rows show (ResponseRow, responses/_your_alerts.html), and no more.
ROW_FIELDS = (
    *("alert_id", "organisation_id", "status", "acknowledged_within_window"),
    *("next_update_due_on", "review_on", "reacknowledgement_due_at"),
    *(f"alert__{name}" for name in ("threat_id", "title", "status", "severity", "published_at")),
    *(f"alert__{name}" for name in ("responses_asked_at", "response_window_hours", "response_required")),
    "organisation__name",
    "organisation__ods_code",
)


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


def _groups(responses: ResponseQuerySet, figures: list[dict[str, Any]], now: datetime) -> list[AlertGroup]:
    """The page's alerts with their first rows: one query, with the alerts (every alert listed has a row).
    `responses`: those the page shows; `figures`: the page's alerts' figures (see _your_alerts_context)."""
    by_name = (F("organisation__name").asc(), F("organisation_id").asc())
    first_rows = (
        responses.filter(alert__in=[row["alert_id"] for row in figures])
        .select_related("alert", "organisation")
        .only(*ROW_FIELDS)
        .annotate(position=Window(RowNumber(), partition_by=F("alert_id"), order_by=by_name))
        .filter(position__lte=ROWS_PER_ALERT)
        .order_by(*by_name)
    )
    rows: dict[int, list[ResponseRow]] = {}
    alerts: dict[int, Alert] = {}
    for response in first_rows:
        alerts.setdefault(response.alert_id, response.alert)
        response.alert = alerts[response.alert_id]  # one Alert object for each alert's rows
        rows.setdefault(response.alert_id, []).append(ResponseRow.build(response, now=now, can_submit=True))
    groups = []
    for row in figures:
        alert, waiting, reacknowledge_by = alerts[row["alert_id"]], row["unacknowledged"], row["reacknowledge_by"]
        deadline = alert.deadline_at
        groups.append(
            AlertGroup(
                alert=alert,
                rows=rows[alert.pk],
                total=row["total"],
                unacknowledged=waiting,
                time_left=time_left_text(deadline, now) if waiting and alert.status == AlertStatus.PUBLISHED else "",
                acknowledgement_overdue=bool(waiting and deadline and deadline < now),
                reacknowledge_by=reacknowledge_by,
                reacknowledgement_time_left=time_left_text(reacknowledge_by, now),
                reacknowledgement_overdue=(reacknowledge_by or now) < now,
            )
        )
    return groups


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


class _AlertsPaginator(Paginator):
    """Counts the alerts listed (`listed`) rather than the groups of their figures: the same number, from an
    index of the shown responses rather than by grouping every one of the person's organisations' responses."""

    def __init__(self, object_list: Any, per_page: int, *, listed: QuerySet[Alert]) -> None:
        super().__init__(object_list, per_page)
        self._listed = listed

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return self._listed.count()


def _your_alerts_context(
    organisations: list[int], filter_form: DashboardFilterForm, now: datetime, request: HttpRequest
) -> dict[str, Any]:
    """Three queries however many organisations and alerts: how many alerts are listed, the page's alerts' figures,
    and their first rows with the alerts themselves (_groups)."""
    show = filter_form.show_value
    theirs = Response.objects.filter(organisation_id__any_of=organisations).required()
    shown = ResponseQuerySet.shown_condition(show, now=now)
    if filter_form.organisation_value:
        shown &= Q(organisation__ods_code=filter_form.organisation_value)
    # Each alert with a response shown: how many are shown, and of all the person's organisations' responses to
    # it, how many are not acknowledged and the earliest an update is to be acknowledged by.
    figures = (
        theirs.values("alert_id")
        .annotate(
            total=Count("pk", filter=shown),
            unacknowledged=Count("pk", filter=Q(status=ResponseStatus.NOT_ACKNOWLEDGED)),
            reacknowledge_by=Min(
                "reacknowledgement_due_at",
                filter=Q(reacknowledgement_due_at__isnull=False, alert__status=AlertStatus.PUBLISHED),
            ),
        )
        .filter(total__gt=0)
        .order_by("-alert__published_at", "-alert_id")
    )
    listed = Alert.objects.filter(pk__in=theirs.filter(shown).values("alert_id"))
    page = _AlertsPaginator(figures, ALERTS_PER_PAGE, listed=listed).get_page(request.GET.get("page"))
    return {
        "filter_form": filter_form,
        "organisations": organisations,
        "show": show,
        "page": page,
        "groups": _groups(theirs.filter(shown), [dict(row) for row in page.object_list], now),
        "tables": tables,
        "filtered": request.GET.get("show", "open") != "open" or bool(request.GET.get("organisation")),
    }
