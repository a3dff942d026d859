import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from respond.operations.metrics import render


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for whoever holds METRICS_BEARER_TOKEN (404 when none is set: metrics are off)."""
    expected = settings.METRICS_BEARER_TOKEN
    if not expected:
        raise Http404("Metrics are not enabled")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return HttpResponse(
            "A bearer token is needed.\n", status=401, headers={"WWW-Authenticate": "Bearer"}, content_type="text/plain"
        )
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
