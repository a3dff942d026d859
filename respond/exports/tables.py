"""What each export holds, read a chunk at a time as plain tuples (`values_list`), never as model instances.

Who may see which rows is decided by the caller's scoped querysets (see respond.exports.scopes).
"""

from collections.abc import Callable, Iterator
from datetime import date
from itertools import batched
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from respond.exports import lookups
from respond.exports.cells import (
    DAY,
    MOMENT,
    NUMBER,
    PLAIN,
    TEXT,
    Column,
    choice,
    combined,
    day,
    literal,
    moment,
    yes_no,
)
from respond.exports.table import DatabaseRows, Row, Table
from respond.responses.models import EntryAction, NotApplicableReason, Response, ResponseEntry, ResponseStatus

CHUNK = 2000
SYSTEM = "The service (automatically)"
STATUS = choice(ResponseStatus.choices)
ACTION = choice(EntryAction.choices)
NOT_APPLICABLE_REASON = choice(NotApplicableReason.choices, otherwise_value=False)

# The follow-up answers of a history entry.
ANSWER_COLUMNS = [
    Column.of("Actions being taken", TEXT, "actions"),
    Column.of("Expected completion date", DAY, "expected_completion_on"),
    Column.of("Date remediation was completed", DAY, "completed_on"),
    Column.of("Summary of what was done", TEXT, "completion_summary"),
    Column.of("Why the alert does not apply", NOT_APPLICABLE_REASON, "not_applicable_reason"),
    Column.of("More about why the alert does not apply", TEXT, "not_applicable_detail"),
    Column.of("Why the remediation cannot be implemented", TEXT, "unable_reason"),
    Column.of("Compensating controls and mitigations in place", TEXT, "mitigations"),
    Column.of("Risk owner who accepted the risk", TEXT, "risk_owner"),
]
ANSWER_FIELDS = tuple(column.sources[0] for column in ANSWER_COLUMNS)
ANSWER_WRITERS = tuple(column.kind.python for column in ANSWER_COLUMNS)
ANSWER_HEADERS = [column.header for column in ANSWER_COLUMNS]

RESPONSE_HEADERS = [
    "Threat ID",
    "Alert title",
    "ODS code",
    "Organisation",
    "Organisation type",
    "Region",
    "Status",
    "Acknowledge by",
    "Acknowledged",
    "Acknowledged within the response window",
    "Next update due",
    "Exception review date",
    "Closed",
    "Last updated",
    "Last updated by",
    "Last updated on behalf of another organisation",
    *ANSWER_HEADERS,
]


def _submitter(column: str) -> Callable[..., str]:
    """SQL for Submitters.describe's (who, their organisation, on behalf or not)."""

    def sql(person: str, full_name: str, email: str, theirs: str, their_name: str, organisation: str) -> str:
        name = TEXT.sql(f"coalesce(nullif({full_name}, ''), {email})")
        their_label = TEXT.sql(their_name)
        on_behalf = f"{theirs} IS DISTINCT FROM {organisation}"
        return {
            "who": f"CASE WHEN {person} IS NULL THEN {literal(SYSTEM)} WHEN {on_behalf} AND {their_label} <> '' "
            f"THEN {name} || ' (' || {their_label} || ')' ELSE {name} END",
            "theirs": f"CASE WHEN {person} IS NOT NULL THEN {their_label} END",
            "on_behalf": f"CASE WHEN {person} IS NOT NULL AND {on_behalf} THEN 'Yes' ELSE 'No' END",
        }[column]

    return sql


SUBMITTER = (
    "submitted_by_id",
    "submitted_by__full_name",
    "submitted_by__email",
    "submitted_by_organisation_id",
    "submitted_by_organisation__name",
    "response__organisation_id",
)
HISTORY_COLUMNS = [
    Column.of("Threat ID", PLAIN, "response__alert__threat_id"),
    Column.of("Alert title", TEXT, "response__alert__title"),
    Column.of("ODS code", PLAIN, "response__organisation__ods_code"),
    Column.of("Organisation", TEXT, "response__organisation__name"),
    Column.of("Version", NUMBER, "version"),
    Column.of("Submitted", MOMENT, "created_at"),
    Column.of("What happened", ACTION, "action"),
    Column.of("Status", STATUS, "status"),
    Column.of("Submitted by", combined(_submitter("who")), *SUBMITTER),
    Column.of("Submitted by (organisation)", combined(_submitter("theirs")), *SUBMITTER),
    Column.of("On behalf of another organisation", combined(_submitter("on_behalf"), xml_safe=True), *SUBMITTER),
    Column.of(
        "Part of a bulk response",
        combined(lambda bulk: f"CASE WHEN {bulk} IS NULL THEN 'No' ELSE 'Yes' END", xml_safe=True),
        "bulk_id",
    ),
    Column.of("Next update due", DAY, "next_update_due_on"),
    Column.of("Exception review date", DAY, "review_on"),
    *ANSWER_COLUMNS,
]
HISTORY_HEADERS = [column.header for column in HISTORY_COLUMNS]


