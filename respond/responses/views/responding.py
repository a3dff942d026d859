"""An alert's responses, one organisation's response with its history, and the pages that acknowledge and update it."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from respond.accounts.models import Membership
from respond.core.audit import Auditor
from respond.organisations.models import Organisation
from respond.responses import services
from respond.responses.answers import ANSWER_FIELDS
from respond.responses.deadlines import Due, default_next_update_due, time_left_text
from respond.responses.forms import AcknowledgeForm, OrganisationFilterForm, ReacknowledgeForm, UpdateForm
from respond.responses.models import STATUS_KEPT_ACTIONS, EntryAction, Response, ResponseEntry, ResponseStatus
from respond.responses.views import tables
from respond.responses.views.common import ResponseRow, alert_or_404, history, response_or_404

PAGE_SIZE = 50
CONFLICT_MESSAGE = (
    "Someone else updated this response while you were working on it, so yours has not been saved. "
    "Check what changed, then submit again if your answer is still right."
)


def apply_errors(form: BaseForm, error: ValidationError) -> None:
    """Shows a service's ValidationError on the form: by field where it names one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _submittable(request: HttpRequest, threat_id: str, ods_code: str) -> Response:
    response = response_or_404(request, threat_id, ods_code)
    if not request.user.has_perm("responses.submit_response", response):
        # They can read it (CSOC staff, auditors), so 403 tells them nothing new.
        raise PermissionDenied
    return response


def _deadline_context(response: Response) -> dict[str, Any]:
    now = timezone.now()
    return {
        "now": now,
        "deadline": response.deadline_at,
        "time_left": time_left_text(response.deadline_at, now) if not response.is_acknowledged else "",
        "acknowledgement_overdue": response.acknowledgement_overdue(now),
        "reacknowledgement": Due.of(response.owed_reacknowledgement_by, now),
    }


