"""Hand-broken files, as people really send them: each is refused with an error that says where, and nothing is
written."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from respond.core.audit import Auditor
from respond.organisations.importers import import_ods_files
from respond.organisations.mandated import import_mandated_list
from respond.organisations.source_files import ImportFileError, SourceFile
from tests.factories import OrganisationFactory
from tests.organisations.conftest import database_state, ods_file, ods_line

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list], *, formulas: dict[str, str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "List"
    for row in rows:
        sheet.append(row)
    for cell, formula in (formulas or {}).items():
        sheet[cell] = formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_long_cell(content: bytes, placeholder: str, length: int) -> bytes:
    """The workbook with the placeholder's text made `length` characters long: openpyxl cuts what it writes to
    a spreadsheet cell's limit, as Excel does, but other programs write longer cells."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for item in source.infolist():
            package.writestr(item, source.read(item.filename).replace(placeholder.encode(), b"x" * length))
    return out.getvalue()


@pytest.fixture
def organisations(db):
    return [OrganisationFactory(ods_code=code, mandated=code == "RVJ") for code in ("R0A", "RVJ", "QRV")]


def _refused(import_file, file: SourceFile, message: str) -> None:
    before = database_state()
    with pytest.raises(ImportFileError) as error:
        import_file(file)
    assert message in str(error.value)
    assert database_state() == before


def mandated(file: SourceFile):
    return import_mandated_list(file=file, auditor=Auditor.system("test"))


def ods(file: SourceFile):
    return import_ods_files(files=[file], auditor=Auditor.system("test"))


GOOD_LIST = xlsx([["ODS code", "Name"], ["R0A", "Manchester"], ["RVJ", "North Bristol"]])
MANDATED_FILES = [
    pytest.param(
        "list.xlsx",
        GOOD_LIST[: len(GOOD_LIST) // 2],
        "list.xlsx cannot be read as an Excel spreadsheet (.xlsx): it may be damaged",
        id="truncated-zip",
    ),
    pytest.param(
        "list.xlsx",
        zipfile.ZipFile(io.BytesIO(GOOD_LIST)).read("[Content_Types].xml"),
        "list.xlsx cannot be read as an Excel spreadsheet (.xlsx): it may be damaged",
        id="a-part-of-the-zip-only",
    ),
    pytest.param(
        "list.csv",
        "Code,Name\r\nR0A,Manchester\r\n".encode("utf-16"),
        "list.csv, line 1: the file is not UTF-8 text (byte 0xFF cannot be read)",
        id="utf-16",
    ),
    pytest.param(
        "list.csv",
        "Code,Name\nR0A,Manchester\nRVJ,Bristol Caf\xe9\n".encode("cp1252"),
        "list.csv, line 3: the file is not UTF-8 text (byte 0xE9 cannot be read)",
        id="windows-1252",
    ),
    pytest.param(
        "list.csv",
        ("Note\n" * 39 + "Code\nR0A\n").encode(),
        "There is no column headed 'Code' or 'ODS code' in the first 20 rows of list.csv",
        id="csv-header-on-row-40",
    ),
    pytest.param(
        "list.xlsx",
        xlsx([*([f"Note {n}"] for n in range(39)), ["Code"], ["R0A"]]),
        "There is no column headed 'Code' or 'ODS code' in the first 20 rows of list.xlsx",
        id="xlsx-header-on-row-40",
    ),
    pytest.param(
        "list.csv",
        b"Code,Name,ODS code\nR0A,Manchester,RVJ\n",
        "list.csv, line 1: columns 1 and 3 are both headed as the code column: keep one",
        id="csv-duplicated-columns",
    ),
    pytest.param(
        "list.xlsx",
        xlsx([["Title"], ["Code", "Code"], ["R0A", "RVJ"]]),
        "list.xlsx, sheet 'List', row 2: columns 1 and 2 are both headed as the code column: keep one",
        id="xlsx-duplicated-columns",
    ),
    pytest.param(
        "list.csv",
        ("Code\n" + "R0A\n" * 200_000).encode(),
        "list.csv, line 100002: the list is longer than 100,000 organisations",
        id="csv-200000-rows",
    ),
    pytest.param(
        "list.csv",
        ("Code,Notes\nR0A," + "x" * 1_000_000 + "\n").encode(),
        "list.csv, line 2: a cell is longer than 131,072 characters",
        id="csv-cell-of-1-mb",
    ),
    pytest.param(
        "list.xlsx",
        with_long_cell(xlsx([["Code", "Notes"], ["R0A", "LONG"]]), "LONG", 1_000_000),
        "list.xlsx, sheet 'List', row 2: a cell is longer than 32,767 characters",
        id="xlsx-cell-of-1-mb",
    ),
    pytest.param(
        "list.xlsx",
        xlsx([["Code"], ["R0A"], [None]], formulas={"A3": '=CONCAT("R","VJ")'}),
        """list.xlsx, sheet 'List', row 3: the code is a formula (=CONCAT("R","VJ")): type the code itself""",
        id="xlsx-formula",
    ),
    pytest.param(
        "list.csv",
        b'Code\nR0A\n"=HYPERLINK(""https://example.com"",""RVJ"")"\n',
        'list.csv, line 3: the code is a formula (=HYPERLINK("https://example.co…): type the code itself',
        id="csv-formula",
    ),
    pytest.param(
        "list.csv",
        b"Code\nR0A\nRV\x00J\n",
        "list.csv, line 3: the file holds a control character (0x00), which is not text",
        id="csv-nul",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), MANDATED_FILES)
def test_a_broken_mandated_list_is_refused(organisations, name, content, message):
    _refused(mandated, SourceFile(name=name, content=content), message)


GOOD = ods_line("RAA", "ALPHA NHS TRUST")
LOOKUP_HEADER = "SICBL23CD,SICBL23CDH,SICBL23NM,ICB23CD,ICB23CDH,ICB23NM,NHSER23CD,NHSER23CDH,NHSER23NM"
ODS_FILES = [
    pytest.param(
        "etr.csv",
        ods_file(GOOD, ods_line("RBB", "BETA\x00 NHS TRUST")).encode(),
        "etr.csv, line 2: the file holds a control character (0x00)",
        id="nul-in-a-name",
    ),
    pytest.param(
        "etr.csv",
        (ods_file(GOOD) * 200_000).encode(),
        "etr.csv, line 100001: the file has more than 100,000 rows",
        id="200000-rows",
    ),
    pytest.param(
        "lookup.csv",
        f"{LOOKUP_HEADER},ICB23CDH\n".encode(),
        "lookup.csv, line 1: columns 5 and 10 are both headed ICByyCDH: keep one",
        id="duplicated-columns",
    ),
    pytest.param(
        "etr.csv",
        ods_file(GOOD, ods_line("RBB", "B" * 1_000_000)).encode(),
        "etr.csv, line 2: a cell is longer than 131,072 characters",
        id="cell-of-1-mb",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), ODS_FILES)
def test_a_broken_ods_file_is_refused(organisations, name, content, message):
    _refused(ods, SourceFile(name=name, content=content), message)
