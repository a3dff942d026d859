"""The service's URLs plus the load test's floor: a bare view doing one single-row query."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from config import urls as service
from respond.organisations.models import Organisation


def floor(request: HttpRequest) -> HttpResponse:
    name = Organisation.objects.filter(pk=1).values_list("name", flat=True).first()
    return HttpResponse(f"<p>{name}</p>")


urlpatterns = [path("load-test/floor", floor, name="load_test_floor"), path("", include(service))]
handler400, handler403 = service.handler400, service.handler403
handler404, handler500 = service.handler404, service.handler500