@login_required
@require_safe
def alert_responses(request: HttpRequest, threat_id: str) -> HttpResponse:
    alert = alert_or_404(request, threat_id)
    user: Any = request.user
    sees_all = user.is_csoc or user.is_auditor
    open_for = None if sees_all else Organisation.objects.respondable_by(user)
    services.open_missing_responses(alert=alert, organisations=open_for)
    responses = Response.objects.visible_to(user).filter(alert=alert)
    if not sees_all and not responses.exists():
        raise Http404("No response of yours")
    counts = dict(responses.values("status").annotate(count=Count("id")).values_list("status", "count"))
    filter_form = OrganisationFilterForm(request.GET or None)
    text = filter_form.cleaned_data.get("q", "").strip() if filter_form.is_valid() else ""
    if text:
        responses = responses.filter(Q(organisation__name__icontains=text) | Q(organisation__ods_code__iexact=text))
    ordered = responses.select_related("alert", "organisation").order_by("organisation__name")
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    respondable = set(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
    rows = [ResponseRow.build(r, now=now, can_submit=r.organisation_id in respondable) for r in page]
    bulk_count = Response.objects.respondable_by(user).filter(alert=alert).count() if alert.status == "published" else 0
    context = {
        "alert": alert,
        "page": page,
        "rows": rows,
        "filter_form": filter_form,
        "filtered": bool(text),
        "counts": [(status, counts.get(status, 0)) for status in ResponseStatus],
        "total": sum(counts.values()),
        "can_bulk": bulk_count >= 2,
        "sees_all": sees_all,
        "time_left": time_left_text(alert.deadline_at, now),
        "tables": tables,
    }
    return render(request, "responses/alert.html", context)


@login_required
@require_safe
def response_detail(request: HttpRequest, threat_id: str, ods_code: str) -> HttpResponse:
    response = response_or_404(request, threat_id, ods_code)
    can_submit = request.user.has_perm("responses.submit_response", response) and response.accepts_submissions
    context = {
        "response": response,
        "entries": history(response),
        "can_submit": can_submit,
        "can_download": request.user.has_perm("responses.download_responses", response.organisation),
        "row": ResponseRow.build(response, now=timezone.now(), can_submit=can_submit),
        **_deadline_context(response),
    }
    return render(request, "responses/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, threat_id: str, ods_code: str) -> HttpResponse:
    response = _submittable(request, threat_id, ods_code)
    if not response.accepts_submissions:
        messages.info(request, "This alert is closed, so its responses can no longer be changed.")
        return redirect(response.get_absolute_url())
    # A form acknowledging an update says so, so that it is not taken for a first acknowledgement if the update
    # was acknowledged by someone else meanwhile.
    if response.owes_reacknowledgement or request.POST.get("acknowledging") == "update":
        return _reacknowledge(request, response)
    if request.method == "GET" and response.is_acknowledged:
        messages.info(request, f"{response.organisation.name} has already acknowledged {response.alert.threat_id}.")
        return redirect(response.get_absolute_url())
    now = timezone.now()
    initial = {"version": response.version, "next_update_due_on": default_next_update_due(now)}
    return _submitted(
        request,
        response,
        AcknowledgeForm(request.POST or None, initial=initial),
        lambda form, **submission: services.response_acknowledge(
            **submission, next_update_due_on=form.cleaned_data["next_update_due_on"]
        ),
        success=f"You have acknowledged {response.alert.threat_id} for {response.organisation.name}",
        template="responses/acknowledge.html",
    )


def _reacknowledge(request: HttpRequest, response: Response) -> HttpResponse:
    """Acknowledging the update to the alert that the organisation was asked to acknowledge; its status stays."""
    return _submitted(
        request,
        response,
        ReacknowledgeForm(request.POST or None, initial={"version": response.version}),
        lambda _form, **submission: services.response_reacknowledge(**submission),
        success=f"You have acknowledged the update to {response.alert.threat_id} for {response.organisation.name}",
        template="responses/reacknowledge.html",
        update=response.reacknowledgement_update,
    )


def _submitted(
    request: HttpRequest,
    response: Response,
    form: BaseForm,
    submit: Callable[..., object],
    *,
    success: str,
    template: str,
    **context: Any,
) -> HttpResponse:
    """A valid POST of `form`, submitted by `submit(form, response=, user=, version=, auditor=)` (what every
    submission names): the success message and the way back to the response. Else `template` with the form: as it
    was (errors and all), or, where someone else updated the response meanwhile, with what the person typed and the
    entries that changed the response since; `context` adds what the template shows besides."""
    changes: list[ResponseEntry] = []
    if request.method == "POST" and form.is_valid():
        try:
            submit(
                form,
                response=response,
                user=request.user,
                version=form.cleaned_data["version"],
                auditor=Auditor.from_request(request),
            )
        except services.ConflictError as conflict:
            form, changes = _form_after_conflict(type(form), request, response), conflict.entries
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(response.get_absolute_url())
    page = {"response": response, "form": form, "changes": changes, **_deadline_context(response), **context}
    return render(request, template, page)


def _form_after_conflict[F: BaseForm](form_class: type[F], request: HttpRequest, response: Response) -> F:
    """The form again with what the person typed, now based on the latest version, and the conflict explained."""
    response.refresh_from_db()
    data = request.POST.copy()
    data["version"] = str(response.version)
    form = form_class(data)
    form.is_valid()
    form.add_error(None, CONFLICT_MESSAGE)
    return form


def _initial_answers(response: Response) -> dict[str, Any]:
    """The latest answers, to change what needs changing; the next update moves on if its date has passed."""
    now = timezone.now()
    initial: dict[str, Any] = {"version": response.version}
    # Entries that kept the status (an update to acknowledge, and its acknowledgement) changed no answer.
    latest = response.entries.exclude(action__in=STATUS_KEPT_ACTIONS).order_by("-version").first()  # type: ignore[attr-defined]
    if latest is not None and latest.action == EntryAction.UPDATED and latest.status in ANSWER_FIELDS:
        initial["status"] = latest.status
        initial.update({name: getattr(latest, name) for name in ANSWER_FIELDS[latest.status]})
    default_due = default_next_update_due(now)
    if not initial.get("next_update_due_on") or initial["next_update_due_on"] < timezone.localdate(now):
        initial["next_update_due_on"] = default_due
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def update(request: HttpRequest, threat_id: str, ods_code: str) -> HttpResponse:
    response = _submittable(request, threat_id, ods_code)
    if not response.accepts_submissions:
        messages.info(request, "This alert is closed, so its responses can no longer be changed.")
        return redirect(response.get_absolute_url())
    return _submitted(
        request,
        response,
        UpdateForm(request.POST or None, initial=_initial_answers(response)),
        lambda form, **submission: services.response_update(
            **submission, status=form.cleaned_data["status"], answers=form.answers()
        ),
        success=f"Response saved for {response.organisation.name}",
        template="responses/update.html",
    )
