"""Every error the API gives is JSON of one shape, `{"detail": …, "errors": [{"field": …, "message": …}]}`,
with the status code that says what went wrong: never an HTML page, never a bare 500."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from respond.api.parser import UnstorableText
from respond.responses.services import ConflictError

logger = logging.getLogger(__name__)


class RateLimited(Exception):
    def __init__(self, wait: int) -> None:
        self.wait = wait
        super().__init__(f"Too many requests with this token: try again in {wait} seconds")


class ApiError(Exception):
    """An error an endpoint gives directly, with its per-field messages."""

    def __init__(self, status: int, detail: str, errors: list[dict[str, Any]] | None = None) -> None:
        self.status = status
        self.detail = detail
        self.errors = errors or []
        super().__init__(detail)


def field_errors(error: ValidationError) -> list[dict[str, Any]]:
    """A service's ValidationError as the API's errors: by field where it names one."""
    if hasattr(error, "error_dict"):
        return [
            {"field": None if name == "__all__" else name, "message": message}
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": None, "message": message} for message in error.messages]


def _schema_field(location: tuple[Any, ...]) -> str | None:
    # ("body", "payload", "status") -> "status"; ("query", "limit") -> "limit"
    parts = [str(part) for part in location[1:] if part != "payload"]
    return ".".join(parts) or None


def _body(detail: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, detail: str, errors: list | None = None) -> HttpResponse:
        return api.create_response(request, _body(detail, errors), status=status)

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc.status, exc.detail, exc.errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, 401, "Send a valid API token: Authorization: Bearer <token>")
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(RateLimited)
    def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        response = respond(request, 429, str(exc))
        response["Retry-After"] = str(exc.wait)
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        detail = str(exc)
        if exc.status_code == 400:
            cause = exc.__cause__
            detail = str(cause) if isinstance(cause, UnstorableText) else "The request body is not valid JSON"
        return respond(request, exc.status_code, detail)

    @api.exception_handler(SchemaError)
    def schema_error(request: HttpRequest, exc: SchemaError) -> HttpResponse:
        errors = [{"field": _schema_field(tuple(item.get("loc", ()))), "message": item["msg"]} for item in exc.errors]
        return respond(request, 422, "Some of the request is not valid", errors)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(request, 422, "The response was not recorded", field_errors(exc))

    @api.exception_handler(ConflictError)
    def conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
        changes = [
            {"field": None, "message": f"Version {entry.version} recorded at {entry.created_at.isoformat()}"}
            for entry in exc.entries
        ]
        return respond(request, 409, str(exc), changes)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, str(exc) or "You do not have permission to do this")

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, str(exc) or "Not found")

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return respond(request, 500, "Something went wrong on our side: nothing was recorded")
