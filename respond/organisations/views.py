from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from respond.core.audit import Auditor
from respond.core.decorators import permission_required
from respond.organisations.forms import MandatedImportForm, OdsImportForm, OrganisationFilterForm
from respond.organisations.importers import import_ods_files
from respond.organisations.mandated import import_mandated_list
from respond.organisations.models import Organisation
from respond.organisations.source_files import ImportFileError

PAGE_SIZE = 50
IMPORT_RESULT_SESSION_KEY = "organisations_import_result"


@permission_required("organisations.view_organisations")
def organisation_list(request: HttpRequest) -> HttpResponse:
    filter_form = OrganisationFilterForm(request.GET)
    organisations = filter_form.filter(Organisation.objects.select_related("region"))
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "organisations/list.html", {"page": page, "filter_form": filter_form})


@permission_required("organisations.view_organisations")
def organisation_detail(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = get_object_or_404(
        Organisation.objects.select_related("region", "parent_icb"), ods_code=ods_code.upper()
    )
    children = organisation.children.order_by("-active", "name")  # type: ignore[attr-defined]
    return render(request, "organisations/detail.html", {"organisation": organisation, "children": children})


@permission_required("organisations.import_organisations")
def import_organisations(request: HttpRequest) -> HttpResponse:
    ods_form = OdsImportForm()
    mandated_form = MandatedImportForm()
    failed_form: OdsImportForm | MandatedImportForm | None = None
    if request.method == "POST":
        auditor = Auditor.from_request(request)
        upload = request.POST.get("upload")
        if upload == "ods":
            ods_form = failed_form = OdsImportForm(request.POST, request.FILES)
            if ods_form.is_valid():
                try:
                    summary = import_ods_files(files=ods_form.source_files(), auditor=auditor)
                except ImportFileError as error:
                    ods_form.add_error("ods_files", f"{error}. Nothing was imported.")
                else:
                    return _show_result(request, {"kind": "ods", **summary.as_dict()})
        elif upload == "mandated":
            mandated_form = failed_form = MandatedImportForm(request.POST, request.FILES)
            if mandated_form.is_valid():
                try:
                    result = import_mandated_list(file=mandated_form.source_file(), auditor=auditor)
                except ImportFileError as error:
                    mandated_form.add_error("mandated_list", f"{error}. Nothing was changed.")
                else:
                    return _show_result(request, {"kind": "mandated", **result.as_dict()})
        else:
            raise BadRequest("Unknown upload")
    context = {
        "ods_form": ods_form,
        "mandated_form": mandated_form,
        "result": request.session.pop(IMPORT_RESULT_SESSION_KEY, None) if failed_form is None else None,
    }
    if failed_form is not None:
        context["form"] = failed_form  # the layout shows its errors in the error summary
    return render(request, "organisations/import.html", context)


def _show_result(request: HttpRequest, result: dict) -> HttpResponse:
    request.session[IMPORT_RESULT_SESSION_KEY] = result
    return redirect("organisations:import")
