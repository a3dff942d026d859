"""CSOC's view of an alert's messages, and GOV.UK Notify's delivery receipts."""

import json
import logging
from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from respond.alerts.models import Alert
from respond.core.audit import Auditor
from respond.core.decorators import permission_required
from respond.notifications import services

logger = logging.getLogger(__name__)
REFRESH_SECONDS = 15


def _published_alert(threat_id: str) -> Alert:
    return get_object_or_404(Alert.objects.exclude(threat_id=None), threat_id=threat_id.upper())


@permission_required("notifications.view_delivery")
def alert_progress(request: HttpRequest, threat_id: str) -> HttpResponse:
    alert = _published_alert(threat_id)
    progress = services.delivery_progress(alert=alert)
    failures = Paginator(progress["failures"], 50).get_page(request.GET.get("page"))
    live = not progress["finished"] and request.GET.get("live") != "off"
    context = {
        "alert": alert,
        "progress": progress,
        "failures": failures,
        "live": live,
        "refresh_seconds": REFRESH_SECONDS,
        "checked_at": timezone.now(),
        "longest_delay": describe_delay(progress["longest_delay"]),
    }
    return render(request, "notifications/alert_progress.html", context)


def describe_delay(delay: timedelta | None) -> str:
    if delay is None:
        return "None has gone out yet"
    seconds = max(1, round(delay.total_seconds()))
    parts = [(seconds // 3600, "hour"), (seconds % 3600 // 60, "minute"), (seconds % 60, "second")]
    return " ".join(f"{count} {unit}{'s' if count != 1 else ''}" for count, unit in parts if count)


@permission_required("notifications.retry_delivery")
@require_POST
def retry_failed(request: HttpRequest, threat_id: str) -> HttpResponse:
    alert = _published_alert(threat_id)
    count = services.retry_failed(alert=alert, auditor=Auditor.from_request(request))
    if count:
        messages.success(request, f"{count} message{'s' if count != 1 else ''} will be sent again")
    else:
        messages.info(request, "There were no failed messages to send again")
    return redirect("notifications:alert_progress", alert.threat_id)


@csrf_exempt  # called by GOV.UK Notify, authenticated by its bearer token
@require_POST
def delivery_receipt(request: HttpRequest) -> JsonResponse:
    if not services.bearer_token_matches(request.headers.get("Authorization", "")):
        return JsonResponse({"error": "The bearer token is missing or wrong"}, status=401)
    try:
        payload = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": "The body must be JSON"}, status=400)
    try:
        notification = services.record_delivery_receipt(payload=payload)
    except services.ReceiptError as error:
        return JsonResponse({"error": str(error)}, status=400)
    if notification is None:
        # Not one of ours (another environment on the same Notify service): say so, so Notify stops retrying.
        logger.warning("Delivery receipt for an unknown notification: %s", payload.get("id"))
        return JsonResponse({"result": "ignored", "reason": "No such notification"})
    return JsonResponse({"result": "updated", "status": notification.status})
