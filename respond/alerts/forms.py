from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from respond.alerts.content import AlertContent, PlatformContent, StepContent
from respond.alerts.models import TLP_MEANINGS, Alert, RemediationType, Severity, Tlp
from respond.alerts.validation import parse_cve_ids, parse_lines, validate_markdown
from respond.core.forms import CharField, CheckboxesField, NhsukForm, RadioField, SelectField, TextareaField
from respond.organisations.models import OrganisationType, Region

YES_NO = [("yes", "Yes"), ("no", "No")]
MARKDOWN_HINT = (
    "You can use Markdown: **bold**, *italics*, [link text](https://example.com), lists starting with - or 1., "
    "and `code`. HTML is not allowed."
)
MIN_ROWS, SPARE_ROWS, MAX_ROWS = 5, 2, 60


class MarkdownField(TextareaField):
    default_validators = [validate_markdown]


class LinesField(TextareaField):
    """A textarea with one item per line, cleaned to a list."""

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return parse_lines(super().to_python(value) or "")


class CveIdsField(LinesField):
    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return parse_cve_ids(TextareaField.to_python(self, value) or "")


class YesNoField(RadioField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=YES_NO, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value


def yes(value: str) -> bool:
    return value == "yes"


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Shows a service's ValidationError on the form: on the field it names, or at the top of the page."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, errors in error.message_dict.items():
        if name in form.fields and name not in form.errors:
            form.add_error(name, errors)
        elif name not in form.fields:
            form.add_error(None, errors)


class AlertForm(NhsukForm):
    title = CharField(label="Title", max_length=300, error_messages={"required": "Enter a title"})
    severity = RadioField(label="Severity", choices=Severity.choices, error_messages={"required": "Select a severity"})
    tlp = RadioField(
        label="TLP marking",
        hint="TLP:CLEAR alerts are public. Any other marking is shown only to signed-in users of the organisations "
        "in scope, and never on public pages, feeds or the API.",
        choices=Tlp.choices,
        choice_hints={str(value): meaning for value, meaning in TLP_MEANINGS.items()},
        error_messages={"required": "Select a TLP marking"},
    )
    threat_type = CharField(
        label="Threat type", required=False, max_length=100, hint="For example, Vulnerability or Attack Methodology"
    )
    categories = LinesField(label="Categories", required=False, hint="One a line, for example Remote code execution")
    threat_vectors = LinesField(label="Threat vectors", required=False, hint="One a line, for example Network")
    short_summary = TextareaField(
        label="Short summary",
        max_length=500,
        hint="One or two sentences, up to 500 characters. Used in emails, text messages and lists of alerts.",
        error_messages={"required": "Enter a short summary"},
    )
    summary = MarkdownField(label="Summary", hint=MARKDOWN_HINT, error_messages={"required": "Enter a summary"})
    threat_details = MarkdownField(label="Threat details", required=False, hint=MARKDOWN_HINT)
    remediation_intro = MarkdownField(label="Remediation advice", required=False, hint=MARKDOWN_HINT)
    indicators_of_compromise = MarkdownField(label="Indicators of compromise", required=False, hint=MARKDOWN_HINT)
    cve_ids = CveIdsField(label="CVE IDs", required=False, hint="One a line, for example CVE-2023-46604")
    ncsc_link = forms.URLField(
        label="NCSC link",
        required=False,
        assume_scheme="https",
        help_text="A page on the National Cyber Security Centre's website, if there is one",
        error_messages={"invalid": "Enter the NCSC link as a web address, like https://www.ncsc.gov.uk/news/..."},
    )
    sources = LinesField(label="Sources", required=False, hint="One a line: a web address or the name of a source")
    response_required = YesNoField(
        label="Must organisations respond?",
        hint="High severity alerts always need a response.",
        error_messages={"required": "Select whether organisations must respond"},
    )
    response_window_hours = forms.IntegerField(
        label="Hours to respond",
        min_value=1,
        max_value=24 * 30,
        help_text="Counted from publication. Usually 48. Not used when no response is needed.",
        error_messages={
            "required": "Enter the hours organisations have to respond",
            "invalid": "Hours to respond must be a whole number, like 48",
            "min_value": "Hours to respond must be 1 or more",
            "max_value": "Hours to respond must be 720 (30 days) or fewer",
        },
    )
    major_incident = YesNoField(
        label="Is this a major incident?",
        hint="Major incidents are sent by text message as well as email.",
        error_messages={"required": "Select whether this is a major incident"},
    )
    scope_organisation_types = CheckboxesField(
        label="Send to these types of organisation",
        hint="Leave all unticked to send to every mandated organisation.",
        choices=OrganisationType.choices,
        required=False,
    )
    scope_regions = CheckboxesField(
        label="Send to organisations in these regions", hint="Leave all unticked for every region.", required=False
    )
    rows = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_ROWS, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.regions = {region.code: region for region in Region.objects.order_by("name")}
        self.fields["scope_regions"].choices = [(code, region.name) for code, region in self.regions.items()]  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, alert: Alert | None) -> dict[str, Any]:
        if alert is None:
            return {"response_required": "yes", "response_window_hours": 48, "major_incident": "no"}
        content = AlertContent.from_alert(alert)
        initial = {name: getattr(content, name) for name in cls.base_fields if hasattr(content, name)}
        initial["scope_regions"] = [region.code for region in content.scope_regions]
        return initial

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("severity") == Severity.HIGH and cleaned.get("response_required") == "no":
            self.add_error("response_required", "High severity alerts always need a response")
        return cleaned

    def to_content(self, platforms: list[PlatformContent], steps: list[StepContent]) -> AlertContent:
        data = self.cleaned_data
        required = yes(data["response_required"])
        return AlertContent(
            title=data["title"].strip(),
            severity=data["severity"],
            tlp=data["tlp"],
            threat_type=data["threat_type"].strip(),
            categories=data["categories"],
            threat_vectors=data["threat_vectors"],
            short_summary=data["short_summary"].strip(),
            summary=data["summary"],
            threat_details=data["threat_details"],
            remediation_intro=data["remediation_intro"],
            indicators_of_compromise=data["indicators_of_compromise"],
            cve_ids=data["cve_ids"],
            ncsc_link=data["ncsc_link"],
            sources=data["sources"],
            response_required=required,
            response_window_hours=data["response_window_hours"] if required else 48,
            major_incident=yes(data["major_incident"]),
            scope_organisation_types=list(data["scope_organisation_types"]),
            scope_regions=[self.regions[code] for code in data["scope_regions"]],
            affected_platforms=platforms,
            remediation_steps=steps,
        )


