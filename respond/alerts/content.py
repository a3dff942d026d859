"""What CSOC staff write in an alert, as one value the services take, check and save; and snapshots of it."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from respond.alerts.models import Alert, RemediationType, Severity, Tlp
from respond.alerts.validation import normalise_cve_ids, validate_markdown
from respond.organisations.models import OrganisationType, Region

MARKDOWN_FIELDS = ("summary", "threat_details", "remediation_intro", "indicators_of_compromise")
# Fields copied to the Alert as they are.
PLAIN_FIELDS = (
    "title",
    "severity",
    "tlp",
    "threat_type",
    "categories",
    "threat_vectors",
    "short_summary",
    "summary",
    "threat_details",
    "remediation_intro",
    "indicators_of_compromise",
    "cve_ids",
    "ncsc_link",
    "sources",
    "response_required",
    "response_window_hours",
    "major_incident",
    "scope_organisation_types",
)
MAX_RESPONSE_WINDOW_HOURS = 24 * 30
_web_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class PlatformContent:
    platform: str
    versions: str = ""


@dataclass(frozen=True)
class StepContent:
    step_type: str
    step: str
    link: str = ""


@dataclass(frozen=True)
class AlertContent:
    title: str
    severity: str
    tlp: str
    short_summary: str
    summary: str
    threat_type: str = ""
    categories: list[str] = field(default_factory=list)
    threat_vectors: list[str] = field(default_factory=list)
    threat_details: str = ""
    remediation_intro: str = ""
    indicators_of_compromise: str = ""
    cve_ids: list[str] = field(default_factory=list)
    ncsc_link: str = ""
    sources: list[str] = field(default_factory=list)
    response_required: bool = True
    response_window_hours: int = 48
    major_incident: bool = False
    scope_organisation_types: list[str] = field(default_factory=list)
    scope_regions: list[Region] = field(default_factory=list)
    affected_platforms: list[PlatformContent] = field(default_factory=list)
    remediation_steps: list[StepContent] = field(default_factory=list)

    @classmethod
    def from_alert(cls, alert: Alert) -> "AlertContent":
        return cls(
            **{name: getattr(alert, name) for name in PLAIN_FIELDS},
            scope_regions=list(alert.scope_regions.all()),
            affected_platforms=[
                PlatformContent(platform=row.platform, versions=row.versions) for row in alert.affected_platforms.all()
            ],
            remediation_steps=[
                StepContent(step_type=row.step_type, step=row.step, link=row.link)
                for row in alert.remediation_steps.all()
            ],
        )


def _check_url(errors: dict[str, list[str]], name: str, value: str, message: str) -> None:
    try:
        _web_url(value)
    except ValidationError:
        errors.setdefault(name, []).append(message)


def content_errors(content: AlertContent) -> dict[str, list[str]]:
    """Every problem with the content, by field name; empty when it can be published."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name, label, limit in (("title", "title", 300), ("short_summary", "short summary", 500)):
        value = getattr(content, name).strip()
        if not value:
            add(name, f"Enter a {label}")
        elif len(value) > limit:
            add(name, f"The {label} must be {limit} characters or fewer")
    if not content.summary.strip():
        add("summary", "Enter a summary")
    if len(content.threat_type) > 100:
        add("threat_type", "The threat type must be 100 characters or fewer")
    if content.severity not in Severity.values:
        add("severity", "Select a severity")
    if content.tlp not in Tlp.values:
        add("tlp", "Select a TLP marking")
    for name in MARKDOWN_FIELDS:
        try:
            validate_markdown(getattr(content, name))
        except ValidationError as error:
            errors.setdefault(name, []).extend(error.messages)
    try:
        normalise_cve_ids(content.cve_ids)
    except ValidationError as error:
        errors.setdefault("cve_ids", []).extend(error.messages)
    if content.ncsc_link:
        _check_url(errors, "ncsc_link", content.ncsc_link, "Enter the NCSC link as a web address starting https://")
    if content.severity == Severity.HIGH and not content.response_required:
        add("response_required", "High severity alerts always need a response")
    if content.response_required and not 1 <= content.response_window_hours <= MAX_RESPONSE_WINDOW_HOURS:
        add("response_window_hours", f"Response window must be between 1 and {MAX_RESPONSE_WINDOW_HOURS} hours")
    unknown_types = set(content.scope_organisation_types) - set(OrganisationType.values)
    if unknown_types:
        add("scope_organisation_types", "Select organisation types from the list")
    for number, platform in enumerate(content.affected_platforms, start=1):
        if not platform.platform.strip():
            add("affected_platforms", f"Enter the name of affected platform {number}")
    for number, step in enumerate(content.remediation_steps, start=1):
        if step.step_type not in RemediationType.values:
            add("remediation_steps", f"Select the type of remediation step {number}")
        if not step.step.strip():
            add("remediation_steps", f"Enter remediation step {number}")
        if step.link:
            _check_url(
                errors, "remediation_steps", step.link, f"Enter the link of remediation step {number} as a web address"
            )
    return errors


def validate_content(content: AlertContent) -> None:
    errors = content_errors(content)
    if errors:
        raise ValidationError(errors)


def alert_snapshot(alert: Alert) -> dict[str, Any]:
    """Everything recipients see, plus the workflow state, as JSON: stored in each AlertVersion."""
    return {
        "threat_id": alert.threat_id,
        "status": alert.status,
        **{name: getattr(alert, name) for name in PLAIN_FIELDS},
        "scope_regions": sorted(alert.scope_regions.values_list("name", flat=True)),
        "affected_platforms": [
            {"platform": row.platform, "versions": row.versions} for row in alert.affected_platforms.all()
        ],
        "remediation_steps": [
            {"type": row.step_type, "step": row.step, "link": row.link} for row in alert.remediation_steps.all()
        ],
        "threat_updates": [
            {
                "at": update.created_at.isoformat(),
                "text": update.text,
                "requires_reacknowledgement": update.requires_reacknowledgement,
            }
            for update in alert.updates.all()
        ],
        "published_at": alert.published_at.isoformat() if alert.published_at else None,
        "closed_reason": alert.closed_reason,
        "withdrawn_reason": alert.withdrawn_reason,
    }


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """Names of the snapshot entries that differ: what a version changed."""
    if before is None:
        return []
    return [name for name in after if before.get(name) != after.get(name)]
