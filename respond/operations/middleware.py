"""One middleware for what operations see of each request: its id (X-Request-ID, kept from the load balancer when
well formed), a JSON log line naming the view, user and organisation, and the request metrics."""

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from django.http import HttpRequest, HttpResponse

from respond.accounts.models import Membership
from respond.operations.logs import get_logger
from respond.operations.metrics import observe_request

logger = get_logger("respond.requests")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
SESSION_ORGANISATIONS = "_log_organisation_ids"


def request_id_for(request: HttpRequest) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if REQUEST_ID.match(given) else uuid.uuid4().hex


class RequestObservabilityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = request_id_for(request)
        # Cleared when the next request starts, not when this one ends: work this request set off when its
        # transaction commits still logs with its id.
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None and match.view_name else "unmatched"
        if view in {"metrics", "healthz", "readyz"}:
            response["X-Request-ID"] = request_id
            return response
        observe_request(view=view, method=request.method or "", status=response.status_code, seconds=seconds)
        log = logger.warning if response.status_code >= 500 else logger.info
        log(
            "request",
            view=view,
            route=match.route if match is not None else None,
            method=request.method,
            status=response.status_code,
            duration_ms=round(seconds * 1000, 1),
        )
        response["X-Request-ID"] = request_id
        return response

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> None:
        """After authentication: who is asking, for every log line of this request and the tasks it enqueues."""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        structlog.contextvars.bind_contextvars(user_id=user.pk, organisation_ids=_organisation_ids(request, user.pk))


def _organisation_ids(request: HttpRequest, user_id: int) -> list[int]:
    """The organisations the person belongs to, read once a session (the session is in the database or Redis)."""
    session = request.session
    stored = session.get(SESSION_ORGANISATIONS)
    if stored is not None and stored.get("user") == user_id:
        return stored["ids"]
    ids = sorted(Membership.objects.filter(user_id=user_id).values_list("organisation_id", flat=True))[:20]
    session[SESSION_ORGANISATIONS] = {"user": user_id, "ids": ids}
    return ids
