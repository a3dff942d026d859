"""The response forms: radios for the status, each revealing its own follow-up questions."""

import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from respond.core.forms import (
    CharField,
    CheckboxesField,
    DateField,
    NhsukForm,
    RadioField,
    SelectField,
    TextareaField,
)
from respond.organisations.models import Organisation
from respond.responses.answers import ANSWER_FIELDS, QUESTIONS, REQUIRED_MESSAGES, Answers, next_update_problem
from respond.responses.deadlines import next_update_days
from respond.responses.models import NotApplicableReason, Response, ResponseStatus
from respond.responses.services import ACKNOWLEDGE, REACKNOWLEDGE

STATUS_HINTS = {
    ACKNOWLEDGE: "Remediation is under investigation or in progress. You can add the details later.",
    REACKNOWLEDGE: "For organisations asked to acknowledge an update to the alert. Each keeps its status.",
    ResponseStatus.IN_PROGRESS: "Remediation is under investigation or in progress",
    ResponseStatus.COMPLETE: "Remediation is finished",
    ResponseStatus.NOT_APPLICABLE: "The alert does not apply to your organisation",
    ResponseStatus.UNABLE_TO_IMPLEMENT: "You cannot implement the remediation, and the risk has been accepted for now",
}
# Each status reveals its questions; "Tell us more" sits inside the "another reason" choice.
STATUS_REVEALS = {
    status: [name for name in names if name != "not_applicable_detail"] for status, names in ANSWER_FIELDS.items()
}
STATUS_REQUIRED = "Select the status of your remediation"
UPDATE_CHOICES = [
    (ResponseStatus.IN_PROGRESS.value, "In progress"),
    (ResponseStatus.COMPLETE.value, "Complete"),
    (ResponseStatus.NOT_APPLICABLE.value, "Not applicable"),
    (ResponseStatus.UNABLE_TO_IMPLEMENT.value, "Unable to implement"),
]


def _date_hint(example: date, extra: str = "") -> str:
    return f"{extra + ' ' if extra else ''}For example, {example.day} {example.month} {example.year}"


def _required(name: str) -> dict[str, str]:
    return {"required": REQUIRED_MESSAGES[name]}