class Submitters:
    """Who submitted an entry, as exports write it: their name, and "(their organisation)" when they acted on
    behalf of another organisation."""

    def __init__(self, organisations: lookups.Lookup[tuple[str, str, str, str]]) -> None:
        self.people = lookups.people()
        self.organisations = organisations

    def load(self, people: list[int | None], organisations: list[int | None]) -> None:
        self.people.load(people)
        self.organisations.load(organisations)

    def describe(self, person_id: int | None, their_organisation_id: int | None, for_organisation_id: int) -> Row:
        """(who, their organisation, on behalf or not)."""
        if person_id is None:
            return (SYSTEM, "", "No")
        name = self.people[person_id][0]
        theirs = self.organisations[their_organisation_id][1] if their_organisation_id is not None else ""
        on_behalf = their_organisation_id != for_organisation_id
        return (f"{name} ({theirs})" if on_behalf and theirs else name, theirs, "Yes" if on_behalf else "No")


def _answers(values: tuple[Any, ...]) -> list[Any]:
    # Most answers are empty (each status asks only a few questions): skip writing those.
    return [write(value) if value else "" for write, value in zip(ANSWER_WRITERS, values, strict=True)]


def responses_table(responses: QuerySet[Response], name: str) -> Table:
    """One row per response: its status now, and who updated it last with their latest answers."""
    latest = ResponseEntry.objects.filter(response=OuterRef("pk")).order_by("-version").values("pk")[:1]
    rows = (
        responses.annotate(latest_entry_id=Subquery(latest))
        .values_list(
            "alert_id",
            "organisation_id",
            "status",
            "acknowledged_at",
            "acknowledged_within_window",
            "next_update_due_on",
            "review_on",
            "closed_at",
            "last_entry_at",
            "latest_entry_id",
        )
        .iterator(chunk_size=CHUNK)
    )
    return Table(name=name, headers=RESPONSE_HEADERS, chunks=_response_chunks(rows), wide_columns=(1, 3, 14))


def _response_chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[Row]]:
    alerts, organisations = lookups.alerts(), lookups.organisations()
    submitters = Submitters(organisations)
    for chunk in batched(rows, CHUNK):
        alerts.load(row[0] for row in chunk)
        entries = {
            pk: values
            for pk, *values in ResponseEntry.objects.filter(pk__in=[row[9] for row in chunk if row[9]]).values_list(
                "pk", "submitted_by_id", "submitted_by_organisation_id", *ANSWER_FIELDS
            )
        }
        submitters.load(
            [entry[0] for entry in entries.values()],
            [row[1] for row in chunk] + [entry[1] for entry in entries.values()],
        )
        out: list[Row] = []
        for alert_id, org_id, status, acknowledged_at, within, next_due, review, closed, updated, entry_id in chunk:
            threat_id, title, _, deadline = alerts[alert_id]
            entry = entries.get(entry_id)
            if entry is None:
                who: Row = ("", "")
                answers = [""] * len(ANSWER_FIELDS)
            else:
                who = submitters.describe(entry[0], entry[1], org_id)[::2]
                answers = _answers(entry[2:])
            out.append(
                [
                    threat_id,
                    title,
                    *organisations[org_id],
                    STATUS.python(status),
                    deadline,
                    moment(acknowledged_at),
                    yes_no(within),
                    day(next_due),
                    day(review),
                    moment(closed),
                    moment(updated),
                    *who,
                    *answers,
                ]
            )
        yield out


def history_table(entries: QuerySet[ResponseEntry], name: str) -> Table:
    """One row per history entry (each submission), with its answers, oldest first."""
    rows = (
        entries.order_by("pk")
        .values_list(
            "response__alert_id",
            "response__organisation_id",
            "version",
            "created_at",
            "action",
            "status",
            "submitted_by_id",
            "submitted_by_organisation_id",
            "bulk_id",
            "next_update_due_on",
            "review_on",
            *ANSWER_FIELDS,
        )
        .iterator(chunk_size=CHUNK)
    )
    return Table(
        name=name,
        headers=HISTORY_HEADERS,
        chunks=_history_chunks(rows),
        wide_columns=(1, 3, 14),
        database=DatabaseRows(entries, HISTORY_COLUMNS, order_by="pk"),
    )


def _history_chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[Row]]:
    alerts, organisations = lookups.alerts(), lookups.organisations()
    submitters = Submitters(organisations)
    # Many entries share a date: format each once.
    days: dict[date | None, str] = {}
    for chunk in batched(rows, CHUNK):
        alerts.load(row[0] for row in chunk)
        submitters.load([row[6] for row in chunk], [row[1] for row in chunk] + [row[7] for row in chunk])
        out: list[Row] = []
        for row in chunk:
            alert_id, org_id, version, created_at, action, status, person, theirs, bulk_id, next_due, review = row[:11]
            threat_id, title, _, _ = alerts[alert_id]
            ods_code, organisation, _, _ = organisations[org_id]
            next_due_text = days.get(next_due) or days.setdefault(next_due, day(next_due))
            review_text = days.get(review) or days.setdefault(review, day(review))
            out.append(
                [
                    threat_id,
                    title,
                    ods_code,
                    organisation,
                    version,
                    moment(created_at),
                    ACTION.python(action),
                    STATUS.python(status),
                    *submitters.describe(person, theirs, org_id),
                    "No" if bulk_id is None else "Yes",
                    next_due_text,
                    review_text,
                    *_answers(row[11:]),
                ]
            )
        yield out
