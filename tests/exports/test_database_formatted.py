"""On PostgreSQL the history export is formatted by the database (respond.exports.database). It must write what
the Python way writes (the reference, and SQLite's way): the same CSV byte for byte, and a workbook holding the same
cells, for every kind of cell, empty values, on-behalf labels, text that looks like a formula, non-ASCII and XML's
special characters, both sides of a clock change, and only the organisations a member may see."""

import csv
import io
import zipfile
from datetime import UTC, date, datetime

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse
from openpyxl.utils.escape import unescape

from respond.exports import database, tables
from respond.responses.models import EntryAction, NotApplicableReason, ResponseEntry, ResponseStatus
from tests.exports.conftest import csv_rows
from tests.factories import OrganisationFactory, UserFactory
from tests.responses.conftest import make_alert, response_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL formats rows only on PostgreSQL"),
]

AWKWARD_TEXT = [
    '=HYPERLINK("http://example.com")',
    "+44 20 7946 0000",
    "-1",
    "@SUM(A1)",
    "\tindented by a tab",
    "\rstarts with a carriage return",
    'Quotes "like this", commas, and\r\nline breaks\nof both kinds',
    "<b>Tags</b> & ampersands > and < signs",
    "Café, Ysbyty Gwynedd naïve ✓ 😀",
    "  spaces around  ",
    "A control character \x01 and \x1f, _x0041_ looking like an escape",
    "Noncharacter \ufffe",
    "<r>Looks like xlsxwriter's rich text</r>",
]


@pytest.fixture
def awkward(history, trust_a, trust_b, lee, csu):
    """Besides `history`: entries written directly with every kind of awkward value."""
    summer_a = response_of(history["summer"], trust_a)
    winter_a = response_of(history["winter"], trust_a)
    odd_place = OrganisationFactory(ods_code="X&<1", name="+Plus & Sons <Ltd> Gŵyr")
    # No name (the email is used), and a name that starts like a formula.
    nameless = UserFactory(full_name="", email="nameless@example.nhs.uk", organisation=odd_place)
    formula = UserFactory(full_name="=Formula Person", organisation=trust_a)
    entries = [
        # Winter: Greenwich Mean Time. Nobody (the service), an unknown status and reason.
        entry(response=winter_a, action=EntryAction.REOPENED, status="legacy_status", submitted_by=None,
             not_applicable_reason="gone", created_at=datetime(2025, 12, 2, 23, 30, 59, 999999, tzinfo=UTC)),
        # Summer: British Summer Time, the clock change's night, every answer.
        entry(response=summer_a, action=EntryAction.UPDATED, status=ResponseStatus.NOT_APPLICABLE,
             submitted_by=nameless, submitted_by_organisation=odd_place, bulk_id="5b0c1a6e-8f1b-4f5c-9a57-1b2c3d4e5f60",
             not_applicable_reason=NotApplicableReason.NOT_IN_USE, next_update_due_on=date(2025, 10, 26),
             review_on=date(2026, 3, 29), expected_completion_on=date(2025, 3, 30), completed_on=date(1999, 12, 31),
             created_at=datetime(2025, 3, 30, 1, 0, tzinfo=UTC)),
        entry(response=summer_a, action=EntryAction.REACKNOWLEDGED, status=ResponseStatus.UNABLE_TO_IMPLEMENT,
             submitted_by=formula, submitted_by_organisation=None,
             created_at=datetime(2025, 10, 26, 0, 59, tzinfo=UTC)),
        entry(response=summer_a, action=EntryAction.UPDATED, status=ResponseStatus.IN_PROGRESS, submitted_by=lee,
             submitted_by_organisation=csu, created_at=datetime(2025, 10, 26, 1, 0, tzinfo=UTC)),
    ]  # fmt: skip
    for number, text in enumerate(AWKWARD_TEXT):
        entries.append(
            entry(response=summer_a, action=EntryAction.UPDATED, status=ResponseStatus.IN_PROGRESS,
                 submitted_by=formula, submitted_by_organisation=trust_a, actions=text, completion_summary=text[::-1],
                 not_applicable_detail=text, unable_reason=text, mitigations=text, risk_owner=text[:300],
                 created_at=datetime(2025, 8, 1, number, tzinfo=UTC))
        )  # fmt: skip
    for number, unsaved in enumerate(entries):
        unsaved.version = 100 + number
    ResponseEntry.objects.bulk_create(entries)
    # Trust B's, in an alert titled awkwardly: for the auditor only, never for bob.
    odd_alert = make_alert(organisations=[trust_b], title='@"Quoted" <title> & more ✓')
    ResponseEntry.objects.create(
        response=response_of(odd_alert, trust_b), version=1, action=EntryAction.ACKNOWLEDGED,
        status=ResponseStatus.IN_PROGRESS, submitted_by=lee, submitted_by_organisation=csu, actions="Ça va",
    )  # fmt: skip
    return history


def entry(**fields) -> ResponseEntry:
    return ResponseEntry(version=0, **fields)