class PlatformRowForm(NhsukForm):
    platform = CharField(label="Platform", required=False, max_length=200)
    versions = TextareaField(label="Versions affected", required=False, hint="One a line")

    def __init__(self, *args: Any, number: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.number = number
        self.fields["platform"].label = f"Platform {number}"
        self.fields["versions"].label = f"Versions of platform {number} affected"

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("versions", "").strip() and not cleaned.get("platform", "").strip():
            self.add_error("platform", f"Enter the name of affected platform {self.number}")
        return cleaned

    def content(self) -> PlatformContent | None:
        platform = self.cleaned_data.get("platform", "").strip()
        return PlatformContent(platform=platform, versions=self.cleaned_data["versions"].strip()) if platform else None


class StepRowForm(NhsukForm):
    step_type = SelectField(label="Type", required=False, choices=[("", "Select a type"), *RemediationType.choices])
    step = TextareaField(label="Step", required=False)
    link = forms.URLField(
        label="Link", required=False, assume_scheme="https", max_length=500, help_text="A web address, if there is one"
    )

    def __init__(self, *args: Any, number: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.number = number
        self.fields["step_type"].label = f"Type of step {number}"
        self.fields["step"].label = f"Step {number}"
        self.fields["link"].label = f"Link for step {number}"
        self.fields["link"].error_messages["invalid"] = f"Enter the link for step {number} as a web address"

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        used = any(cleaned.get(name) for name in ("step_type", "step", "link")) or "link" in self.errors
        if used and not cleaned.get("step_type"):
            self.add_error("step_type", f"Select the type of remediation step {self.number}")
        if used and not cleaned.get("step", "").strip():
            self.add_error("step", f"Enter remediation step {self.number}")
        return cleaned

    def content(self) -> StepContent | None:
        step = self.cleaned_data.get("step", "").strip()
        if not step:
            return None
        return StepContent(step_type=self.cleaned_data["step_type"], step=step, link=self.cleaned_data["link"])


def row_count(data: QueryDict | None, existing: int) -> int:
    """How many rows of platforms and steps to show: what was there plus spare ones, and never fewer than 5."""
    if data is not None:
        try:
            return max(0, min(int(data.get("rows", "")), MAX_ROWS))
        except ValueError:
            pass
    return min(max(existing + SPARE_ROWS, MIN_ROWS), MAX_ROWS)


class ThreatUpdateForm(NhsukForm):
    text = MarkdownField(label="Update", hint=MARKDOWN_HINT, error_messages={"required": "Enter the update"})
    requires_reacknowledgement = YesNoField(
        label="Must organisations acknowledge the alert again?",
        hint="If yes, everyone in scope is emailed (and sent a text message for a major incident) again.",
        error_messages={"required": "Select whether organisations must acknowledge the alert again"},
    )


class SeverityForm(NhsukForm):
    severity = RadioField(
        label="New severity", choices=Severity.choices, error_messages={"required": "Select a severity"}
    )
    reason = TextareaField(label="Why is the severity changing?", error_messages={"required": "Enter why"})


class ReasonForm(NhsukForm):
    reason = TextareaField(label="Reason", error_messages={"required": "Enter a reason"})


class ActionForm(NhsukForm):
    """No fields: carries a workflow error (such as four-eyes) to the page's error summary. Create it bound
    (`ActionForm(data={})`) so that errors can be added."""


class AlertFilterForm(NhsukForm):
    # Bounded: SQLite refuses a long LIKE pattern ("too complex"), which was a server error.
    q = CharField(
        label="Search",
        required=False,
        hint="Words from the title or summary, a threat ID or a CVE ID",
        max_length=200,
        error_messages={"max_length": "Search must be 200 characters or fewer"},
    )
    severity = SelectField(label="Severity", required=False, choices=[("", "Any severity"), *Severity.choices])
    year = SelectField(label="Year published", required=False, choices=[("", "Any year")])

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "Any year"), *((str(year), str(year)) for year in years)]  # type: ignore[attr-defined]
