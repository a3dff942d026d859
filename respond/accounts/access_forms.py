"""Forms of the "Manage access to organisations" pages, invitations and CSOC's lead administrator registration."""

from typing import Any

from allauth.account.adapter import get_adapter
from django import forms
from django.core.exceptions import ValidationError

from respond.accounts.access_requests import MAX_REASON_LENGTH
from respond.accounts.forms import EMAIL_FORMAT
from respond.accounts.models import Invitation, Role, User
from respond.accounts.services import find_organisation
from respond.core.forms import CharField, NhsukForm, RadioField, TextareaField
from respond.organisations.models import Organisation

ROLE_CHOICES = [
    (Role.RESPONDER.value, "Responder"),
    (Role.ADMINISTRATOR.value, "Administrator"),
]
ROLE_HINTS = {
    Role.RESPONDER.value: "Responds to cyber alerts for the organisation.",
    Role.ADMINISTRATOR.value: "Responds to cyber alerts, and manages who can respond for the organisation.",
}


def _email_field(**kwargs: Any) -> forms.EmailField:
    return forms.EmailField(
        max_length=254,
        error_messages={
            "required": "Enter their email address",
            "invalid": EMAIL_FORMAT,
            "max_length": "Email address must be 254 characters or fewer",
        },
        **kwargs,
    )


def _name_field(label: str, required: str, **kwargs: Any) -> CharField:
    return CharField(
        label=label,
        max_length=200,
        error_messages={"required": required, "max_length": f"{label} must be 200 characters or fewer"},
        **kwargs,
    )


def _single_spaced(value: str) -> str:
    return " ".join(value.split())


class InviteForm(NhsukForm):
    full_name = _name_field("Full name", "Enter their full name")
    email = _email_field(label="Email address", help_text="Their work email address, for example an NHSmail address")
    role = RadioField(
        label="Role",
        choices=ROLE_CHOICES,
        choice_hints=ROLE_HINTS,
        error_messages={"required": "Select their role"},
    )

    def clean_full_name(self) -> str:
        return _single_spaced(self.cleaned_data["full_name"])


class ChangeRoleForm(NhsukForm):
    role = RadioField(
        label="Role",
        choices=ROLE_CHOICES,
        choice_hints=ROLE_HINTS,
        error_messages={"required": "Select their role"},
    )


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(label="Organisation name or ODS code", required=False, max_length=200)


class AccessRequestForm(NhsukForm):
    reason = TextareaField(
        label="Why do you need to respond for this organisation?",
        hint="For example, “We are the outsourced IT provider under agreement reference ABC-123”. "
        "Its administrators will read this.",
        max_length=MAX_REASON_LENGTH,
        error_messages={
            "required": "Enter why you need to respond for this organisation",
            "max_length": f"Reason must be {MAX_REASON_LENGTH} characters or fewer",
        },
    )


DENY = "deny"


class DecisionForm(NhsukForm):
    decision = RadioField(
        label="Your decision",
        choices=[
            (Role.RESPONDER.value, "Approve, as a responder"),
            (Role.ADMINISTRATOR.value, "Approve, as an administrator"),
            (DENY, "Deny"),
        ],
        choice_hints={
            Role.RESPONDER.value: ROLE_HINTS[Role.RESPONDER.value],
            Role.ADMINISTRATOR.value: ROLE_HINTS[Role.ADMINISTRATOR.value],
        },
        reveals={DENY: ["reason"]},
        error_messages={"required": "Select whether to approve or deny the request"},
    )
    reason = TextareaField(
        label="Why are you denying the request?",
        hint="We will send this to the person who asked.",
        max_length=MAX_REASON_LENGTH,
        error_messages={
            "required": "Enter why you are denying the request",
            "max_length": f"Reason must be {MAX_REASON_LENGTH} characters or fewer",
        },
    )


class AcceptInvitationForm(forms.Form):
    """The invited person's first password, checked by the same validators as every other password."""

    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter your password again"},
    )

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean_password1(self) -> str:
        password: str = self.cleaned_data["password1"]
        # The validators compare the password with the person's name and email, so they get an unsaved user.
        person = User(email=self.invitation.email, full_name=self.invitation.full_name)
        get_adapter().clean_password(password, user=person)
        return password

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The passwords do not match. Enter the same password twice.")
        return cleaned


class NominationForm(NhsukForm):
    organisation = CharField(
        label="ODS code of the organisation",
        hint="For example, R0A. Start typing the organisation's name or code to see suggestions.",
        max_length=10,
        error_messages={
            "required": "Enter the ODS code of the organisation",
            "max_length": "An ODS code is 10 characters or fewer",
        },
    )
    full_name = _name_field("Full name of the nominee", "Enter the full name of the nominee")
    email = _email_field(label="Email address of the nominee", help_text="We will send the invitation to this address")
    nominated_by = _name_field(
        "Who nominated them",
        "Enter the name of the person who nominated them",
        hint="The organisation's Senior Information Risk Owner (SIRO)",
    )

    def clean_organisation(self) -> Organisation:
        try:
            return find_organisation(self.cleaned_data["organisation"])
        except ValidationError as error:
            raise ValidationError(error.messages[0]) from error

    def clean_full_name(self) -> str:
        return _single_spaced(self.cleaned_data["full_name"])

    def clean_nominated_by(self) -> str:
        return _single_spaced(self.cleaned_data["nominated_by"])
