"""An organisation's webhooks, for its administrators: register, send a test event, see every attempt, turn
back on, remove."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from respond.accounts.models import User
from respond.core.audit import Auditor
from respond.core.decorators import permission_required
from respond.notifications import webhooks
from respond.notifications.models import WebhookEndpoint
from respond.notifications.webhook_forms import WebhookForm
from respond.organisations.models import Organisation

SIGNED_IN = "notifications.manage_own_contact_details"
ATTEMPTS_PER_PAGE = 50


def _organisation_for(request: HttpRequest, ods_code: str) -> Organisation:
    organisation = get_object_or_404(Organisation, ods_code=ods_code.upper())
    if not request.user.has_perm("notifications.manage_webhooks", organisation):
        raise PermissionDenied
    return organisation


def _endpoint_for(request: HttpRequest, ods_code: str, pk: int) -> WebhookEndpoint:
    organisation = _organisation_for(request, ods_code)
    return get_object_or_404(
        WebhookEndpoint.objects.for_organisation(organisation).select_related("organisation"), pk=pk
    )


@permission_required(SIGNED_IN)
def webhook_list(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = _organisation_for(request, ods_code)
    endpoints = list(WebhookEndpoint.objects.for_organisation(organisation))
    return render(request, "notifications/webhooks.html", {"organisation": organisation, "endpoints": endpoints})


@permission_required(SIGNED_IN)
def add_webhook(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = _organisation_for(request, ods_code)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhooks.webhook_register(
                organisation=organisation,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                created_by=request.user,  # type: ignore[arg-type]
                auditor=Auditor.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Webhook added. Set up your system to check signatures with its secret")
            return redirect("notifications:webhook", organisation.ods_code, endpoint.pk)
    return render(request, "notifications/add_webhook.html", {"form": form, "organisation": organisation})


@permission_required(SIGNED_IN)
def webhook_detail(request: HttpRequest, ods_code: str, pk: int) -> HttpResponse:
    endpoint = _endpoint_for(request, ods_code, pk)
    attempts = endpoint.attempts.select_related("notification__composed").order_by("-attempted_at", "-pk")
    page = Paginator(attempts, ATTEMPTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"organisation": endpoint.organisation, "endpoint": endpoint, "page": page}
    return render(request, "notifications/webhook.html", context)


@permission_required(SIGNED_IN)
@require_POST
def send_test_event(request: HttpRequest, ods_code: str, pk: int) -> HttpResponse:
    endpoint = _endpoint_for(request, ods_code, pk)
    if not endpoint.enabled:
        messages.error(request, "Turn the webhook on before sending a test event")
    else:
        user: User = request.user  # type: ignore[assignment]
        webhooks.webhook_send_test(endpoint=endpoint, sent_by=user)
        messages.success(request, "Test event queued: refresh this page in a few seconds to see the attempt")
    return redirect("notifications:webhook", endpoint.organisation.ods_code, endpoint.pk)


@permission_required(SIGNED_IN)
@require_POST
def turn_on_webhook(request: HttpRequest, ods_code: str, pk: int) -> HttpResponse:
    endpoint = _endpoint_for(request, ods_code, pk)
    webhooks.webhook_turn_on(endpoint=endpoint, auditor=Auditor.from_request(request))
    messages.success(request, "Webhook turned on: new events will be sent to it")
    return redirect("notifications:webhook", endpoint.organisation.ods_code, endpoint.pk)


@permission_required(SIGNED_IN)
@require_POST
def remove_webhook(request: HttpRequest, ods_code: str, pk: int) -> HttpResponse:
    endpoint = _endpoint_for(request, ods_code, pk)
    webhooks.webhook_remove(endpoint=endpoint, auditor=Auditor.from_request(request))
    messages.success(request, f"Webhook for {endpoint.url} removed")
    return redirect("notifications:webhooks", endpoint.organisation.ods_code)
