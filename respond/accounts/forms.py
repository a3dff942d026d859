"""allauth's forms with plain-English errors (wired in by ACCOUNT_FORMS / MFA_FORMS), and CSOC's create-user form."""

from typing import Any

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms

from respond.accounts.models import GlobalRole, Role
from respond.accounts.services import find_organisation
from respond.organisations.models import Organisation

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.nhs.uk"
ENTER_CODE = "Enter the 6-digit code from your authenticator app"


def _set_field(form: forms.Form, name: str, *, label: str | None = None, **messages: str) -> None:
    field = form.fields[name]
    if label is not None:
        field.label = label
    field.error_messages.update(messages)


class SignInForm(account_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_field(self, "login", label="Email address", required="Enter your email address", invalid=EMAIL_FORMAT)
        _set_field(self, "password", label="Password", required="Enter your password")


class ResetPasswordForm(account_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_field(self, "email", label="Email address", required="Enter your email address", invalid=EMAIL_FORMAT)


class ResetPasswordKeyForm(account_forms.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_field(self, "password1", label="New password", required="Enter a new password")
        _set_field(self, "password2", label="Confirm your new password", required="Enter your new password again")


class ChangePasswordForm(account_forms.ChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_field(self, "oldpassword", label="Current password", required="Enter your current password")
        _set_field(self, "password1", label="New password", required="Enter a new password")
        _set_field(self, "password2", label="Confirm your new password", required="Enter your new password again")


class ReauthenticateForm(account_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_field(self, "password", label="Password", required="Enter your password")


class AuthenticateForm(mfa_forms.AuthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_field(self, "code", label="Security code", required="Enter the code from your authenticator app")


class MfaReauthenticateForm(mfa_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_field(self, "code", label="Security code", required="Enter the code from your authenticator app")


class ActivateTotpForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_field(self, "code", label="Security code", required=ENTER_CODE)


ROLE_CHOICES = [
    (Role.ADMINISTRATOR.value, "Administrator of their organisation"),
    (Role.RESPONDER.value, "Responder for their organisation"),
    (GlobalRole.AUDITOR.value, "Auditor"),
    (GlobalRole.CSOC.value, "CSOC staff"),
]
ROLE_HINTS = {
    Role.ADMINISTRATOR.value: "Responds to alerts and manages who else can respond for the organisation.",
    Role.RESPONDER.value: "Responds to alerts for the organisation.",
    GlobalRole.AUDITOR.value: "Sees every alert and response, across all organisations, and changes nothing.",
    GlobalRole.CSOC.value: "Publishes alerts and manages organisations and users.",
}


class CreateUserForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={"required": "Enter their email address", "invalid": EMAIL_FORMAT},
    )
    full_name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter their full name"})
    organisation = forms.CharField(label="ODS code of their organisation", max_length=10, required=False)
    role = forms.ChoiceField(
        label="Role", choices=ROLE_CHOICES, widget=forms.RadioSelect, error_messages={"required": "Select their role"}
    )

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_organisation(self) -> Organisation | None:
        ods_code = self.cleaned_data["organisation"].strip()
        return find_organisation(ods_code) if ods_code else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role = cleaned.get("role", "")
        in_organisation = role in Role.values
        cleaned["member_role"] = role if in_organisation else ""
        cleaned["global_role"] = "" if in_organisation else role
        if in_organisation and not self.has_error("organisation") and cleaned.get("organisation") is None:
            self.add_error("organisation", "Enter the ODS code of their organisation, like R0A")
        return cleaned
