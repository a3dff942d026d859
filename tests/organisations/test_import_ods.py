import csv
from datetime import date

import pytest
import time_machine
from django.core.management import call_command

from respond.core.audit import Auditor
from respond.core.models import AuditLog
from respond.organisations.importers import import_ods_files
from respond.organisations.models import Organisation, OrganisationType, Region
from respond.organisations.source_files import SourceFile
from tests.factories import OrganisationFactory, member
from tests.organisations.conftest import ODS_DIR, database_state, ods_file, ods_line, shipped

pytestmark = pytest.mark.django_db


def _rows(name: str) -> list[list[str]]:
    with open(ODS_DIR / name, newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_the_shipped_files_have_the_expected_rows():
    etr = _rows("etr.csv")
    assert len(etr) == 211
    assert sum("FOUNDATION TRUST" in row[1] for row in etr) == 140
    assert len(_rows("ect.csv")) == 4
    eccg = _rows("eccg.csv")
    assert len(eccg) == 122
    assert sum(row[13] == "C" for row in eccg) == 106
    assert len(_rows("sub-icb-to-icb-to-region-2023.csv")) == 107  # with its header
    assert len(_rows("csu-list-2023.csv")) == 6


def test_importing_the_shipped_files_creates_every_organisation(imported_shipped_files):
    counts = {kind: Organisation.objects.filter(organisation_type=kind).count() for kind in OrganisationType}
    assert counts == {
        OrganisationType.NHS_TRUST: 71,
        OrganisationType.FOUNDATION_TRUST: 140,
        OrganisationType.CARE_TRUST: 4,
        OrganisationType.ICB: 42,
        OrganisationType.SUB_ICB_LOCATION: 106,
        OrganisationType.CSU: 5,
        OrganisationType.OTHER: 0,
    }
    assert imported_shipped_files.total == {"created": 368, "updated": 0, "closed": 0, "unchanged": 0}
    by_file = {file.name: (file.rows, file.created) for file in imported_shipped_files.files}
    assert by_file == {
        "etr.csv": (211, 211),
        "ect.csv": (4, 4),
        "eccg.csv": (122, 106),
        "sub-icb-to-icb-to-region-2023.csv": (106, 42),
        "csu-list-2023.csv": (5, 5),
    }
    eccg = next(file for file in imported_shipped_files.files if file.name == "eccg.csv")
    assert any("16 rows skipped" in note for note in eccg.notes)
    assert not Organisation.objects.filter(ods_code="13Q").exists()  # a commissioning hub, not a sub-ICB location


def test_a_trust_gets_its_details_region_and_parent_icb(imported_shipped_files):
    trust = Organisation.objects.select_related("region", "parent_icb").get(ods_code="R0A")
    assert trust.name == "MANCHESTER UNIVERSITY NHS FOUNDATION TRUST"
    assert trust.organisation_type == OrganisationType.FOUNDATION_TRUST
    assert trust.address == "COBBETT HOUSE, OXFORD ROAD, MANCHESTER"
    assert trust.postcode == "M13 9WL"
    assert trust.open_date == date(2017, 10, 1)
    assert trust.close_date is None
    assert trust.active
    assert trust.region.code == "Y62"
    assert trust.region.name == "North West"
    assert trust.parent_icb.ods_code == "QOP"
    assert trust.parent_icb.organisation_type == OrganisationType.ICB
    assert Organisation.objects.get(ods_code="RVJ").organisation_type == OrganisationType.NHS_TRUST
    # Care trusts are named "... NHS FOUNDATION TRUST" but come from the care trust extract.
    assert Organisation.objects.get(ods_code="TAD").organisation_type == OrganisationType.CARE_TRUST


def test_the_lookup_gives_icbs_regions_and_links_each_sub_icb_location(imported_shipped_files):
    assert Region.objects.filter(code__startswith="Y").count() == 7
    london = Region.objects.get(code="Y56")
    assert (london.name, london.ons_code) == ("London", "E40000003")
    icb = Organisation.objects.get(ods_code="QRV")
    assert icb.name == "NHS North West London Integrated Care Board"
    assert icb.region == london
    sub_icb = Organisation.objects.select_related("parent_icb", "region").get(ods_code="W2U3Z")
    assert sub_icb.parent_icb == icb
    assert sub_icb.region == london
    assert not Organisation.objects.filter(organisation_type=OrganisationType.SUB_ICB_LOCATION, parent_icb=None)


def test_a_region_not_in_the_lookup_is_named_by_its_code(imported_shipped_files):
    wales = Region.objects.get(code="W00")
    assert wales.name == "W00"
    assert Organisation.objects.get(ods_code="RQF").region == wales
    assert Organisation.objects.get(ods_code="RQF").parent_icb is None  # health geography Q99 is no ICB


def test_the_lookup_imported_later_names_regions_and_links_sub_icb_locations():
    first = import_ods_files(files=shipped("eccg.csv", "etr.csv"), auditor=Auditor.system("test"))
    assert Region.objects.get(code="Y56").name == "Y56"
    assert Organisation.objects.get(ods_code="W2U3Z").parent_icb is None
    assert any("Regions created: Y63" in note for note in first.files[0].notes)

    later = import_ods_files(files=shipped("sub-icb-to-icb-to-region-2023.csv"), auditor=Auditor.system("test"))

    assert (later.files[0].created, later.files[0].updated) == (42, 106)
    assert Region.objects.get(code="Y56").name == "London"
    assert Organisation.objects.get(ods_code="W2U3Z").parent_icb.ods_code == "QRV"
    # Trusts are linked to their ICB when their extract is next imported.
    assert Organisation.objects.get(ods_code="R0A").parent_icb is None
    again = import_ods_files(files=shipped("etr.csv"), auditor=Auditor.system("test"))
    assert Organisation.objects.get(ods_code="R0A").parent_icb.ods_code == "QOP"
    assert again.total["updated"] == 208  # three Welsh trusts have no ICB, so nothing changed for them


def test_a_lookup_without_the_sub_icb_locations_says_so():
    summary = import_ods_files(files=shipped("sub-icb-to-icb-to-region-2023.csv"), auditor=Auditor.system("test"))
    assert summary.total["created"] == 42
    assert any("106 sub-ICB locations in the lookup are not imported yet" in note for note in summary.files[0].notes)


def test_importing_again_changes_nothing(imported_shipped_files):
    before = list(Organisation.objects.order_by("ods_code").values())
    summary = import_ods_files(files=shipped(), auditor=Auditor.system("test"))
    assert summary.total == {"created": 0, "updated": 0, "closed": 0, "unchanged": 368}
    assert all(file.created == file.updated == file.closed == 0 for file in summary.files)
    assert list(Organisation.objects.order_by("ods_code").values()) == before


def test_reimporting_updates_names_and_addresses(write_file):
    OrganisationFactory(ods_code="RAB", name="OLD NAME NHS TRUST", address="OLD ADDRESS", mandated=True)
    path = write_file("etr.csv", ods_file(ods_line("RAB", "NEW NAME NHS FOUNDATION TRUST", postcode="E1 1AA")))
    summary = import_ods_files(files=[SourceFile.from_path(path)], auditor=Auditor.system("test"))
    trust = Organisation.objects.get(ods_code="RAB")
    assert (trust.name, trust.address, trust.postcode) == (
        "NEW NAME NHS FOUNDATION TRUST",
        "1 HIGH STREET, LONDON",
        "E1 1AA",
    )
    assert trust.organisation_type == OrganisationType.FOUNDATION_TRUST
    assert trust.mandated  # the ODS import leaves the mandated list alone
    assert summary.total == {"created": 0, "updated": 1, "closed": 0, "unchanged": 0}


def test_an_organisation_past_its_close_date_is_inactive(imported_shipped_files):
    for code, closed_on in (("RA4", date(2023, 3, 31)), ("RVY", date(2023, 6, 30))):
        trust = Organisation.objects.get(ods_code=code)
        assert not trust.active
        assert trust.close_date == closed_on
    etr = next(file for file in imported_shipped_files.files if file.name == "etr.csv")
    assert any("2 of those created had already closed" in note for note in etr.notes)


def test_an_organisation_closes_when_its_close_date_passes():
    with time_machine.travel(date(2023, 5, 1)):
        import_ods_files(files=shipped("etr.csv"), auditor=Auditor.system("test"))
        assert Organisation.objects.get(ods_code="RVY").active
        assert not Organisation.objects.get(ods_code="RA4").active
    with time_machine.travel(date(2023, 7, 1)):
        summary = import_ods_files(files=shipped("etr.csv"), auditor=Auditor.system("test"))
    assert not Organisation.objects.get(ods_code="RVY").active
    assert summary.total == {"created": 0, "updated": 0, "closed": 1, "unchanged": 210}


def test_an_organisation_missing_from_a_later_full_extract_becomes_inactive_and_keeps_its_history(write_file):
    first = write_file("etr.csv", ods_file(ods_line("RAA", "ALPHA NHS TRUST"), ods_line("RBB", "BETA NHS TRUST")))
    import_ods_files(files=[SourceFile.from_path(first)], auditor=Auditor.system("test"))
    alpha = Organisation.objects.get(ods_code="RAA")
    alice = member(alpha, "administrator", email="alice@alpha.nhs.uk")
    care_trust = OrganisationFactory(ods_code="TAA", organisation_type=OrganisationType.CARE_TRUST)

    later = write_file("etr-later.csv", ods_file(ods_line("RBB", "BETA NHS TRUST")))
    summary = import_ods_files(files=[SourceFile.from_path(later)], auditor=Auditor.system("test"))

    alpha.refresh_from_db()
    assert not alpha.active
    assert alpha.name == "ALPHA NHS TRUST"
    assert alice.memberships.get().organisation == alpha
    assert Organisation.objects.get(ods_code="RBB").active
    care_trust.refresh_from_db()
    assert care_trust.active  # not of a type the NHS Trust extract lists
    assert summary.total == {"created": 0, "updated": 0, "closed": 1, "unchanged": 1}
    assert "NHS Trust: 1 no longer listed, so marked inactive (RAA)" in summary.files[0].notes


def test_an_organisation_listed_again_is_reopened(write_file):
    OrganisationFactory(ods_code="RAA", name="ALPHA NHS TRUST", active=False)
    path = write_file("etr.csv", ods_file(ods_line("RAA", "ALPHA NHS TRUST")))
    summary = import_ods_files(files=[SourceFile.from_path(path)], auditor=Auditor.system("test"))
    assert Organisation.objects.get(ods_code="RAA").active
    assert summary.total["updated"] == 1


def test_the_extract_type_comes_from_the_content_when_the_name_does_not_say(write_file):
    care = write_file("download.csv", ods_file(ods_line("TAB", "CARE NHS FOUNDATION TRUST", subtype="T")))
    sub_icb = write_file(
        "export.csv",
        ods_file(ods_line("00X", "NHS SOMEWHERE ICB - 00X", subtype="C"), ods_line("13Q", "HUB", subtype="H")),
    )
    trusts = write_file("trusts.csv", ods_file(ods_line("rcd", "Some NHS Trust")))
    summary = import_ods_files(
        files=[SourceFile.from_path(p) for p in (care, sub_icb, trusts)], auditor=Auditor.system("t")
    )
    assert [file.description for file in summary.files] == [
        "Care Trusts (ODS extract ect)",
        "Sub-ICB locations (ODS extract eccg)",
        "NHS Trusts (ODS extract etr)",
    ]
    assert Organisation.objects.get(ods_code="TAB").organisation_type == OrganisationType.CARE_TRUST
    assert Organisation.objects.get(ods_code="00X").organisation_type == OrganisationType.SUB_ICB_LOCATION
    assert Organisation.objects.get(ods_code="RCD").organisation_type == OrganisationType.NHS_TRUST  # stored uppercase


def test_the_layout_comes_from_the_content_not_the_name(write_file):
    lookup = write_file("regions.csv", (ODS_DIR / "sub-icb-to-icb-to-region-2023.csv").read_bytes())
    csus = write_file("etr.csv", (ODS_DIR / "csu-list-2023.csv").read_bytes())
    summary = import_ods_files(
        files=[SourceFile.from_path(lookup), SourceFile.from_path(csus)], auditor=Auditor.system("t")
    )
    assert [file.created for file in summary.files] == [42, 5]
    assert Organisation.objects.get(ods_code="0AR").organisation_type == OrganisationType.CSU


def test_an_import_writes_one_audit_entry_with_the_summary(imported_shipped_files):
    entry = AuditLog.objects.get()
    assert entry.action == "organisations.ods_imported"
    assert entry.actor_label == "system: test"
    assert entry.after["total"] == {"created": 368, "updated": 0, "closed": 0, "unchanged": 0}
    assert [file["name"] for file in entry.after["files"]] == [
        "etr.csv",
        "ect.csv",
        "eccg.csv",
        "sub-icb-to-icb-to-region-2023.csv",
        "csu-list-2023.csv",
    ]


def test_the_command_prints_counts_per_file_and_in_total(capsys):
    call_command("import_ods", *(str(ODS_DIR / name) for name in ("etr.csv", "ect.csv")))
    output = capsys.readouterr().out
    assert "etr.csv: NHS Trusts (ODS extract etr), 211 rows\n  211 created, 0 updated, 0 closed, 0 unchanged" in output
    assert "ect.csv: Care Trusts (ODS extract ect), 4 rows\n  4 created, 0 updated, 0 closed, 0 unchanged" in output
    assert "Total: 215 created, 0 updated, 0 closed, 0 unchanged" in output
    assert AuditLog.objects.get().actor_label == "system: import_ods"

    call_command("import_ods", str(ODS_DIR / "etr.csv"))
    assert "Total: 0 created, 0 updated, 0 closed, 211 unchanged" in capsys.readouterr().out


def test_a_failure_while_writing_rolls_back_the_whole_import(monkeypatch):
    before = database_state()

    def fail(self):
        raise RuntimeError("database went away")

    monkeypatch.setattr("respond.organisations.importers._ImportRun._close_unlisted", fail)
    with pytest.raises(RuntimeError):
        import_ods_files(files=shipped(), auditor=Auditor.system("test"))
    assert database_state() == before
