from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from respond.core.decorators import permission_required
from respond.organisations.models import Organisation


@permission_required("organisations.view_organisations")
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.search(request.GET.get("q", "")).select_related("region")
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    return render(request, "organisations/list.html", {"page": page, "q": request.GET.get("q", "")})


@permission_required("organisations.view_organisations")
def organisation_detail(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = get_object_or_404(
        Organisation.objects.select_related("region", "parent_icb"), ods_code=ods_code.upper()
    )
    return render(request, "organisations/detail.html", {"organisation": organisation})


@permission_required("organisations.import_organisations")
def import_organisations(request: HttpRequest) -> HttpResponse:
    return render(request, "organisations/import.html")
