"""Writes data/demo/mandated-organisations.xlsx from the shipped ODS files: every active NHS Trust,
Foundation Trust, Care Trust, ICB, sub-ICB location and CSU, laid out like a published list.

Run from the project root: .venv/bin/python scripts/make_demo_mandated_list.py
"""

import os
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Font  # noqa: E402

from respond.organisations.ods_files import parse_file  # noqa: E402
from respond.organisations.source_files import SourceFile  # noqa: E402

SOURCES = ["etr.csv", "ect.csv", "eccg.csv", "sub-icb-to-icb-to-region-2023.csv", "csu-list-2023.csv"]
# The list as published on a fixed date: organisations closed by then are left out.
AS_AT = datetime(2023, 11, 1)
TARGET = ROOT / "data" / "demo" / "mandated-organisations.xlsx"


def main() -> None:
    rows = []
    for name in SOURCES:
        parsed = parse_file(SourceFile.from_path(ROOT / "data" / "ods" / name))
        for row in parsed.organisations:
            details = row.details
            if details is None or details.close_date is None or details.close_date > AS_AT.date():
                rows.append((row.ods_code, row.name, row.organisation_type.label))
    rows.sort(key=lambda row: (row[2], row[1]))

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Mandated organisations"
    sheet.append(["Organisations that must respond to high-severity cyber alerts, as at 1 November 2023"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(["Organisation Code", "Organisation Name", "Organisation Type"])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column, width in zip("ABC", (20, 70, 30), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A4"
    workbook.properties.creator = "NHS England Cyber Security Operations Centre"
    workbook.properties.created = workbook.properties.modified = AS_AT
    workbook.save(TARGET)
    print(f"Wrote {len(rows)} organisations to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
