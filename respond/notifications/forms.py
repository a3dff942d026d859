from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from respond.accounts.models import User
from respond.core.forms import CharField, NhsukForm, RadioField
from respond.notifications.models import AlertOnlyContact, ExtraEmail
from respond.notifications.phone import EXAMPLE, normalise_uk_mobile
from respond.organisations.models import Organisation

EMAIL_ERRORS = {
    "required": "Enter an email address",
    "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
    "max_length": "Email address must be 254 characters or fewer",
}


class TelephoneInput(forms.TextInput):
    input_type = "tel"


def _mobile(value: str, *, required: bool) -> str:
    if not value.strip() and not required:
        return ""
    return normalise_uk_mobile(value)


class MobileForm(NhsukForm):
    sms_opt_in = RadioField(
        label="Do you want text messages about major cyber incidents?",
        hint="We only send text messages when CSOC declares a major incident. You will still get every alert by email.",
        choices=[("yes", "Yes"), ("no", "No")],
        reveals={"yes": ["mobile_number"]},
        error_messages={"required": "Select yes if you want text messages about major cyber incidents"},
    )
    mobile_number = CharField(
        label="UK mobile phone number",
        hint=f"For example, {EXAMPLE}",
        max_length=30,
        widget=TelephoneInput,
        error_messages={"required": f"Enter a mobile phone number, like {EXAMPLE}"},
    )

    def clean_mobile_number(self) -> str:
        return _mobile(self.cleaned_data.get("mobile_number") or "", required=self.data.get("sms_opt_in") == "yes")

    @property
    def wants_sms(self) -> bool:
        return self.cleaned_data.get("sms_opt_in") == "yes"


class ExtraEmailForm(NhsukForm):
    email = forms.EmailField(label="Email address", max_length=254, error_messages=EMAIL_ERRORS)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email == self.user.email.lower():
            raise ValidationError("This is the email address you sign in with: we already send alerts to it")
        if ExtraEmail.objects.filter(user=self.user, email=email).exists():
            raise ValidationError("You have already added this email address")
        return email


class AlertContactForm(NhsukForm):
    name = CharField(
        label="Name",
        hint="A person, or a role such as 'On-call security manager'",
        max_length=200,
        error_messages={"required": "Enter a name", "max_length": "Name must be 200 characters or fewer"},
    )
    email = forms.EmailField(label="Email address", required=False, max_length=254, error_messages=EMAIL_ERRORS)
    mobile_number = CharField(
        label="UK mobile phone number (optional)",
        hint=f"Gets text messages about major incidents. For example, {EXAMPLE}",
        required=False,
        max_length=30,
        widget=TelephoneInput,
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_email(self) -> str:
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if email and AlertOnlyContact.objects.for_organisation(self.organisation).filter(email=email).exists():
            raise ValidationError("This email address is already a contact for your organisation")
        return email

    def clean_mobile_number(self) -> str:
        return _mobile(self.cleaned_data.get("mobile_number") or "", required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        has_errors = self.has_error("email") or self.has_error("mobile_number")
        if not has_errors and not cleaned.get("email") and not cleaned.get("mobile_number"):
            self.add_error("email", "Enter an email address or a mobile phone number, or both")
        return cleaned
