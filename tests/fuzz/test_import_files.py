"""Generated CSV and XLSX files for the imports (the mandated-organisations list, the ODS files), and the
upload forms that take them: each file is imported, or refused with an ImportFileError and nothing written;
never any other error."""

import csv
import io
import re
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from respond.core.audit import Auditor
from respond.organisations.importers import import_ods_files
from respond.organisations.mandated import import_mandated_list, read_mandated_codes
from respond.organisations.models import Organisation
from respond.organisations.source_files import ImportFileError, SourceFile
from tests.factories import OrganisationFactory
from tests.fuzz import ledger
from tests.fuzz.harness import example, page_text, submit, watching_writes
from tests.fuzz.strategies import accepted_text, budget, nasty_text, plain_text

pytestmark = pytest.mark.django_db

CODES = ["R0A", "RVJ", "QRV", "0AR", "RXX"]
code_cells = st.one_of(
    st.sampled_from(CODES),
    st.sampled_from(CODES).map(lambda code: f" {code.lower()} "),
    st.from_regex(r"[A-Z0-9]{1,10}", fullmatch=True),
)
cells = st.one_of(code_cells, nasty_text.map(lambda text: text[:300]), st.just(""))
headers = st.sampled_from(["Code", "ODS code", " organisation  CODE ", "Name", "Type", ""])
tables = st.lists(st.lists(st.one_of(cells, headers), min_size=1, max_size=4), max_size=30)


