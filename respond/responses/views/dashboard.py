"""The "Your alerts" start page: what each of the person's organisations owes, and by when."""

from datetime import datetime
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from respond.accounts.models import User
from respond.core.fragments import cached_fragment, query_state
from respond.responses.forms import DashboardFilterForm
from respond.responses.models import CLOSED_STATUSES, Response, ResponseStatus
from respond.responses.views import tables
from respond.responses.views.your_alerts import (
    TheirOrganisations,
    listed_alerts,
    page_groups,
    their_organisations,
)

ALERTS_PER_PAGE = 10


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
    theirs = their_organisations(cast(User, user))  # signed in (login_required)
    filters = request.GET.copy()
    filters.setdefault("show", "open")
    filter_form = DashboardFilterForm(filters, organisations=[(code, name) for _pk, code, name in theirs.by_name])
    overview = _overview(request)
    context = {
        "filter_form": filter_form,
        "organisations": theirs.ids,
        "your_alerts": _your_alerts(request, theirs, filter_form, now) if theirs.ids else "",
        "overview_page": overview.get_page(request.GET.get("page")) if overview else None,
    }
    return render(request, "responses/dashboard.html", context)


def _your_alerts(
    request: HttpRequest, theirs: TheirOrganisations, filter_form: DashboardFilterForm, now: datetime
) -> SafeString:
    """The filters and the alerts with their rows: rendered once for each state of what they show, the same for
    everyone with these organisations. The key holds the versions of the organisations' responses, of the
    alerts and of the organisations' names (their_organisations), the query string, and the minute: the times
    left, and what is overdue, move on with the clock."""
    state = (theirs.ids, theirs.version, query_state(request.GET), now.replace(second=0, microsecond=0))
    return cached_fragment(
        "your-alerts",
        state,
        lambda: render_to_string(
            "responses/_your_alerts.html", _your_alerts_context(theirs, filter_form, now, request), request
        ),
    )


def _your_alerts_context(
    theirs: TheirOrganisations, filter_form: DashboardFilterForm, now: datetime, request: HttpRequest
) -> dict[str, Any]:
    """Two queries however many organisations and alerts (respond.responses.views.your_alerts): the alerts listed,
    and the page's alerts with their figures and first rows."""
    show, ods_code = filter_form.show_value, filter_form.organisation_value
    shape = (show, bool(ods_code))
    listed = listed_alerts(shape, theirs.ids, now, ods_code)
    page = Paginator(listed, ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "filter_form": filter_form,
        "organisations": theirs.ids,
        "show": show,
        "page": page,
        "groups": page_groups(theirs, shape, list(page.object_list), now, ods_code),
        "tables": tables,
        "filtered": request.GET.get("show", "open") != "open" or bool(request.GET.get("organisation")),
    }