class VersionField(forms.IntegerField):
    """The version of the response the form was based on (optimistic concurrency)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        reload = "The page was out of date: reload it and try again"
        super().__init__(
            min_value=0, error_messages={"required": reload, "invalid": reload, "min_value": reload}, **kwargs
        )


class AcknowledgeForm(NhsukForm):
    next_update_due_on = DateField(
        label=QUESTIONS["next_update_due_on"], subject="Date of your next update", required=False
    )
    version = VersionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["next_update_due_on"].help_text = _date_hint(
            today + timedelta(days=next_update_days()),
            f"Leave this as it is to give your next update in {next_update_days()} days, or change it.",
        )

    def clean_next_update_due_on(self) -> date | None:
        value = self.cleaned_data.get("next_update_due_on")
        problem = next_update_problem(value, today=timezone.localdate())
        if problem:
            raise forms.ValidationError(problem)
        return value


class ReacknowledgeForm(NhsukForm):
    version = VersionField()


class StatusAnswersForm(NhsukForm):
    """The status and every follow-up question; a question counts only when its status is chosen."""

    status_label = "What is the status of your remediation?"
    status_choices: Sequence[tuple[str, str]] = UPDATE_CHOICES

    status = RadioField(
        label=status_label,
        choices=UPDATE_CHOICES,
        reveals=STATUS_REVEALS,
        choice_hints=STATUS_HINTS,
        error_messages={"required": STATUS_REQUIRED, "invalid_choice": STATUS_REQUIRED},
    )
    actions = TextareaField(label=QUESTIONS["actions"], error_messages=_required("actions"))
    expected_completion_on = DateField(
        label=QUESTIONS["expected_completion_on"],
        subject="Expected completion date",
        error_messages=_required("expected_completion_on"),
    )
    next_update_due_on = DateField(
        label=QUESTIONS["next_update_due_on"],
        subject="Date of your next update",
        error_messages=_required("next_update_due_on"),
    )
    completed_on = DateField(
        label=QUESTIONS["completed_on"],
        subject="Date remediation was completed",
        error_messages=_required("completed_on"),
    )
    completion_summary = TextareaField(
        label=QUESTIONS["completion_summary"],
        hint="For example, the versions you upgraded to, or the mitigations you applied",
        error_messages=_required("completion_summary"),
    )
    not_applicable_reason = RadioField(
        label=QUESTIONS["not_applicable_reason"],
        choices=NotApplicableReason.choices,
        reveals={NotApplicableReason.OTHER: ["not_applicable_detail"]},
        error_messages={
            "required": REQUIRED_MESSAGES["not_applicable_reason"],
            "invalid_choice": REQUIRED_MESSAGES["not_applicable_reason"],
        },
    )
    not_applicable_detail = TextareaField(
        label=QUESTIONS["not_applicable_detail"], error_messages=_required("not_applicable_detail")
    )
    unable_reason = TextareaField(label=QUESTIONS["unable_reason"], error_messages=_required("unable_reason"))
    mitigations = TextareaField(
        label=QUESTIONS["mitigations"],
        hint="For example, the system is cut off from the internet, or extra monitoring is in place",
        error_messages=_required("mitigations"),
    )
    risk_owner = CharField(
        label=QUESTIONS["risk_owner"],
        hint="Their name and role, for example Jo Bloggs, Senior Information Risk Owner (SIRO)",
        error_messages=_required("risk_owner"),
    )
    review_on = DateField(label=QUESTIONS["review_on"], subject="Review date", error_messages=_required("review_on"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        status = self.fields["status"]
        status.choices = list(self.status_choices)  # type: ignore[attr-defined]
        status.choice_hints = {value: STATUS_HINTS[value] for value, _ in self.status_choices}  # type: ignore[attr-defined]
        status.label = self.status_label
        for name, example, extra in (
            ("expected_completion_on", today + timedelta(days=14), ""),
            ("next_update_due_on", today + timedelta(days=next_update_days()), ""),
            ("completed_on", today, ""),
            ("review_on", today + timedelta(days=90), "On this date the response opens again for an update."),
        ):
            self.fields[name].help_text = _date_hint(example, extra)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        status = cleaned.get("status")
        if status in ANSWER_FIELDS:
            errors = self.answers().errors(status, today=timezone.localdate())
            for name, messages in errors.items():
                if name not in self.errors:
                    self.add_error(name, messages)
        return cleaned

    def answers(self) -> Answers:
        return Answers.from_data(self.cleaned_data).only_for(self.cleaned_data.get("status", ""))


class UpdateForm(StatusAnswersForm):
    version = VersionField()


class BulkResponseForm(StatusAnswersForm):
    """Which organisations, then one answer for all of them."""

    status_label = "What is the status of remediation for these organisations?"
    status_choices = [(ACKNOWLEDGE, "Acknowledge only"), *UPDATE_CHOICES]

    organisations = CheckboxesField(
        label="Which organisations is this response for?",
        error_messages={
            "required": "Select at least one organisation",
            "invalid_choice": "Select only organisations you respond for",
        },
    )
    # Organisation id to response version, as shown on the preview.
    versions = forms.CharField(widget=forms.HiddenInput, required=False)

    field_order = ["organisations", "status"]

    def __init__(self, *args: Any, responses: Sequence[Response], shown: Sequence[Response], **kwargs: Any) -> None:
        if any(response.owes_reacknowledgement for response in responses):
            self.status_choices = [
                (ACKNOWLEDGE, "Acknowledge only"),
                (REACKNOWLEDGE, "Acknowledge the update"),
                *UPDATE_CHOICES,
            ]
        super().__init__(*args, **kwargs)
        self.responses = {response.organisation_id: response for response in responses}
        field = self.fields["organisations"]
        # Every organisation is a valid choice; the ones shown are those matching the filter.
        field.choices = [(str(response.organisation_id), _choice_label(response)) for response in shown]  # type: ignore[attr-defined]
        field.choice_hints = {str(response.organisation_id): _choice_hint(response) for response in shown}  # type: ignore[attr-defined]
        self.all_choices = [str(organisation_id) for organisation_id in self.responses]

    def full_clean(self) -> None:
        if self.is_bound:
            field = self.fields["organisations"]
            field.choices = [  # type: ignore[attr-defined]
                (str(response.organisation_id), _choice_label(response)) for response in self.responses.values()
            ]
            field.choice_hints = {  # type: ignore[attr-defined]
                str(response.organisation_id): _choice_hint(response) for response in self.responses.values()
            }
        super().full_clean()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        status = cleaned.get("status")
        if self.changed_since_preview():
            # Not "already acknowledged: unselect them": the service refuses it as a conflict, showing what changed.
            return cleaned
        if status == ACKNOWLEDGE and "organisations" not in self.errors:
            acknowledged = sorted(
                response.organisation.name for response in self.chosen_responses() if response.is_acknowledged
            )
            if acknowledged:
                self.add_error(
                    "organisations",
                    f"{', '.join(acknowledged)} already acknowledged this alert: "
                    "unselect them, or choose a status to record for them too",
                )
        if status == REACKNOWLEDGE and "organisations" not in self.errors:
            not_owing = sorted(
                response.organisation.name
                for response in self.chosen_responses()
                if not response.owes_reacknowledgement
            )
            if not_owing:
                self.add_error(
                    "organisations",
                    f"{', '.join(not_owing)} {'has' if len(not_owing) == 1 else 'have'} no update to acknowledge: "
                    "unselect them, or choose a status to record for them",
                )
        return cleaned

    def chosen_responses(self) -> list[Response]:
        chosen = {int(value) for value in self.cleaned_data.get("organisations", [])}
        return [response for organisation_id, response in self.responses.items() if organisation_id in chosen]

    def chosen_organisations(self) -> list[Organisation]:
        return [response.organisation for response in self.chosen_responses()]

    def expected_versions(self) -> dict[int, int] | None:
        """The versions the person saw on the preview; None when the form came straight from the first page."""
        text = self.cleaned_data.get("versions") or ""
        if not text:
            return None
        try:
            parsed = json.loads(text)
            return {int(key): int(value) for key, value in parsed.items()}
        except (ValueError, TypeError, AttributeError):
            return None

    def changed_since_preview(self) -> bool:
        """True when a chosen organisation's response is not at the version the person saw on the preview."""
        expected = self.expected_versions()
        if not expected:
            return False
        return any(
            expected.get(response.organisation_id, response.version) != response.version
            for response in self.chosen_responses()
        )

    def versions_json(self) -> str:
        return json.dumps({str(response.organisation_id): response.version for response in self.chosen_responses()})