# What a list's other cells may hold when it is meant to be imported: awkward text (no control characters: a CSV
# file holding one is not text, and refused), never a code header.
listed_cells = st.one_of(accepted_text(300).map(lambda cell: CONTROL.sub("", cell)), st.just("")).filter(
    lambda cell: "code" not in cell.lower()
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@st.composite
def listed_tables(draw, *, other=cells, min_codes=0) -> list[list[str]]:
    """A table with a code column under a header somewhere in its first rows (up to row 20), then anything."""
    before = draw(st.one_of(st.lists(st.lists(other, max_size=3), max_size=4), st.integers(0, 19).map(_blank_rows)))
    width = draw(st.integers(1, 4))
    column = draw(st.integers(0, width - 1))
    header = [draw(headers.filter(lambda cell: "code" not in cell.lower())) for _ in range(width)]
    header[column] = draw(st.sampled_from(["Code", "ODS code"]))
    row = st.lists(other, min_size=width, max_size=width)
    rows = draw(st.lists(st.tuples(row, code_cells), min_size=min_codes, max_size=20))
    return [*before, header, *([*each[:column], code, *each[column + 1 :]] for each, code in rows)]


def _blank_rows(count: int) -> list[list[str]]:
    return [[""] for _ in range(count)]


def csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    """A workbook of the rows; text starting with = becomes a formula, as openpyxl writes it."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@st.composite
def listed_files(draw) -> SourceFile:
    """A list as CSOC means it: a code column with codes under it, in CSV (UTF-8) or an undamaged workbook."""
    rows = draw(listed_tables(other=listed_cells, min_codes=1))
    if draw(st.booleans()):
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig"]))
        return SourceFile(name=draw(st.sampled_from(["list.csv", "List.CSV"])), content=csv_bytes(rows, encoding))
    return SourceFile(name="list.xlsx", content=xlsx_bytes(rows))


@st.composite
def mandated_files(draw) -> SourceFile:
    rows = draw(st.one_of(listed_tables(), tables))
    if draw(st.booleans()):
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))
        return SourceFile(name=draw(st.sampled_from(["list.csv", "list.txt"])), content=csv_bytes(rows, encoding))
    content = xlsx_bytes(rows)
    damage = draw(st.sampled_from(["none", "none", "truncate", "flip"]))
    if damage != "none":
        # Not drawn within len(content): openpyxl stamps the time in the file, so its length varies between
        # replays, which hypothesis refuses (FlakyStrategyDefinition).
        at = draw(st.integers(0, 10**6)) % len(content)
        content = (
            content[:at] if damage == "truncate" else content[:at] + bytes([content[at] ^ 0xFF]) + content[at + 1 :]
        )
    return SourceFile(name="list.xlsx", content=content)


def _imported_or_refused(run: Callable[[], object]) -> object | None:
    """Runs an import: it succeeds, or raises ImportFileError having written nothing. Anything else is a server
    error (an upload's page would fail)."""
    try:
        with watching_writes() as writes:
            result = run()
    except ImportFileError as error:
        message = str(error)
        changed = writes.changed()
        ledger.record(partial_write=bool(changed))
        assert not changed, f"a refused file wrote to {changed}"
        assert message, "an import error says what is wrong"
        return None
    except Exception:
        ledger.record(server_error=True)
        raise
    ledger.record(valid=True)
    return result


@pytest.fixture
def organisations(db):
    return [OrganisationFactory(ods_code=code, mandated=code in ("RVJ", "RXX")) for code in CODES]


# Two times in three a list as meant (see tests.fuzz.strategies.submissions), else anything.
mandated_lists = st.one_of(listed_files(), listed_files(), mandated_files())


@budget
@given(file=mandated_lists)
def test_a_generated_mandated_list(organisations, file):
    with example():
        summary = _imported_or_refused(lambda: import_mandated_list(file=file, auditor=Auditor.system("fuzz")))
        if summary is not None:
            codes = read_mandated_codes(file)
            mandated = set(Organisation.objects.filter(mandated=True).values_list("ods_code", flat=True))
            assert mandated == set(codes) & set(CODES)
            assert summary.unmatched == [code for code in codes if code not in CODES]  # type: ignore[attr-defined]


ods_cells = st.one_of(code_cells, nasty_text.map(lambda text: text[:250]), st.just(""), st.just("20200401"))


@st.composite
def extract_rows(draw, kind: str, *, damaged: bool = True) -> list[str]:
    """A row of an ODS extract as NHS Digital publishes it, sometimes (if `damaged`) with one cell replaced by
    anything."""
    code = draw(st.from_regex(r"[A-Z0-9]{3,5}", fullmatch=True))
    name = draw(plain_text).strip()[:200] or "A TRUST"
    subtype = {"ect.csv": "T", "eccg.csv": "C"}.get(kind, "")
    row = [code, name, "Y56", "QMJ", "1 HIGH STREET", "", "", "LEEDS", "", "LS1 4AP", "20200401", ""]
    row = [*row, "", subtype, *[""] * 13]
    if damaged and draw(st.booleans()):
        row[draw(st.integers(0, 26))] = draw(ods_cells)
    return row


@st.composite
def extracts(draw) -> SourceFile:
    """An ODS extract as NHS Digital publishes it (of trusts, their sites, or sub-ICB locations)."""
    kind = draw(st.sampled_from(["etr.csv", "ect.csv", "eccg.csv"]))
    rows = draw(st.lists(extract_rows(kind, damaged=False), min_size=1, max_size=10, unique_by=lambda row: row[0]))
    return SourceFile(name=kind, content=csv_bytes(rows, "utf-8"))


@st.composite
def ods_files(draw) -> SourceFile:
    kind = draw(st.sampled_from(["etr.csv", "ect.csv", "eccg.csv", "csu.csv", "lookup.csv", "other.csv"]))
    if kind == "csu.csv":
        rows = [
            ["Code", "Organisation Name"],
            *draw(st.lists(st.lists(ods_cells, min_size=2, max_size=3), max_size=10)),
        ]
    elif kind == "lookup.csv":
        header = ["SICBL23CDH", "ICB23CDH", "ICB23NM", "NHSER23CD", "NHSER23CDH", "NHSER23NM"]
        rows = [header, *draw(st.lists(st.lists(ods_cells, min_size=6, max_size=6), max_size=10))]
    elif kind == "other.csv":
        width = draw(st.sampled_from([27, 26, 3]))
        rows = draw(st.lists(st.lists(ods_cells, min_size=width, max_size=width), min_size=1, max_size=10))
    else:
        rows = draw(st.lists(extract_rows(kind), min_size=1, max_size=10))
    return SourceFile(name=kind, content=csv_bytes(rows, draw(st.sampled_from(["utf-8", "utf-8", "cp1252"]))))


# Two times in three a file as meant (see tests.fuzz.strategies.submissions), else anything.
good_extracts = st.lists(extracts(), min_size=1, max_size=2, unique_by=lambda file: file.name)
extract_files = st.one_of(good_extracts, good_extracts, st.lists(ods_files(), min_size=1, max_size=2))


@budget
@given(files=extract_files)
def test_generated_ods_files(organisations, files):
    with example():
        summary = _imported_or_refused(lambda: import_ods_files(files=files, auditor=Auditor.system("fuzz")))
        if summary is not None:
            assert len(summary.files) == len(files)  # type: ignore[attr-defined]


@budget
@given(file=mandated_lists)
def test_uploading_a_mandated_list(organisations, as_csoc, file):
    upload = SimpleUploadedFile(file.name, file.content)
    with example():
        outcome = submit(as_csoc, "/organisations/import/", {"upload": "mandated", "mandated_list": upload})
        if outcome.valid:
            assert f"{file.name} lists" in page_text(as_csoc.get(outcome.location))


@budget
@given(files=extract_files)
def test_uploading_ods_files(organisations, as_csoc, files):
    uploads = [SimpleUploadedFile(file.name, file.content) for file in files]
    with example():
        outcome = submit(as_csoc, "/organisations/import/", {"upload": "ods", "ods_files": uploads})
        if outcome.valid:
            assert "created" in page_text(as_csoc.get(outcome.location))
