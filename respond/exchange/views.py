"""STIX 2.1 bundles: an alert's, for whoever may read its page (the same TLP rules: respond.alerts.views.public),
and a closed incident group's indicators, for its members only (404 for anyone else, as every group URL)."""

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from respond.alerts.models import Alert, Tlp
from respond.alerts.views.public import THREAT_ID, reader
from respond.core.audit import Auditor
from respond.exchange.group_stix import group_indicators_bundle
from respond.exchange.stix import alert_bundle
from respond.groups.models import Indicator
from respond.groups.views.common import membership, post_in

STIX_CONTENT_TYPE = "application/stix+json;version=2.1"


@require_safe
def alert_stix(request: HttpRequest, threat_id: str) -> HttpResponse:
    if not THREAT_ID.match(threat_id):
        raise Http404("No such alert")
    person = reader(request)
    alert = Alert.objects.visible_to(person).filter(threat_id=threat_id.upper()).first()
    if alert is None:
        raise Http404("No such alert")
    response = HttpResponse(json.dumps(alert_bundle(alert), indent=2), content_type=STIX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{alert.threat_id}.stix.json"'
    if alert.tlp != Tlp.CLEAR or person.is_authenticated:
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, public=True, max_age=60)
    return response


@login_required
@require_safe
def group_indicators_stix(request: HttpRequest, group_id: int, post_id: int | None = None) -> HttpResponse:
    """The group's indicators (or one post's), audited like the CSV; members only."""
    member = membership(request, group_id)
    group = member.group
    indicators = Indicator.objects.filter(post__group=group)
    post = None
    if post_id is not None:
        post = post_in(group, post_id)
        if post.is_deleted:
            raise Http404("This post has been deleted")
        indicators = indicators.filter(post=post)
    bundle = group_indicators_bundle(group, indicators, post=post)
    details: dict[str, Any] = {"format": "stix", **({"post": post.pk} if post else {})}
    Auditor.from_request(request).log("group.indicators_downloaded", group, after=details)
    name = f"group-{group.pk}-post-{post.pk}" if post else f"group-{group.pk}"
    response = HttpResponse(json.dumps(bundle, indent=2), content_type=STIX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}-indicators.stix.json"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
