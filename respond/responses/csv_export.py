"""An organisation's responses as CSV: plain-English headers, ISO 8601 dates and times with their offset from UTC.

Rows are produced as they are read, a chunk at a time, so a long history streams rather than filling memory.
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from itertools import batched
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from respond.organisations.models import Organisation
from respond.responses.models import NotApplicableReason, Response, ResponseEntry

CHUNK = 500
# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

ANSWER_COLUMNS = [
    ("actions", "Actions being taken"),
    ("expected_completion_on", "Expected completion date"),
    ("completed_on", "Date remediation was completed"),
    ("completion_summary", "Summary of what was done"),
    ("not_applicable_reason", "Why the alert does not apply"),
    ("not_applicable_detail", "More about why the alert does not apply"),
    ("unable_reason", "Why the remediation cannot be implemented"),
    ("mitigations", "Compensating controls and mitigations in place"),
    ("risk_owner", "Risk owner who accepted the risk"),
]

CURRENT_HEADERS = [
    "Threat ID",
    "Alert title",
    "Alert published",
    "Acknowledge by",
    "Organisation",
    "ODS code",
    "Status",
    "Acknowledged",
    "Acknowledged within the response window",
    "Next update due",
    "Exception review date",
    "Closed",
    "Last updated",
    "Last updated by",
    "Last updated by (organisation)",
    *(header for _, header in ANSWER_COLUMNS),
]

HISTORY_HEADERS = [
    "Threat ID",
    "Alert title",
    "Organisation",
    "ODS code",
    "Version",
    "Submitted",
    "What happened",
    "Status",
    "Submitted by",
    "Submitted by (organisation)",
    "On behalf of another organisation",
    "Part of a bulk response",
    "Next update due",
    "Exception review date",
    *(header for _, header in ANSWER_COLUMNS),
]


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _answers(entry: ResponseEntry | None) -> list[Any]:
    if entry is None:
        return [""] * len(ANSWER_COLUMNS)
    values = []
    for name, _ in ANSWER_COLUMNS:
        value = getattr(entry, name)
        if name == "not_applicable_reason" and value in NotApplicableReason.values:
            value = NotApplicableReason(value).label
        values.append(value)
    return values


def _person(entry: ResponseEntry | None) -> list[str]:
    if entry is None:
        return ["", ""]
    if entry.submitted_by is None:
        return ["The service (automatically)", ""]
    organisation = entry.submitted_by_organisation
    return [entry.submitted_by.full_name or entry.submitted_by.email, organisation.name if organisation else ""]


def current_rows(organisation: Organisation) -> Iterator[list[Any]]:
    latest = ResponseEntry.objects.filter(response=OuterRef("pk")).order_by("-version").values("pk")[:1]
    responses = (
        Response.objects.required()
        .filter(organisation=organisation)
        .select_related("alert")
        .annotate(latest_entry_id=Subquery(latest))
        .order_by("-alert__published_at", "alert_id")
    )
    for chunk in batched(responses.iterator(chunk_size=CHUNK), CHUNK):
        entries = ResponseEntry.objects.select_related("submitted_by", "submitted_by_organisation").in_bulk(
            [response.latest_entry_id for response in chunk if response.latest_entry_id]  # type: ignore[attr-defined]
        )
        for response in chunk:
            entry = entries.get(response.latest_entry_id)  # type: ignore[attr-defined]
            alert = response.alert
            yield [
                alert.threat_id,
                alert.title,
                alert.published_at,
                alert.deadline_at,
                organisation.name,
                organisation.ods_code,
                response.get_status_display(),
                response.acknowledged_at,
                response.acknowledged_within_window,
                response.next_update_due_on,
                response.review_on,
                response.closed_at,
                response.last_entry_at,
                *_person(entry),
                *_answers(entry),
            ]


def history_rows(organisation: Organisation) -> Iterator[list[Any]]:
    entries = (
        ResponseEntry.objects.filter(response__organisation=organisation, response__alert__response_required=True)
        .select_related("response__alert", "submitted_by", "submitted_by_organisation")
        .order_by("-response__alert__published_at", "response__alert_id", "version")
    )
    for entry in entries.iterator(chunk_size=CHUNK):
        alert = entry.response.alert
        entry.response.organisation = organisation
        yield [
            alert.threat_id,
            alert.title,
            organisation.name,
            organisation.ods_code,
            entry.version,
            entry.created_at,
            entry.get_action_display(),
            entry.get_status_display(),
            *_person(entry),
            entry.is_on_behalf,
            entry.bulk_id is not None,
            entry.next_update_due_on,
            entry.review_on,
            *_answers(entry),
        ]


class _Echo:
    """A file-like object whose write() hands back what it was given, for csv.writer to stream through."""

    def write(self, value: str) -> str:
        return value


def stream_csv(headers: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A byte order mark, so that Excel reads the file as UTF-8.
    yield "\ufeff" + writer.writerow(headers)
    for row in rows:
        yield writer.writerow([cell(value) for value in row])
