"""The deadline calendar: the page where a person creates, replaces or revokes their feed's secret address, and
the feed itself, which calendar apps read without signing in."""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from respond.accounts.models import User
from respond.core.audit import Auditor
from respond.core.decorators import permission_required
from respond.exports.calendar import deadline_calendar
from respond.exports.models import CalendarFeed

ACTIONS = ("create", "replace", "revoke")


@never_cache
@login_required
@permission_required("exports.manage_calendar_feed")
@require_http_methods(["GET", "HEAD", "POST"])
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The address is shown once, in the answer to the request that created it, and never stored: if it is
    lost, the person replaces it (which stops the old one working)."""
    user = cast(User, request.user)  # signed in: login_required
    feed = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()
    if request.method != "POST":
        return render(request, "exports/calendar.html", {"feed": feed, "feed_url": None})
    action = request.POST.get("action")
    if action not in ACTIONS:
        return render(request, "exports/calendar.html", {"feed": feed, "feed_url": None}, status=400)
    auditor = Auditor.from_request(request)
    with transaction.atomic():
        # Locked, so two clicks at once cannot leave two live addresses (the constraint would refuse the second).
        live = CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True).first()
        if live is not None and action in ("replace", "revoke"):
            live.revoke()
            auditor.log("calendar_feed.revoked", live, after={"revoked_at": live.revoked_at})
        if action == "revoke" or (action == "create" and live is not None):
            return redirect("exports:calendar")
        feed, token = CalendarFeed.issue(user)
        auditor.log("calendar_feed.created", feed, after={"replaces": live.pk if live else None})
    feed_url = request.build_absolute_uri(reverse("exports:calendar_feed", args=[token]))
    return render(request, "exports/calendar.html", {"feed": feed, "feed_url": feed_url})


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the token is the credential. Unknown, revoked, or its owner deactivated: not found."""
    feed = CalendarFeed.objects.for_token(token)
    if feed is None:
        raise Http404("No such calendar")
    content = deadline_calendar(
        feed.user,
        now=timezone.now(),
        link=lambda response: request.build_absolute_uri(response.get_absolute_url()),
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="cyber-alert-deadlines.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
