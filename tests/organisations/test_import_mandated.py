import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from respond.core.audit import Auditor
from respond.core.models import AuditLog
from respond.organisations.mandated import import_mandated_list
from respond.organisations.models import Organisation
from respond.organisations.source_files import SourceFile
from tests.factories import OrganisationFactory
from tests.organisations.conftest import ODS_DIR, TEST_DATA, database_state

pytestmark = pytest.mark.django_db

DEMO_LIST = ODS_DIR.parent / "demo" / "mandated-organisations.xlsx"


def xlsx(*sheets: list[list]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for number, rows in enumerate(sheets):
        sheet = workbook.create_sheet(f"Sheet {number + 1}")
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def organisations(db):
    return {
        code: OrganisationFactory(ods_code=code, mandated=mandated)
        for code, mandated in (("R0A", False), ("RVJ", True), ("QRV", False), ("0AR", False), ("RXX", True))
    }


def mandated_codes() -> set[str]:
    return set(Organisation.objects.filter(mandated=True).values_list("ods_code", flat=True))


def test_an_xlsx_list_with_its_header_below_a_title(organisations):
    content = xlsx(
        [
            ["Organisations that must respond to high-severity cyber alerts"],
            [],
            ["Organisation Name", "  ORGANISATION   code ", "Type"],
            ["Manchester", "R0A", "Foundation Trust"],
            ["North Bristol", "rvj ", "NHS Trust"],
            [None, None, None],
            ["Nowhere", "ZZZ99", "NHS Trust"],
        ]
    )
    summary = import_mandated_list(file=SourceFile(name="list.xlsx", content=content), auditor=Auditor.system("test"))
    assert mandated_codes() == {"R0A", "RVJ"}
    assert (summary.listed, summary.newly_mandated, summary.still_mandated, summary.no_longer_mandated) == (3, 1, 1, 1)
    assert summary.unmatched == ["ZZZ99"]


def test_the_list_may_be_on_a_later_sheet(organisations):
    content = xlsx([["About this list"], ["Published by NHS England"]], [["ODS code"], ["QRV"], ["0AR"]])
    import_mandated_list(file=SourceFile(name="list.xlsx", content=content), auditor=Auditor.system("test"))
    assert mandated_codes() == {"QRV", "0AR"}


def test_a_csv_list(organisations):
    summary = import_mandated_list(
        file=SourceFile.from_path(TEST_DATA / "mandated-small.csv"), auditor=Auditor.system("test")
    )
    assert mandated_codes() == {"R0A", "RVJ", "QRV", "0AR"}
    assert (summary.listed, summary.newly_mandated, summary.still_mandated, summary.no_longer_mandated) == (5, 3, 1, 1)
    assert summary.unmatched == ["ZZZ99"]


def test_the_published_csu_spreadsheet_with_an_ods_code_column(organisations):
    OrganisationFactory(ods_code="0CX", mandated=False)
    summary = import_mandated_list(
        file=SourceFile.from_path(ODS_DIR / "csus-2021.xlsx"), auditor=Auditor.system("test")
    )
    assert mandated_codes() == {"0AR", "0CX"}
    assert summary.listed == 5
    assert sorted(summary.unmatched) == ["0DE", "0DF", "0DJ"]


def test_the_demo_list_covers_every_open_organisation_in_the_shipped_data(imported_shipped_files):
    summary = import_mandated_list(file=SourceFile.from_path(DEMO_LIST), auditor=Auditor.system("test"))
    assert summary.listed == 366
    assert summary.unmatched == []
    assert not Organisation.objects.filter(active=True, mandated=False).exists()
    assert set(Organisation.objects.filter(active=False).values_list("ods_code", "mandated")) == {
        ("RA4", False),
        ("RVY", False),
    }


def test_the_import_writes_one_audit_entry(organisations):
    import_mandated_list(file=SourceFile.from_path(TEST_DATA / "mandated-small.csv"), auditor=Auditor.system("x"))
    entry = AuditLog.objects.get()
    assert entry.action == "organisations.mandated_list_imported"
    assert entry.after["unmatched"] == ["ZZZ99"]
    assert entry.after["newly_mandated"] == 3


def test_the_command_reports_the_changes_and_unmatched_codes(organisations, capsys):
    call_command("import_mandated", str(TEST_DATA / "mandated-small.csv"))
    output = capsys.readouterr().out
    assert "mandated-small.csv: 5 organisations listed" in output
    assert "3 now must respond, 1 already had to" in output
    assert "1 not on the list, so no longer have to respond" in output
    assert "1 codes match no organisation: ZZZ99" in output
    assert AuditLog.objects.get().actor_label == "system: import_mandated"


def _header_too_low() -> bytes:
    return xlsx([*([f"Note {n}"] for n in range(20)), ["Code"], ["R0A"]])


def _truncated_xlsx() -> bytes:
    return DEMO_LIST.read_bytes()[:2000]


BAD_LISTS = [
    pytest.param(
        "list.csv",
        "Organisation,Type\nR0A,Trust\n",
        "There is no column headed 'Code' or 'ODS code' in the first 20 rows of list.csv",
        id="no-code-column",
    ),
    pytest.param(
        "list.xlsx",
        _header_too_low(),
        "There is no column headed 'Code' or 'ODS code' in the first 20 rows of list.xlsx",
        id="header-after-row-20",
    ),
    pytest.param("list.csv", b"", "list.csv is empty", id="empty-csv"),
    pytest.param("list.xlsx", b"", "list.xlsx is empty", id="empty-xlsx"),
    pytest.param(
        "list.xlsx",
        _truncated_xlsx(),
        "list.xlsx cannot be read as an Excel spreadsheet (.xlsx): it may be damaged",
        id="damaged-xlsx",
    ),
    pytest.param(
        "list.xlsx",
        b"this is not a spreadsheet",
        "list.xlsx cannot be read as an Excel spreadsheet (.xlsx): it may be damaged",
        id="not-an-xlsx",
    ),
    pytest.param(
        "list.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        "list.xls is an old-style Excel file (.xls): save it as .xlsx or CSV and try again",
        id="old-xls",
    ),
    pytest.param(
        "list.csv",
        b"Code\nR0A\n" + "CAF\xc9\n".encode("latin-1"),
        "list.csv, line 3: the file is not UTF-8 text (byte 0xC9 cannot be read)",
        id="not-utf-8",
    ),
    pytest.param(
        "list.csv",
        "Title\n\nCode,Name\n",
        "list.csv has a code column but no organisation codes under it",
        id="no-codes",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_LISTS)
def test_a_bad_list_is_refused_with_a_specific_error_and_nothing_changed(
    organisations, write_file, name, content, message
):
    path = write_file(name, content)
    before = database_state()
    with pytest.raises(CommandError) as error:
        call_command("import_mandated", str(path))
    assert message in str(error.value)
    assert str(error.value).endswith("Nothing was changed.")
    assert database_state() == before
