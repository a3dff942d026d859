"""The organisation downloads' first addresses, kept working: the exports app (respond.exports) makes them now."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe


@login_required
@require_safe
def current_csv(request: HttpRequest, ods_code: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("exports:organisation_responses", args=[ods_code.upper(), "csv"]))


@login_required
@require_safe
def history_csv(request: HttpRequest, ods_code: str) -> HttpResponseRedirect:
    query = urlencode({"organisation": ods_code.upper()})
    return HttpResponseRedirect(f"{reverse('exports:history', args=['csv'])}?{query}")
