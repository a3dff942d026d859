"""What the API reads and writes: typed schemas, from which the OpenAPI document is generated."""

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field

# What can be recorded for one organisation: acknowledge (in progress, no detail yet), acknowledge an update
# to the alert (keeping the status), or a status with its follow-up answers, as on the pages.
Submitted = Literal["acknowledge", "reacknowledge", "in_progress", "complete", "not_applicable", "unable_to_implement"]


def _text() -> Any:
    # The services give the friendly limit (5,000 characters); this only stops absurd bodies early.
    return Field(default=None, max_length=6000)


class FieldError(Schema):
    field: str | None = Field(
        description="The input the message is about: a body field, a query parameter, or "
        "`organisations.<ODS code>`; null when it is about the request as a whole"
    )
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


class OrganisationOut(Schema):
    ods_code: str
    name: str


class MyOrganisationOut(OrganisationOut):
    role: Literal["administrator", "responder"]


class ResponseStateOut(Schema):
    """One organisation's current response to one alert."""

    organisation: OrganisationOut
    status: str
    version: int = Field(description="Send it back in `If-Match` when recording a response")
    deadline_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_within_window: bool | None
    next_update_due_on: date | None
    review_on: date | None
    reacknowledgement_due_at: datetime | None
    overdue: bool


class AlertSummaryOut(Schema):
    threat_id: str
    title: str
    severity: str
    tlp: str
    status: str
    published_at: datetime | None
    deadline_at: datetime | None
    responses: list[ResponseStateOut]


class AlertPageOut(Schema):
    items: list[AlertSummaryOut]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page")


class PlatformOut(Schema):
    platform: str
    versions: list[str]


class RemediationStepOut(Schema):
    type: str
    step: str
    link: str


class ThreatUpdateOut(Schema):
    created_at: datetime
    text: str
    requires_reacknowledgement: bool


class AlertOut(Schema):
    threat_id: str
    title: str
    status: str
    severity: str
    tlp: str
    threat_type: str
    categories: list[str]
    threat_vectors: list[str]
    short_summary: str
    summary: str = Field(description="Markdown")
    threat_details: str = Field(description="Markdown")
    remediation_intro: str = Field(description="Markdown")
    indicators_of_compromise: str = Field(description="Markdown")
    cve_ids: list[str]
    ncsc_link: str
    sources: list[str]
    response_required: bool
    published_at: datetime | None
    deadline_at: datetime | None
    affected_platforms: list[PlatformOut]
    remediation_steps: list[RemediationStepOut]
    updates: list[ThreatUpdateOut]


class AnswersFields(Schema):
    """The follow-up answers of each status; only those the status asks are kept, as on the form."""

    model_config = ConfigDict(extra="forbid")

    actions: str | None = _text()
    expected_completion_on: date | None = None
    next_update_due_on: date | None = None
    completed_on: date | None = None
    completion_summary: str | None = _text()
    not_applicable_reason: Literal["not_in_use", "patched_before", "other"] | None = None
    not_applicable_detail: str | None = _text()
    unable_reason: str | None = _text()
    mitigations: str | None = _text()
    risk_owner: str | None = Field(default=None, max_length=1000)
    review_on: date | None = None


class ResponseIn(AnswersFields):
    status: Submitted


class BulkResponseIn(ResponseIn):
    organisations: list[Annotated[str, Field(max_length=20)]] = Field(
        min_length=1, max_length=5000, description="ODS codes"
    )
    versions: dict[str, int] | None = Field(
        default=None, description="ODS code to the version you based this on: a response changed since is a 409"
    )


class EntryOut(Schema):
    version: int
    action: str
    status: str
    created_at: datetime
    submitted_by: str = Field(description="Who submitted it, as the history page says")
    on_behalf: bool
    api_token_name: str
    bulk_id: UUID | None
    actions: str
    expected_completion_on: date | None
    next_update_due_on: date | None
    completed_on: date | None
    completion_summary: str
    not_applicable_reason: str
    not_applicable_detail: str
    unable_reason: str
    mitigations: str
    risk_owner: str
    review_on: date | None


class ResponseOut(ResponseStateOut):
    threat_id: str
    history: list[EntryOut] = Field(description="Newest first")


class BulkResultOut(Schema):
    ods_code: str
    status: str
    version: int


class BulkResponseOut(Schema):
    results: list[BulkResultOut]


class CountsOut(Schema):
    in_scope: int
    acknowledged_within_window: int
    acknowledged_late: int
    not_acknowledged: int
    in_progress: int
    complete: int
    not_applicable: int
    unable_to_implement: int


class GroupOut(CountsOut):
    label: str


class ComplianceOut(Schema):
    threat_id: str
    deadline_at: datetime | None
    deadline_passed: bool
    totals: CountsOut
    by_type: list[GroupOut]
    by_region: list[GroupOut]
    median_hours_to_acknowledge: float | None
    median_hours_to_complete: float | None


class ContactOut(Schema):
    name: str
    email: str


class ChaseRowOut(Schema):
    organisation: OrganisationOut
    reason: str
    status: str
    administrators: list[ContactOut]
    last_chased_at: datetime | None


class ChaseListOut(Schema):
    threat_id: str
    rows: list[ChaseRowOut]


class ChannelOut(Schema):
    channel: str
    total: int
    waiting: int
    sent: int
    delivered: int
    failed: int


class DeliveryOut(Schema):
    threat_id: str
    total: int
    queued: int
    sending: int
    sent: int
    delivered: int
    failed: int
    retrying: int
    finished: bool
    by_channel: list[ChannelOut]


# The errors each operation can give, documented in the OpenAPI document (304: nothing changed since the ETag).
READ_ERRORS: dict[int, Any] = {304: None, **dict.fromkeys((400, 401, 403, 404, 422, 429), ErrorOut)}
WRITE_ERRORS: dict[int, Any] = dict.fromkeys((400, 401, 403, 404, 409, 422, 429), ErrorOut)
