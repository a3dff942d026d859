"""The compliance reports: every alert, one alert, one organisation's history and the figures over time."""

from collections.abc import Callable
from typing import Any

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from respond.alerts.models import ALERT_TEXT_FIELDS, ALERTS_VERSION
from respond.core import versions
from respond.core.decorators import permission_required
from respond.core.fragments import cached_fragment, query_state
from respond.organisations.models import ORGANISATION_DETAILS_VERSION, Organisation, Region
from respond.reports import charts, over_time_tables, tables
from respond.reports.forms import AlertFilterForm, AlertOrganisationsFilterForm, HistoryFilterForm, OverTimeFilterForm
from respond.reports.organisation_history import (
    first_open_exceptions,
    history_rows,
    organisation_summary,
    paged_history,
)
from respond.reports.over_time import FIGURES_KEPT_FOR, compliance_over_time
from respond.reports.services import (
    alert_report,
    alert_summaries,
    paged_alert_organisations,
    reported_alerts,
    reported_years,
)
from respond.reports.statistics import duration_text, share
from respond.responses.changes import alert_responses_version, organisation_responses_version

ALERTS_PER_PAGE = 20
ORGANISATIONS_PER_PAGE = 50
HISTORY_PER_PAGE = 25
EXCEPTIONS_SHOWN = 20
VIEW_REPORTS = "reports.view_reports"
# Reports show other organisations' figures: never kept by browsers or shared caches.
private = cache_control(private=True, no_store=True)

HELPERS = {
    "charts": charts,
    "duration_text": duration_text,
    "over_time_tables": over_time_tables,
    "share": share,
    "tables": tables,
}


