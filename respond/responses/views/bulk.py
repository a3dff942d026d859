"""One response for many organisations: choose them and answer once, check the preview, confirm."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from respond.alerts.models import Alert, AlertStatus
from respond.core.audit import Auditor
from respond.organisations.models import Organisation
from respond.responses import services
from respond.responses.answers import answer_rows
from respond.responses.deadlines import default_next_update_due, time_left_text
from respond.responses.forms import BulkResponseForm, OrganisationFilterForm
from respond.responses.models import Response, ResponseStatus
from respond.responses.views.common import alert_or_404
from respond.responses.views.responding import apply_errors

# Form data the preview carries back as hidden fields; the rest is its own.
NOT_CARRIED = {"csrfmiddlewaretoken", "step", "versions"}


def _matches(response: Response, text: str) -> bool:
    text = text.strip().lower()
    organisation = response.organisation
    return not text or text in organisation.name.lower() or text == organisation.ods_code.lower()


def _choose(request: HttpRequest, alert: Alert, form: BulkResponseForm, **extra: Any) -> HttpResponse:
    context = {
        "alert": alert,
        "form": form,
        "time_left": time_left_text(alert.deadline_at, timezone.now()),
        "changes": [],
        **extra,
    }
    return render(request, "responses/bulk.html", context)


def _preview(request: HttpRequest, alert: Alert, form: BulkResponseForm) -> HttpResponse:
    status = form.cleaned_data["status"]
    acknowledging = status == services.ACKNOWLEDGE
    if status == services.REACKNOWLEDGE:
        new_status, answers = "Unchanged (update acknowledged)", []
    elif acknowledging:
        new_status = "In progress (acknowledged)"
        due = default_next_update_due(timezone.now())
        answers = [("Next update due", f"{due.day} {due:%B %Y}")]
    else:
        new_status = ResponseStatus(status).label
        answers = answer_rows(form.answers(), status)
    carried = [(name, value) for name, values in request.POST.lists() if name not in NOT_CARRIED for value in values]
    context = {
        "alert": alert,
        "form": form,
        "chosen": form.chosen_responses(),
        "new_status": new_status,
        "answers": answers,
        "carried": carried,
        "versions": form.versions_json(),
    }
    return render(request, "responses/bulk_preview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def bulk_response(request: HttpRequest, threat_id: str) -> HttpResponse:
    alert = alert_or_404(request, threat_id)
    user: Any = request.user
    services.open_missing_responses(alert=alert, organisations=Organisation.objects.respondable_by(user))
    responses = list(
        Response.objects.respondable_by(user)
        .filter(alert=alert)
        .select_related("alert", "organisation")
        .order_by("organisation__name")
    )
    if not responses:
        raise Http404("You respond for no organisation asked to respond to this alert")
    alerts_page = reverse("responses:alert", args=[alert.threat_id])
    if alert.status != AlertStatus.PUBLISHED:
        messages.info(request, "This alert is closed, so its responses can no longer be changed.")
        return redirect(alerts_page)

    if request.method == "GET":
        filter_form = OrganisationFilterForm(request.GET or None)
        text = filter_form.cleaned_data.get("q", "") if filter_form.is_valid() else ""
        shown = [response for response in responses if _matches(response, text)]
        select_all = request.GET.get("select") == "all"
        initial = {"organisations": [str(response.organisation_id) for response in shown]} if select_all else {}
        form = BulkResponseForm(initial=initial, responses=responses, shown=shown)
        return _choose(request, alert, form, filter_form=filter_form, filter_text=text, shown=shown)

    form = BulkResponseForm(request.POST, responses=responses, shown=responses)
    step = request.POST.get("step", "preview")
    filter_form = OrganisationFilterForm()
    if step == "change" or not form.is_valid():
        return _choose(request, alert, form, filter_form=filter_form, filter_text="", shown=responses)
    if step != "confirm":
        return _preview(request, alert, form)
    try:
        entries = services.bulk_response_submit(
            user=user,
            alert=alert,
            organisations=form.chosen_organisations(),
            status=form.cleaned_data["status"],
            answers=form.answers(),
            auditor=Auditor.from_request(request),
            expected_versions=form.expected_versions(),
        )
    except services.ConflictError as conflict:
        form.add_error(
            None,
            "Someone else updated some of these responses after you checked them, so nothing has been saved. "
            "Check what changed, then submit again.",
        )
        return _choose(
            request, alert, form, filter_form=filter_form, filter_text="", shown=responses, changes=conflict.entries
        )
    except ValidationError as error:
        apply_errors(form, error)
        return _choose(request, alert, form, filter_form=filter_form, filter_text="", shown=responses)
    count = len(entries)
    messages.success(
        request,
        f"Your response to {alert.threat_id} has been recorded for {count} organisation{'s' if count != 1 else ''}",
    )
    return redirect(alerts_page)
