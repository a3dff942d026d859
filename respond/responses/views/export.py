"""An organisation's responses as a CSV download, for its own records."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_safe

from respond.organisations.models import Organisation
from respond.responses.csv_export import CURRENT_HEADERS, HISTORY_HEADERS, current_rows, history_rows, stream_csv


def _organisation(request: HttpRequest, ods_code: str) -> Organisation:
    organisation = get_object_or_404(Organisation, ods_code=ods_code.upper())
    if not request.user.has_perm("responses.download_responses", organisation):
        raise Http404("No such organisation among yours")
    return organisation


def _download(name: str, content: StreamingHttpResponse) -> StreamingHttpResponse:
    content["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.csv"'
    content["Cache-Control"] = "private, no-store"
    return content


@login_required
@require_safe
def current_csv(request: HttpRequest, ods_code: str) -> StreamingHttpResponse:
    """Each alert's response as it stands, with the latest answers."""
    organisation = _organisation(request, ods_code)
    content = StreamingHttpResponse(
        stream_csv(CURRENT_HEADERS, current_rows(organisation)), content_type="text/csv; charset=utf-8"
    )
    return _download(f"{organisation.ods_code}-responses", content)


@login_required
@require_safe
def history_csv(request: HttpRequest, ods_code: str) -> StreamingHttpResponse:
    """Every submission, oldest first within each alert."""
    organisation = _organisation(request, ods_code)
    content = StreamingHttpResponse(
        stream_csv(HISTORY_HEADERS, history_rows(organisation)), content_type="text/csv; charset=utf-8"
    )
    return _download(f"{organisation.ods_code}-response-history", content)
