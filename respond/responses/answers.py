"""The follow-up questions each status asks, and the rules their answers must meet. The forms and the services
both check answers here, so a response submitted any way gets the same, specific errors."""

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError

from respond.core.forms.dates import format_date
from respond.responses.statuses import NotApplicableReason, ResponseStatus

# The follow-up questions of each status, in the order they are asked.
ANSWER_FIELDS: dict[str, tuple[str, ...]] = {
    ResponseStatus.IN_PROGRESS: ("actions", "expected_completion_on", "next_update_due_on"),
    ResponseStatus.COMPLETE: ("completed_on", "completion_summary"),
    ResponseStatus.NOT_APPLICABLE: ("not_applicable_reason", "not_applicable_detail"),
    ResponseStatus.UNABLE_TO_IMPLEMENT: ("unable_reason", "mitigations", "risk_owner", "review_on"),
}

QUESTIONS = {
    "actions": "What actions are you taking?",
    "expected_completion_on": "When do you expect to complete remediation?",
    "next_update_due_on": "When will you next update your response?",
    "completed_on": "When was remediation completed?",
    "completion_summary": "Summary of what was done",
    "not_applicable_reason": "Why does the alert not apply to your organisation?",
    "not_applicable_detail": "Tell us more",
    "unable_reason": "Why are you unable to implement the remediation?",
    "mitigations": "What compensating controls or mitigations are in place?",
    "risk_owner": "Who accepted the risk?",
    "review_on": "When will the exception be reviewed?",
}

REQUIRED_MESSAGES = {
    "actions": "Enter the actions you are taking",
    "expected_completion_on": "Enter the date you expect to complete remediation",
    "next_update_due_on": "Enter the date of your next update",
    "completed_on": "Enter the date remediation was completed",
    "completion_summary": "Enter a summary of what was done",
    "not_applicable_reason": "Select why the alert does not apply to your organisation",
    "not_applicable_detail": "Enter why the alert does not apply to your organisation",
    "unable_reason": "Enter why you are unable to implement the remediation",
    "mitigations": "Enter the compensating controls or mitigations in place, or say there are none",
    "risk_owner": "Enter the name and role of the person who accepted the risk",
    "review_on": "Enter the date the exception will be reviewed",
}

TEXT_LIMIT = 5000
SHORT_TEXT_LIMIT = 300
# An accepted risk is looked at again within a year at most.
LONGEST_EXCEPTION = timedelta(days=366)


@dataclass(frozen=True)
class Answers:
    """What a person answered to the follow-up questions of one status."""

    actions: str = ""
    expected_completion_on: date | None = None
    next_update_due_on: date | None = None
    completed_on: date | None = None
    completion_summary: str = ""
    not_applicable_reason: str = ""
    not_applicable_detail: str = ""
    unable_reason: str = ""
    mitigations: str = ""
    risk_owner: str = ""
    review_on: date | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> "Answers":
        """From cleaned form data (or any mapping); unknown keys are ignored, text is trimmed."""
        values: dict[str, Any] = {}
        for field in fields(cls):
            value = data.get(field.name)
            if isinstance(value, str):
                values[field.name] = value.strip()
            elif value is not None:
                values[field.name] = value
        return cls(**values)

    def only_for(self, status: str) -> "Answers":
        """These answers with every question the status does not ask left blank."""
        asked = set(ANSWER_FIELDS.get(status, ()))
        if status == ResponseStatus.NOT_APPLICABLE and self.not_applicable_reason != NotApplicableReason.OTHER:
            asked.discard("not_applicable_detail")
        blank: dict[str, Any] = {field.name: ("" if isinstance(field.default, str) else None) for field in fields(self)}
        return replace(self, **{name: value for name, value in blank.items() if name not in asked})

    def as_dict(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in fields(self)}

    def errors(self, status: str, *, today: date) -> dict[str, list[str]]:
        """What is missing or wrong, by question; empty when the answers are complete for the status."""
        errors: dict[str, list[str]] = {}
        for name in ANSWER_FIELDS.get(status, ()):
            if name == "not_applicable_detail" and self.not_applicable_reason != NotApplicableReason.OTHER:
                continue
            value = getattr(self, name)
            if value in ("", None):
                errors[name] = [REQUIRED_MESSAGES[name]]
                continue
            problem = _problem(name, value, today)
            if problem:
                errors[name] = [problem]
        return errors

    def validate(self, status: str, *, today: date) -> None:
        errors = self.errors(status, today=today)
        if errors:
            raise ValidationError(errors)


def _problem(name: str, value: Any, today: date) -> str | None:
    if name == "not_applicable_reason" and value not in NotApplicableReason.values:
        return REQUIRED_MESSAGES[name]
    if isinstance(value, str):
        limit = SHORT_TEXT_LIMIT if name == "risk_owner" else TEXT_LIMIT
        if len(value) > limit:
            return f"{QUESTIONS[name].rstrip('?')}: your answer must be {limit:,} characters or fewer"
        return None
    if name in ("expected_completion_on", "next_update_due_on") and value < today:
        subject = "Expected completion date" if name == "expected_completion_on" else "Date of your next update"
        return f"{subject} must be today or in the future"
    if name == "completed_on" and value > today:
        return "Date remediation was completed must be today or in the past"
    if name == "review_on":
        if value <= today:
            return "Review date must be in the future"
        if value > today + LONGEST_EXCEPTION:
            latest = format_date(today + LONGEST_EXCEPTION)
            return f"Review date must be on or before {latest}: an accepted risk is reviewed at least once a year"
    return None


def next_update_problem(value: date | None, *, today: date) -> str | None:
    """The next update date given when acknowledging: optional (the default is used), never in the past."""
    if value is not None and value < today:
        return "Date of your next update must be today or in the future"
    return None


def answer_rows(answers: Any, status: str) -> list[tuple[str, str]]:
    """(question, answer) for each question the status asks that was answered, as a person reads them.
    `answers` is anything with the answer attributes: Answers or a ResponseEntry."""
    rows = []
    for name in ANSWER_FIELDS.get(status, ()):
        value = getattr(answers, name)
        if value in ("", None):
            continue
        if isinstance(value, date):
            text = format_date(value)
        elif name == "not_applicable_reason":
            text = str(NotApplicableReason(value).label) if value in NotApplicableReason.values else str(value)
        else:
            text = str(value)
        rows.append((QUESTIONS[name], text))
    return rows