def never_in_python(rows):
    raise AssertionError("formatted in Python")
    yield


def download(client, url: str, monkeypatch, *, in_database: bool) -> bytes:
    monkeypatch.setattr(database, "FORMAT_IN_DATABASE", in_database)
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def sheet_rows(content: bytes) -> list[tuple[object, ...]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def as_text(value: object) -> str:
    """A cell as the CSV writes it: Excel's _xHHHH_ escapes read back, numbers as digits, nothing as ""."""
    if value is None:
        return ""
    return unescape(value) if isinstance(value, str) else str(value)


PEOPLE = ["auditor", "bob", "lee"]
QUERIES = ["", "?from=2025-08-01&to=2025-10-26", "?organisation=RAA"]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("person", PEOPLE)
def test_the_csv_is_the_python_one_byte_for_byte(signed_in, awkward, monkeypatch, request, person, query):
    client = signed_in(request.getfixturevalue(person))
    url = reverse("exports:history", args=["csv"]) + query
    written = download(client, url, monkeypatch, in_database=True)
    reference = download(client, url, monkeypatch, in_database=False)
    assert written.count(b"\r\n") > 3
    assert written == reference


@pytest.mark.parametrize("person", PEOPLE)
def test_the_workbook_holds_the_csv_cells(signed_in, awkward, monkeypatch, request, person):
    client = signed_in(request.getfixturevalue(person))
    workbook = download(client, reverse("exports:history", args=["xlsx"]), monkeypatch, in_database=True)
    reference = download(client, reverse("exports:history", args=["xlsx"]), monkeypatch, in_database=False)
    text = download(client, reverse("exports:history", args=["csv"]), monkeypatch, in_database=True).decode()
    rows = sheet_rows(workbook)
    assert rows == sheet_rows(reference)
    lines = csv_rows_of(text)
    assert [[as_text(value) for value in row] for row in rows] == lines
    # Numbers stay numbers.
    assert {type(row[tables.HISTORY_HEADERS.index("Version")]) for row in rows[1:]} == {int}


def csv_rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_what_the_awkward_cells_hold(signed_in, auditor, awkward, monkeypatch):
    """Spot checks that the comparisons above compare something."""
    monkeypatch.setattr(tables, "_history_chunks", never_in_python)
    rows = csv_rows(signed_in(auditor).get(reverse("exports:history", args=["csv"])))
    by_version = {row["Version"]: row for row in rows}
    service = by_version["100"]
    assert service["Submitted"] == "2025-12-02T23:30:59+00:00"
    assert (service["Submitted by"], service["Submitted by (organisation)"]) == ("The service (automatically)", "")
    assert (service["Status"], service["Why the alert does not apply"]) == ("legacy_status", "")
    on_behalf = by_version["101"]
    assert on_behalf["Submitted"] == "2025-03-30T02:00:00+01:00"
    assert on_behalf["ODS code"] == "RAA"
    assert on_behalf["Submitted by"] == "nameless@example.nhs.uk ('+Plus & Sons <Ltd> Gŵyr)"
    assert on_behalf["Part of a bulk response"] == "Yes"
    assert on_behalf["Why the alert does not apply"] == "The affected product is not in use"
    assert on_behalf["Date remediation was completed"] == "1999-12-31"
    assert by_version["102"]["Submitted"] == "2025-10-26T01:59:00+01:00"
    assert by_version["102"]["Submitted by"] == "'=Formula Person"
    assert by_version["102"]["On behalf of another organisation"] == "Yes"
    assert by_version["103"]["Submitted"] == "2025-10-26T01:00:00+00:00"
    assert [by_version[str(104 + n)]["Actions being taken"] for n in range(6)] == [
        "'" + text for text in AWKWARD_TEXT[:6]
    ]
    assert [by_version[str(104 + n)]["Actions being taken"] for n in range(6, len(AWKWARD_TEXT))] == AWKWARD_TEXT[6:]
    assert any(row["Alert title"] == '\'@"Quoted" <title> & more ✓' for row in rows)


def test_a_member_gets_only_their_organisations_rows(signed_in, bob, awkward, monkeypatch):
    monkeypatch.setattr(tables, "_history_chunks", never_in_python)
    rows = csv_rows(signed_in(bob).get(reverse("exports:history", args=["csv"])))
    assert {row["ODS code"] for row in rows} == {"RAA"}
    assert len(rows) == ResponseEntry.objects.filter(response__organisation__ods_code="RAA").count()


def test_the_workbook_is_a_valid_package_with_bold_frozen_headers(signed_in, auditor, awkward, monkeypatch):
    monkeypatch.setattr(tables, "_history_chunks", never_in_python)
    content = b"".join(signed_in(auditor).get(reverse("exports:history", args=["xlsx"])).streaming_content)
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    assert sheet.title == "response-history"
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]] == tables.HISTORY_HEADERS
    assert all(cell.font.b for cell in sheet[1])
    assert not sheet["A2"].font.b
