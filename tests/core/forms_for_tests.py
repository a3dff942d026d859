"""A form using every NHS.UK field, and a way to render a page with it through layout.html."""

from datetime import date

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory
from django.utils.datastructures import MultiValueDict

from respond.core.forms import (
    CharField,
    CheckboxesField,
    DateField,
    FileField,
    NhsukForm,
    RadioField,
    SelectField,
    TextareaField,
)

STATUS_CHOICES = [
    ("implemented", "Implemented"),
    ("in_progress", "In progress"),
    ("unable", "Unable to implement"),
]


class ResponseForm(NhsukForm):
    status = RadioField(
        label="What is the status of the fix?",
        hint="Select one option",
        choices=STATUS_CHOICES,
        reveals={"unable": ["reason"]},
        choice_hints={"unable": "For example, the supplier has no patch yet"},
        error_messages={"required": "Select the status of the fix"},
    )
    reason = TextareaField(label="Why?", error_messages={"required": "Enter why you are unable to implement the fix"})
    systems = CheckboxesField(
        label="Which systems are affected?",
        choices=[("email", "Email"), ("vpn", "VPN"), ("other", "Another system")],
        reveals={"other": ["other_system"]},
        error_messages={"required": "Select the affected systems"},
    )
    other_system = CharField(label="Name of the system", error_messages={"required": "Enter the name of the system"})
    implemented_on = DateField(
        label="Date implemented",
        subject="Date implemented",
        hint="For example, 27 3 2025",
        min_date=date(2020, 1, 1),
        max_date=date(2030, 12, 31),
        error_messages={"required": "Enter the date implemented"},
    )
    organisation_type = SelectField(
        label="Organisation type",
        choices=[("", "Choose a type"), ("trust", "NHS trust"), ("icb", "Integrated care board")],
        error_messages={"required": "Select an organisation type"},
    )
    # A plain Django field renders too: its help_text is the hint.
    contact_email = forms.EmailField(
        label="Contact email",
        help_text="We will send updates here",
        error_messages={"required": "Enter a contact email", "invalid": "Enter an email address like name@nhs.net"},
    )
    evidence = FileField(label="Evidence", allowed_extensions=["pdf", "csv"], max_size=1024, required=False)
    confirm = forms.BooleanField(
        label="I confirm this is correct", error_messages={"required": "Confirm that this is correct"}
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == "in_progress" and cleaned.get("implemented_on"):
            raise forms.ValidationError("A fix in progress cannot have a date implemented")
        return cleaned


VALID_DATA = {
    "status": "implemented",
    "systems": ["email", "vpn"],
    "implemented_on_day": "27",
    "implemented_on_month": "3",
    "implemented_on_year": "2025",
    "organisation_type": "trust",
    "contact_email": "team@alpha.nhs.uk",
    "confirm": "yes",
}


def form_data(**changes) -> MultiValueDict:
    """VALID_DATA with some answers changed; None leaves an answer out, as an unticked box would."""
    data = {key: value for key, value in {**VALID_DATA, **changes}.items() if value is not None}
    return MultiValueDict({key: value if isinstance(value, list) else [value] for key, value in data.items()})


def bound(**changes) -> ResponseForm:
    return ResponseForm(form_data(**changes))


def render_page(source: str, **context) -> str:
    """Renders a page template (given as source) with the real layout, as a signed-out request would."""
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return engines["jinja2"].from_string(source).render(context, request)


PAGE = """{% extends "layout.html" %}
{% block title %}Respond to the alert{% endblock %}
{% block main_content %}<form method="post" novalidate>{{ form.as_nhsuk() }}</form>{% endblock %}"""
