"""Requests carrying text no database column can hold are refused as a 400 before any view queries with it.

A NUL character (`%00`) in the path, the query or a form field reached PostgreSQL, which refuses it in text, as a
500; SQLite accepted it. JSON bodies are checked by the API's parser (respond.api.parser)."""

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info:
        return True
    fields = [request.GET]
    if request.method == "POST" and request.content_type in FORM_TYPES:
        fields.append(request.POST)
    return any("\x00" in key or any("\x00" in value for value in values) for q in fields for key, values in q.lists())


class UnstorableTextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            message = "The request contains a NUL character (%00), which cannot be stored"
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": message, "errors": []}, status=400)
            raise BadRequest(message)
        return self.get_response(request)
