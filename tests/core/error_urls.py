"""The service's URLs plus views that fail on purpose, for testing the error handlers."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as service_urlpatterns


def bad_request(request: HttpRequest) -> HttpResponse:
    raise BadRequest("The request made no sense")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def not_found(request: HttpRequest) -> HttpResponse:
    raise Http404("No such alert")


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("Something broke")


def remembers(request: HttpRequest) -> HttpResponse:
    request.session["remembered"] = True  # saved after the view, as a sign-in or a message would be
    return HttpResponse("Remembered")


urlpatterns = [
    path("test-errors/400/", bad_request),
    path("test-errors/403/", forbidden),
    path("test-errors/404/", not_found),
    path("test-errors/500/", broken),
    path("test-errors/session/", remembers),
    *service_urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
