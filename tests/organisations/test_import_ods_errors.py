"""Bad input: a specific error naming the file (and line), and nothing written."""

import pytest
from django.core.management import CommandError, call_command

from tests.factories import OrganisationFactory
from tests.organisations.conftest import ODS_DIR, database_state, ods_file, ods_line

pytestmark = pytest.mark.django_db

GOOD = ods_line("RAA", "ALPHA NHS TRUST")
LOOKUP_HEADER = "SICBL23CD,SICBL23CDH,SICBL23NM,ICB23CD,ICB23CDH,ICB23NM,NHSER23CD,NHSER23CDH,NHSER23NM,ObjectId\n"
LOOKUP_ROW = "E38000256,W2U3Z,NHS North West London ICB - W2U3Z,E54000027,QRV,NHS NWL ICB,E40000003,Y56,London,1\n"

BAD_FILES = [
    pytest.param(
        "etr.csv",
        ods_file(GOOD, ods_line("RBB", "BETA NHS TRUST", columns=26)),
        "etr.csv, line 2: expected 27 columns, found 26",
        id="too-few-columns",
    ),
    pytest.param(
        "etr.csv",
        ods_file(GOOD, ods_line("RBB", "BETA NHS TRUST", columns=28)),
        "etr.csv, line 2: expected 27 columns, found 28",
        id="too-many-columns",
    ),
    pytest.param(
        "etr.csv",
        ods_file(GOOD, ods_line("RBB", "BETA", open_date="2023-13-01")),
        "etr.csv, line 2: open date '2023-13-01' is not a date in the form YYYYMMDD",
        id="date-with-dashes",
    ),
    pytest.param(
        "etr.csv",
        ods_file(ods_line("RBB", "BETA", open_date="20231301")),
        "etr.csv, line 1: open date '20231301' is not a date in the form YYYYMMDD",
        id="no-such-month",
    ),
    pytest.param(
        "etr.csv",
        ods_file(GOOD, GOOD.replace("RAA", "RCC"), ods_line("RBB", "BETA", close_date="31/03/2023")),
        "etr.csv, line 3: close date '31/03/2023' is not a date in the form YYYYMMDD",
        id="bad-close-date",
    ),
    pytest.param(
        "etr.csv",
        ods_file(GOOD, ods_line("", "NO CODE NHS TRUST")),
        "etr.csv, line 2: the organisation code is empty",
        id="empty-code",
    ),
    pytest.param(
        "etr.csv",
        ods_file(ods_line("R-1", "DASH NHS TRUST")),
        "etr.csv, line 1: organisation code 'R-1' must be 1 to 10 letters and digits only",
        id="code-not-alphanumeric",
    ),
    pytest.param(
        "etr.csv",
        ods_file(GOOD, ods_line("RAA", "ALPHA AGAIN")),
        "etr.csv, line 2: organisation code RAA is listed twice (also on line 1)",
        id="code-twice",
    ),
    pytest.param(
        "etr.csv", ods_file(ods_line("RBB", "")), "etr.csv, line 1: the name of RBB is empty", id="empty-name"
    ),
    pytest.param(
        "etr.csv",
        ods_file(ods_line("RBB", "BETA", postcode="NOT A REAL POSTCODE")),
        "etr.csv, line 1: the postcode is longer than 10 characters",
        id="postcode-too-long",
    ),
    pytest.param("etr.csv", b"", "etr.csv is empty", id="empty-file"),
    pytest.param("etr.csv", b"\n  \n", "etr.csv is empty", id="blank-lines-only"),
    pytest.param(
        "etr.csv",
        ods_file(GOOD).encode() + ods_file(ods_line("RBB", "CAF\xc9 NHS TRUST")).encode("latin-1"),
        "etr.csv, line 2: the file is not UTF-8 text (byte 0xC9 cannot be read)",
        id="not-utf-8",
    ),
    pytest.param(
        "etr.csv",
        ods_file(GOOD, '"RBB","' + "A" * 200_000 + '"'),
        "etr.csv, line 2: a cell is longer than 131,072 characters",
        id="cell-too-long",
    ),
    pytest.param(
        "organisations.csv",
        "name,address\nAlpha,1 High Street\n",
        "organisations.csv, line 1: unknown file layout",
        id="unknown-layout",
    ),
    pytest.param(
        "etr.xlsx", (ODS_DIR / "csus-2021.xlsx").read_bytes(), "etr.xlsx is a spreadsheet, not a CSV file", id="xlsx"
    ),
    pytest.param(
        "etr.csv",
        ods_file(ods_line("TAB", "CARE TRUST", subtype="T")),
        "etr.csv is named as an etr extract but its organisation sub-types (column 14) are those of an ect extract",
        id="name-and-content-disagree",
    ),
    pytest.param(
        "extract.csv",
        ods_file(ods_line("TAB", "CARE TRUST", subtype="T"), ods_line("RBB", "BETA")),
        "extract.csv: cannot tell which ODS extract this is from its name or content",
        id="extract-type-unknown",
    ),
    pytest.param(
        "lookup.csv",
        "\ufeffSICBL23CDH,ICB23CDH,ICB23NM\nW2U3Z,QRV,NHS NWL ICB\n",
        "lookup.csv, line 1: the lookup has no column NHSERyyCD, NHSERyyCDH, NHSERyyNM (yy is the year)",
        id="lookup-missing-columns",
    ),
    pytest.param("lookup.csv", LOOKUP_HEADER, "lookup.csv has a header row but no data", id="lookup-header-only"),
    pytest.param(
        "lookup.csv",
        LOOKUP_HEADER + LOOKUP_ROW + LOOKUP_ROW.replace("W2U3Z", "93C").replace(",1\n", "\n"),
        "lookup.csv, line 3: expected 10 columns, found 9",
        id="lookup-short-row",
    ),
    pytest.param(
        "lookup.csv",
        LOOKUP_HEADER + LOOKUP_ROW + LOOKUP_ROW.replace("W2U3Z", "93C").replace("NHS NWL ICB", "ANOTHER NAME"),
        "lookup.csv, line 3: ICB QRV has a different name or region on line 2",
        id="lookup-icb-inconsistent",
    ),
    pytest.param(
        "lookup.csv",
        LOOKUP_HEADER + LOOKUP_ROW.replace("W2U3Z", "W2 U3Z"),
        "lookup.csv, line 2: sub-ICB location code 'W2 U3Z' must be 1 to 10 letters and digits only",
        id="lookup-bad-code",
    ),
    pytest.param(
        "csus.csv",
        "Code,Organisation Name,Status\n0AR,NHS NORTH OF ENGLAND CSU,x\n,NO CODE CSU,x\n",
        "csus.csv, line 3: the organisation code is empty",
        id="csu-empty-code",
    ),
    pytest.param("csus.csv", "Code,Organisation Name\n", "csus.csv has a header row but no data", id="csu-header-only"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_bad_input_is_refused_with_a_specific_error_and_nothing_written(write_file, name, content, message):
    OrganisationFactory(ods_code="RZZ", name="EXISTING NHS TRUST")
    good = write_file("etr-good.csv", ods_file(ods_line("RYY", "ANOTHER NHS TRUST")))
    bad = write_file(name, content)
    before = database_state()
    with pytest.raises(CommandError) as error:
        call_command("import_ods", str(good), str(bad))
    assert message in str(error.value)
    assert str(error.value).endswith("Nothing was imported.")
    assert database_state() == before


def test_an_organisation_in_two_files_is_refused(write_file):
    first = write_file("etr.csv", ods_file(GOOD))
    second = write_file("ect.csv", ods_file(ods_line("RAA", "ALPHA CARE TRUST", subtype="T")))
    before = database_state()
    with pytest.raises(CommandError, match=r"ect.csv, line 1: organisation code RAA is also in etr.csv \(line 1\)"):
        call_command("import_ods", str(first), str(second))
    assert database_state() == before


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match=r"no-such\.csv: no such file"):
        call_command("import_ods", str(tmp_path / "no-such.csv"))
    assert database_state() == ([], [], 0)
