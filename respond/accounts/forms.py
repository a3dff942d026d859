"""allauth's forms with plain-English errors (wired in by ACCOUNT_FORMS / MFA_FORMS), and CSOC's create-user form."""

from typing import Any

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.webauthn import forms as webauthn_forms
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from respond.accounts.models import GlobalRole, Role
from respond.accounts.services import find_organisation
from respond.organisations.models import Organisation

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.nhs.uk"
ENTER_CODE = "Enter the 6-digit code from your authenticator app"
PASSKEY_NOT_ADDED = "Your passkey was not added. Try again, in a browser that supports passkeys, with JavaScript on."
PASSKEY_NOT_RECOGNISED = "Your passkey was not recognised. Try again, or use another way to confirm it is you."
PASSKEY_NAME_LENGTH = MaxLengthValidator(100, "Enter a name of 100 characters or fewer")


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
        # What the second-factor page offers: the app's code, a passkey, or both (recovery codes always).
        types = set(Authenticator.objects.filter(user=self.user).values_list("type", flat=True))
        self.has_authenticator_app = Authenticator.Type.TOTP in types
        self.has_passkey = Authenticator.Type.WEBAUTHN in types


class MfaReauthenticateForm(mfa_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_field(self, "code", label="Security code", required="Enter the code from your authenticator app")


class ActivateTotpForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_field(self, "code", label="Security code", required=ENTER_CODE)


class AddPasskeyForm(webauthn_forms.AddWebAuthnForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_field(self, "name", label="Name your passkey")
        self.fields["name"].validators.append(PASSKEY_NAME_LENGTH)
        _set_field(self, "credential", required=PASSKEY_NOT_ADDED, invalid=PASSKEY_NOT_ADDED)

    def clean(self) -> dict[str, Any]:
        # allauth checks the new credential against the challenge it sent; its error talks about codes.
        try:
            return super().clean()
        except ValidationError:
            raise ValidationError(PASSKEY_NOT_ADDED) from None


class RenamePasskeyForm(webauthn_forms.EditWebAuthnForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_field(self, "name", label="Name", required="Enter a name for your passkey")
        self.fields["name"].validators.append(PASSKEY_NAME_LENGTH)


class _PasskeyCredentialMixin:
    def clean_credential(self) -> Any:
        try:
            return super().clean_credential()  # type: ignore[misc]
        except ValidationError as error:
            if error.code == "too_many_login_attempts":
                raise
            raise ValidationError(PASSKEY_NOT_RECOGNISED) from None


class AuthenticatePasskeyForm(_PasskeyCredentialMixin, webauthn_forms.AuthenticateWebAuthnForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_field(self, "credential", required=PASSKEY_NOT_RECOGNISED, invalid=PASSKEY_NOT_RECOGNISED)


class ReauthenticatePasskeyForm(_PasskeyCredentialMixin, webauthn_forms.ReauthenticateWebAuthnForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_field(self, "credential", required=PASSKEY_NOT_RECOGNISED, invalid=PASSKEY_NOT_RECOGNISED)


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