def _choice_label(response: Response) -> str:
    return f"{response.organisation.name} ({response.organisation.ods_code})"


def _choice_hint(response: Response) -> str:
    hint = f"Status now: {response.get_status_display().lower()}"
    if response.owes_reacknowledgement:
        hint += "; asked to acknowledge an update to the alert"
    return hint


class DashboardFilterForm(NhsukForm):
    show = RadioField(
        label="Show",
        choices=[("open", "Open"), ("overdue", "Overdue"), ("closed", "Closed"), ("all", "All")],
        required=False,
    )
    organisation = SelectField(label="Organisation", required=False)

    def __init__(self, *args: Any, organisations: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        """`organisations`: the person's, as (ODS code, name), in the order the select lists them."""
        super().__init__(*args, **kwargs)

        def choices() -> list[tuple[str, str]]:
            names = ((ods_code, f"{name} ({ods_code})") for ods_code, name in organisations)
            return [("", "All your organisations"), *names]

        self.fields["organisation"].choices = choices  # type: ignore[attr-defined]

    @property
    def show_value(self) -> str:
        return (self.cleaned_data.get("show") or "open") if self.is_valid() else "open"

    @property
    def organisation_value(self) -> str:
        return (self.cleaned_data.get("organisation") or "") if self.is_valid() else ""


class OrganisationFilterForm(NhsukForm):
    # Bounded: SQLite refuses a LIKE pattern over 50,000 bytes (a server error, before this limit).
    q = CharField(
        label="Filter by organisation name or ODS code",
        required=False,
        max_length=200,
        error_messages={"max_length": "Filter must be 200 characters or fewer"},
    )
