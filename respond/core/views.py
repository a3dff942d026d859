import logging
import sys

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.middleware.csp import get_nonce
from django.shortcuts import render
from django.template import engines
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from respond.core.decorators import permission_required
from respond.core.forms import AuditLogFilterForm
from respond.core.models import AuditLog
from respond.core.outages import is_outage

logger = logging.getLogger(__name__)


@permission_required("core.view_csoc_tools")
def csoc_tools(request: HttpRequest) -> HttpResponse:
    """CSOC staff's own pages, gathered in one place so that the header stays short."""
    return render(request, "core/csoc_tools.html")


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


def cookies(request: HttpRequest) -> HttpResponse:
    return render(request, "core/cookies.html")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception:
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    from respond.core.health import queue_status

    database = "ok" if _database_ok() else "unavailable"
    queue = queue_status()
    healthy = database == "ok" and queue["status"] == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "queue": queue},
        status=200 if healthy else 503,
    )


@permission_required("core.view_auditlog")
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditLogFilterForm(request.GET or None)
    entries: QuerySet[AuditLog] = AuditLog.objects.select_related("actor")
    if form.is_valid():
        entries = form.filter(entries)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"filter_form": form, "page": page})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_outage(exception):  # a session that could not be saved in an outage: not the person's mistake
        return _error_page(request, unavailable=True)
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


SERVER_ERROR_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sorry, there is a problem with the service &ndash; NHS</title></head>
<body><main><h1>Sorry, there is a problem with the service</h1><p>Try again later.</p></main></body></html>
"""


def server_error(request: HttpRequest) -> HttpResponse:
    """Renders without the request's context processors, which need the database (the likely culprit). When the
    database or Redis could not be reached, a 503 "service unavailable" page asks to try again in a minute."""
    unavailable = is_outage(sys.exc_info()[1])
    return _error_page(request, unavailable=unavailable)


def _error_page(request: HttpRequest, *, unavailable: bool) -> HttpResponse:
    try:
        nonce = get_nonce(request)
        template = engines["jinja2"].get_template("errors/503.html" if unavailable else "errors/500.html")
        content = template.render({"csp_nonce": str(nonce) if nonce is not None else ""})
    except Exception:
        logger.exception("The error page could not be rendered; sent the plain one instead.")
        content = SERVER_ERROR_HTML
    if unavailable:
        return HttpResponse(content, status=503, headers={"Retry-After": "30"})
    return HttpResponseServerError(content)


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """For a load balancer: whether this process should be sent traffic (see respond.core.readiness)."""
    from respond.core.readiness import readiness

    result = readiness()
    return JsonResponse(
        {
            "status": "ok" if result.ready else "unavailable",
            **result.checks,
            "queue_lag_seconds": result.queue_lag_seconds,
        },
        status=200 if result.ready else 503,
    )
