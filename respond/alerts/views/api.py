"""A JSON API in the shape of NHS Digital's public CyberAlert API (`page` and `single`). TLP:CLEAR alerts only."""

import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from respond.alerts.models import Alert
from respond.alerts.serialisers import full_item, limited_item

PAGE_SIZE = 10


def public_json(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """Open to any site's scripts (public data, no cookies used), and briefly cacheable."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Cache-Control"] = "public, max-age=60"
        return response

    return wrapped


def _limited(request: HttpRequest) -> bool:
    return request.GET.get("_limited", "").strip().lower() == "true"


def _alerts() -> Any:
    return Alert.objects.public().prefetch_related("affected_platforms", "remediation_steps", "updates")


@require_GET
@public_json
def page(request: HttpRequest) -> JsonResponse:
    raw = request.GET.get("page", "1").strip() or "1"
    if not raw.isdigit() or int(raw) < 1:
        return JsonResponse({"error": "page must be a whole number, 1 or more"}, status=400)
    number = int(raw)
    alerts = _alerts().order_by("-published_at", "-pk")
    total = alerts.count()
    start = (number - 1) * PAGE_SIZE
    serialise = limited_item if _limited(request) else full_item
    items = [serialise(alert) for alert in alerts[start : start + PAGE_SIZE]] if start < total else []
    return JsonResponse(
        {
            "pageSize": PAGE_SIZE,
            "total": total,
            "items": items,
            "totalPages": math.ceil(total / PAGE_SIZE),
            "currentPage": number,
        }
    )


@require_GET
@public_json
def single(request: HttpRequest) -> JsonResponse:
    threat_id = request.GET.get("threatid", "").strip().upper()
    if not threat_id:
        return JsonResponse({"error": "The URL is not correct. Use /single?threatid=<threatid>"}, status=400)
    alert = _alerts().filter(threat_id=threat_id).first()
    if alert is None:
        # Restricted alerts answer exactly as alerts that do not exist.
        return JsonResponse({"error": f"The threatid={threat_id[:20]} is not found"}, status=404)
    return JsonResponse(limited_item(alert) if _limited(request) else full_item(alert))


def index(request: HttpRequest) -> HttpResponse:
    """The API's root answers like its first page, as NHS Digital's does."""
    return page(request)
