"""An alert's STIX 2.1 bundle, for whoever may read its page (the same TLP rules: respond.alerts.views.public)."""

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from respond.alerts.models import Alert, Tlp
from respond.alerts.views.public import THREAT_ID, reader
from respond.exchange.stix import alert_bundle


@require_safe
def alert_stix(request: HttpRequest, threat_id: str) -> HttpResponse:
    if not THREAT_ID.match(threat_id):
        raise Http404("No such alert")
    person = reader(request)
    alert = Alert.objects.visible_to(person).filter(threat_id=threat_id.upper()).first()
    if alert is None:
        raise Http404("No such alert")
    response = HttpResponse(json.dumps(alert_bundle(alert), indent=2), content_type="application/stix+json;version=2.1")
    response["Content-Disposition"] = f'attachment; filename="{alert.threat_id}.stix.json"'
    if alert.tlp != Tlp.CLEAR or person.is_authenticated:
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, public=True, max_age=60)
    return response
