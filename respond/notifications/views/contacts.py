"""Where alerts are sent: a user's own contact details, and an organisation's alert-only contacts."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from respond.accounts.models import User
from respond.core.audit import Auditor
from respond.core.decorators import permission_required
from respond.notifications import services
from respond.notifications.forms import AlertContactForm, ExtraEmailForm, MobileForm
from respond.notifications.models import AlertOnlyContact, ExtraEmail, UserContactDetails
from respond.notifications.phone import format_uk_mobile
from respond.organisations.models import Organisation

OWN_DETAILS = "notifications.manage_own_contact_details"


def _details(user: User) -> UserContactDetails:
    return UserContactDetails.objects.filter(user=user).first() or UserContactDetails(user=user)


@permission_required(OWN_DETAILS)
def contact_preferences(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = {"details": _details(user), "extra_emails": ExtraEmail.objects.filter(user=user)}
    return render(request, "notifications/contact_preferences.html", context)


@permission_required(OWN_DETAILS)
def change_mobile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    details = _details(user)
    if request.method == "POST":
        form = MobileForm(request.POST)
        if form.is_valid():
            services.set_mobile_preferences(
                user=user,
                mobile_number=form.cleaned_data["mobile_number"],
                sms_opt_in=form.wants_sms,
                auditor=Auditor.from_request(request),
            )
            messages.success(
                request,
                "You will get text messages about major incidents"
                if form.wants_sms
                else "You will not get text messages",
            )
            return redirect("notifications:contact_preferences")
    else:
        initial = {"sms_opt_in": "yes" if details.sms_opt_in else "no"} if details.pk else {}
        form = MobileForm(initial={**initial, "mobile_number": _national(details.mobile_number)})
    return render(request, "notifications/change_mobile.html", {"form": form})


def _national(e164: str) -> str:
    return format_uk_mobile(e164) if e164 else ""


@permission_required(OWN_DETAILS)
def add_extra_email(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ExtraEmailForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        extra = services.add_extra_email(
            user=user, email=form.cleaned_data["email"], auditor=Auditor.from_request(request)
        )
        messages.success(request, f"We will also send alerts to {extra.email}")
        return redirect("notifications:contact_preferences")
    return render(request, "notifications/add_extra_email.html", {"form": form})


@permission_required(OWN_DETAILS)
@require_POST
def remove_extra_email(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    extra = get_object_or_404(ExtraEmail.objects.filter(user=user), pk=pk)
    services.remove_extra_email(extra=extra, auditor=Auditor.from_request(request))
    messages.success(request, f"We will no longer send alerts to {extra.email}")
    return redirect("notifications:contact_preferences")


def _organisation_for(request: HttpRequest, ods_code: str) -> Organisation:
    organisation = get_object_or_404(Organisation, ods_code=ods_code.upper())
    if not request.user.has_perm("notifications.manage_alert_contacts", organisation):
        raise PermissionDenied
    return organisation


@permission_required(OWN_DETAILS)
def alert_contacts(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = _organisation_for(request, ods_code)
    contacts = AlertOnlyContact.objects.for_organisation(organisation)
    return render(request, "notifications/alert_contacts.html", {"organisation": organisation, "contacts": contacts})


@permission_required(OWN_DETAILS)
def add_alert_contact(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = _organisation_for(request, ods_code)
    form = AlertContactForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        contact = services.add_alert_contact(
            organisation=organisation,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            mobile_number=form.cleaned_data["mobile_number"],
            created_by=request.user,  # type: ignore[arg-type]
            auditor=Auditor.from_request(request),
        )
        messages.success(request, f"{contact.name} will be told about cyber alerts")
        return redirect("notifications:alert_contacts", organisation.ods_code)
    return render(request, "notifications/add_alert_contact.html", {"form": form, "organisation": organisation})


@permission_required(OWN_DETAILS)
@require_POST
def remove_alert_contact(request: HttpRequest, ods_code: str, pk: int) -> HttpResponse:
    organisation = _organisation_for(request, ods_code)
    contact = get_object_or_404(AlertOnlyContact.objects.for_organisation(organisation), pk=pk)
    services.remove_alert_contact(contact=contact, auditor=Auditor.from_request(request))
    messages.success(request, f"{contact.name} will no longer be told about cyber alerts")
    return redirect("notifications:alert_contacts", organisation.ods_code)
