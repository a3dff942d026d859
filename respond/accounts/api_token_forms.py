"""The form that makes an API token."""

from typing import Any

from respond.accounts.api_tokens import token_expiry_choices
from respond.accounts.models import ApiTokenAccess
from respond.core.forms import CharField, CheckboxesField, NhsukForm, RadioField
from respond.organisations.models import Organisation

ACCESS_HINTS = {
    ApiTokenAccess.READ.value: "Reads alerts and responses. It cannot change anything.",
    ApiTokenAccess.RESPOND.value: "Reads alerts and responses, and records responses for the organisations you choose.",
}


class ApiTokenForm(NhsukForm):
    name = CharField(
        label="Name",
        hint="To tell your tokens apart, for example the system that will use it: ServiceNow",
        max_length=100,
        error_messages={"required": "Enter a name for the token", "max_length": "Name must be 100 characters or fewer"},
    )
    organisations = CheckboxesField(
        label="Which organisations may it act for?",
        required=False,
        error_messages={"invalid_choice": "Select only organisations you respond for"},
    )
    access = RadioField(
        label="What may it do?",
        choices=ApiTokenAccess.choices,
        choice_hints=ACCESS_HINTS,
        error_messages={"required": "Select what the token may do", "invalid_choice": "Select what the token may do"},
    )
    valid_days = RadioField(
        label="How long should it work for?",
        error_messages={
            "required": "Select how long the token should work for",
            "invalid_choice": "Select how long the token should work for",
        },
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_choices = {str(organisation.pk): organisation for organisation in organisations}
        self.fields["organisations"].choices = [  # type: ignore[attr-defined]
            (pk, f"{organisation.name} ({organisation.ods_code})")
            for pk, organisation in self.organisation_choices.items()
        ]
        self.fields["valid_days"].choices = [(str(days), f"{days} days") for days in token_expiry_choices()]  # type: ignore[attr-defined]
        if not organisations:
            del self.fields["organisations"]

    def chosen_organisations(self) -> list[Organisation]:
        return [self.organisation_choices[pk] for pk in self.cleaned_data.get("organisations", [])]