class CountedPaginator(Paginator):
    """A paginator told how many objects there are (the report's figures know), rather than counting them."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:  # type: ignore[override]
        return self._known_count


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, f"reports/{template}", {**HELPERS, **context})


def _content(request: HttpRequest, template: str, state: object, context: Callable[[], dict[str, Any]]) -> SafeString:
    """The page's content, rendered once for each state of what it shows (respond.core.fragments): `state`
    holds the versions of the data it shows, and whatever else decides it; `context` builds what it shows."""
    return cached_fragment(
        template, state, lambda: render_to_string(f"reports/{template}", {**HELPERS, **context()}, request)
    )


def _show(form: AlertOrganisationsFilterForm | HistoryFilterForm) -> str:
    return (form.cleaned_data.get("show") or "") if form.is_valid() else ""


@permission_required(VIEW_REPORTS)
@require_safe
@private
def index(request: HttpRequest) -> HttpResponse:
    alerts = reported_alerts().defer(*ALERT_TEXT_FIELDS)
    filter_form = AlertFilterForm(request.GET or None, years=reported_years)
    if filter_form.is_valid():
        if severity := filter_form.cleaned_data["severity"]:
            alerts = alerts.filter(severity=severity)
        if year := filter_form.cleaned_data["year"]:
            alerts = alerts.filter(published_at__year=int(year))
    page = Paginator(alerts, ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    listed = list(page.object_list)
    names = [alert_responses_version(alert.pk) for alert in listed] + [ALERTS_VERSION]
    windows_closed = [alert.deadline_at is not None and alert.deadline_at < now for alert in listed]
    listed_ids = [alert.pk for alert in listed]
    state = (listed_ids, versions.combined(names), windows_closed, page.paginator.count, query_state(request.GET))
    content = _content(
        request,
        "_index_content.html",
        state,
        lambda: {
            "filter_form": filter_form,
            "page": page,
            "summaries": alert_summaries(listed, now=now),
            "filtered": bool(request.GET.get("severity") or request.GET.get("year")),
        },
    )
    return _render(request, "index.html", {"filter_form": filter_form, "content": content})


@permission_required(VIEW_REPORTS)
@require_safe
@private
def alert(request: HttpRequest, threat_id: str) -> HttpResponse:
    alert = reported_alerts().defer(*ALERT_TEXT_FIELDS).filter(threat_id=threat_id.upper()).first()
    if alert is None:
        raise Http404("No such alert")
    filter_form = AlertOrganisationsFilterForm(request.GET or None)
    now = timezone.now()
    names = [alert_responses_version(alert.pk), ALERTS_VERSION, ORGANISATION_DETAILS_VERSION]
    found = versions.current(names)
    deadline_passed = alert.deadline_at is not None and alert.deadline_at < now
    state = (alert.pk, [found[name] for name in names], deadline_passed, query_state(request.GET))

    def context() -> dict[str, Any]:
        report = alert_report(alert=alert, now=now)
        show = _show(filter_form)
        organisations = CountedPaginator(
            paged_alert_organisations(alert, show=show), ORGANISATIONS_PER_PAGE, count=report.figures.count_shown(show)
        )
        page = organisations.get_page(request.GET.get("page"))
        return {
            "report": report,
            "filter_form": filter_form,
            "page": page,
            "rows": page.object_list,
        }

    content = _content(request, "_alert_content.html", state, context)
    return _render(request, "alert.html", {"alert": alert, "filter_form": filter_form, "content": content})


@login_required
@require_safe
@private
def organisation(request: HttpRequest, ods_code: str) -> HttpResponse:
    """Auditors and CSOC staff, and the organisation's own administrators and responders."""
    organisation = get_object_or_404(Organisation.objects.select_related("region"), ods_code=ods_code.upper())
    # rules alone: Django's ModelBackend would look up the person's model permissions as well.
    if not rules.has_perm("reports.view_organisation_report", request.user, organisation):
        raise PermissionDenied
    now = timezone.now()
    filter_form = HistoryFilterForm(request.GET or None)
    can_view_reports = rules.has_perm(VIEW_REPORTS, request.user)
    names = [organisation_responses_version(organisation.pk), ALERTS_VERSION, ORGANISATION_DETAILS_VERSION]
    found = versions.current(names)
    # Outcomes ("missed"), reviews and updates due move on with the clock: the minute is in the state.
    minute = now.replace(second=0, microsecond=0)
    state = (organisation.pk, [found[name] for name in names], can_view_reports, minute, query_state(request.GET))

    def context() -> dict[str, Any]:
        summary = organisation_summary(organisation, now=now)
        show = _show(filter_form)
        history = CountedPaginator(
            paged_history(organisation, show=show), HISTORY_PER_PAGE, count=summary.count_shown(show)
        )
        page = history.get_page(request.GET.get("page"))
        exceptions = first_open_exceptions(organisation, EXCEPTIONS_SHOWN) if summary.open_exceptions else []
        return {
            "organisation": organisation,
            "summary": summary,
            "filter_form": filter_form,
            "page": page,
            "rows": history_rows(list(page.object_list), organisation, now=now),
            "exceptions": history_rows(exceptions, organisation, now=now),
            "can_view_reports": can_view_reports,
        }

    content = _content(request, "_organisation_content.html", state, context)
    page_context = {"organisation": organisation, "filter_form": filter_form, "can_view_reports": can_view_reports}
    return _render(request, "organisation.html", {**page_context, "content": content})


@permission_required(VIEW_REPORTS)
@require_safe
@private
def over_time(request: HttpRequest) -> HttpResponse:
    regions = list(Region.objects.order_by("name"))
    filter_form = OverTimeFilterForm(request.GET or None, regions=regions)
    valid = not filter_form.is_bound or filter_form.is_valid()
    filters = filter_form.filters() if valid else None
    # Worked out afresh at most every five minutes ("figures as of" says when): each five minutes is a state.
    five_minutes = int(timezone.now().timestamp() // FIGURES_KEPT_FOR.total_seconds())
    found = versions.current([ORGANISATION_DETAILS_VERSION])
    state = (query_state(request.GET), found[ORGANISATION_DETAILS_VERSION], five_minutes)

    def context() -> dict[str, Any]:
        return {
            "filter_form": filter_form,
            "filters": filters,
            "report": compliance_over_time(filters, regions) if filters else None,
            "filtered": bool(request.GET),
        }

    content = _content(request, "_over_time_content.html", state, context)
    return _render(request, "over_time.html", {"filter_form": filter_form, "content": content})
