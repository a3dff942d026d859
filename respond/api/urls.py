"""The REST API, version 1: `/api/v1/`, its OpenAPI document at `/api/v1/openapi.json` and its docs page at
`/api/v1/docs` (Swagger UI from our own static files, under the site's CSP)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.http import ConditionalGetMiddleware
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils.decorators import decorator_from_middleware
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from respond.api import alerts, oversight, responses
from respond.api.auth import TokenBearer
from respond.api.errors import install_error_handlers
from respond.api.parser import StorableJsonParser

DESCRIPTION = """The machine interface of Respond to a cyber alert: the alerts your organisations must answer,
recording responses (one organisation or many at once), their history, and for auditors and CSOC staff the
summaries their pages show.

Authenticate with a personal API token (made on the "API tokens" page) as `Authorization: Bearer <token>`.
A token acts for the organisations chosen when it was made; a read-only token cannot record responses.

Every error is JSON: `{"detail": "…", "errors": [{"field": "…", "message": "…"}]}`. Reads carry an `ETag`
(send `If-None-Match` to get 304 when nothing changed); a response's ETag is its version: send it in
`If-Match` when recording, and a response changed meanwhile gives 409 rather than a lost update."""


class OwnSwaggerUi(DocsBase):
    """Swagger UI from the swagger-ui-dist npm package (copied by the asset build): no CDN, no inline script."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        return render(request, "api/docs.html", {"openapi_url": self.get_openapi_url(api, kwargs), "api": api})


api = NinjaAPI(
    title="Respond to a cyber alert API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=TokenBearer(),
    docs=OwnSwaggerUi(),
    docs_url="/docs",
    parser=StorableJsonParser(),
)
install_error_handlers(api)
for router in (alerts.router, responses.router, oversight.router):
    api.add_router("", router)

conditional_get = decorator_from_middleware(ConditionalGetMiddleware)


def _json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja answers a method an endpoint lacks with a plain-text 405: ours is JSON, as every other error."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405:
            allowed = response.get("Allow", "")
            response = JsonResponse({"detail": f"Use {allowed or 'another method'} here", "errors": []}, status=405)
            response["Allow"] = allowed
        return response

    return wrapped


def _with_etags(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """Every read carries an ETag of its body, and answers 304 to a matching If-None-Match."""
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = conditional_get(_json_method_not_allowed(pattern.callback))
    return patterns


def not_found(request: HttpRequest, rest: str) -> JsonResponse:
    return JsonResponse({"detail": "No such API endpoint", "errors": []}, status=404)


ninja_patterns, ninja_app, ninja_namespace = api.urls
urlpatterns = [
    path("", (_with_etags(list(ninja_patterns)), ninja_app, ninja_namespace)),
    re_path(r"^(?P<rest>.*)$", not_found, name="api_not_found"),
]
