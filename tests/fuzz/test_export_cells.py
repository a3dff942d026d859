"""Generated text, wherever a person or an imported file can put it, exported as CSV and XLSX (the Python way, and
on PostgreSQL the database's way too): no cell starts like a formula, so no spreadsheet runs one, and each text
reads back as written (behind the apostrophe that protects it)."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from respond.alerts.models import Alert
from respond.exports import database
from respond.exports.cells import FORMULA_STARTS, text
from respond.organisations.models import Organisation, Region
from respond.responses.models import EntryAction, ResponseEntry, ResponseStatus
from tests.factories import RegionFactory
from tests.fuzz import ledger
from tests.fuzz.harness import example
from tests.fuzz.strategies import budget, nasty_text, plain_text
from tests.responses.conftest import make_alert, response_of

pytestmark = pytest.mark.django_db

# What the forms and imports let through: no NUL (refused by both; PostgreSQL cannot store it).
typed = st.one_of(nasty_text, plain_text).map(lambda value: value.replace("\x00", "")[:40_000])
ANSWERS = ("actions", "completion_summary", "not_applicable_detail", "unable_reason", "mitigations")
WAYS = [False, True] if connection.vendor == "postgresql" else [False]


@pytest.fixture
def exported(trust_a, bob, auditor, signed_in):
    trust_a.region = RegionFactory(code="Y56", name="London")
    trust_a.save()
    alert = make_alert(organisations=[trust_a])
    return signed_in(auditor), alert, response_of(alert, trust_a), bob


def _csv_cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _xlsx_cells(content: bytes) -> list[tuple[str, object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [(cell.data_type, cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


@budget
@given(
    answers=st.lists(typed, min_size=len(ANSWERS), max_size=len(ANSWERS)), names=st.lists(typed, min_size=4, max_size=4)
)
def test_typed_text_is_never_a_formula(exported, monkeypatch, answers, names):
    client, alert, response, person = exported
    organisation_name, region_name, person_name, title = names
    with example():
        Organisation.objects.filter(pk=response.organisation_id).update(name=organisation_name[:200])
        Region.objects.filter(code="Y56").update(name=region_name[:100])
        type(person).objects.filter(pk=person.pk).update(full_name=person_name[:200])
        Alert.objects.filter(pk=alert.pk).update(title=title[:300])
        ResponseEntry.objects.create(
            response=response, version=1, action=EntryAction.UPDATED, status=ResponseStatus.IN_PROGRESS,
            submitted_by=person, submitted_by_organisation_id=response.organisation_id, risk_owner=answers[0][:300],
            **dict(zip(ANSWERS, answers, strict=True)),
        )  # fmt: skip
        typed_here = [*answers, organisation_name[:200], title[:300]]
        urls = [
            "/exports/history.{}",
            "/exports/compliance.{}",
            f"/exports/alerts/{alert.threat_id}/responses.{{}}",
            f"/exports/organisations/{response.organisation.ods_code}/responses.{{}}",
        ]
        for in_database in WAYS:
            monkeypatch.setattr(database, "FORMAT_IN_DATABASE", in_database)
            for url in urls:
                rows = _csv_cells(_download(client, url.format("csv")))
                cells = [cell for row in rows for cell in row]
                formulas = [cell for cell in cells if cell and cell[0] in FORMULA_STARTS]
                workbook = _xlsx_cells(_download(client, url.format("xlsx")))
                formulas += [value for kind, value in workbook if kind == "f"]
                formulas += [value for kind, value in workbook if isinstance(value, str) and value[0] in FORMULA_STARTS]
                ledger.record(valid=True)
                assert not formulas, url
                if url.startswith("/exports/history"):
                    for value in typed_here:
                        assert not value or text(value) in cells
