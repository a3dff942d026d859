"""Importing the list of organisations that must respond to high-severity alerts (XLSX or CSV).

The list is the full list: organisations it names become mandated, and all others stop being mandated.
"""

import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from respond.core.audit import Auditor
from respond.organisations.models import Organisation
from respond.organisations.source_files import (
    OLE_SIGNATURE,
    ZIP_SIGNATURE,
    ImportFileError,
    SourceFile,
    is_ods_code,
    normalise_code,
)

HEADER_SEARCH_ROWS = 20
# Far more than there are NHS organisations: a longer list is the wrong file.
MAX_ROWS = 100_000
# The most text a spreadsheet cell holds (Excel's limit).
CELL_LIMIT = 32_767
CODE_HEADERS = {"code", "ods code", "organisation code", "organization code", "org code"}


@dataclass
class MandatedSummary:
    file_name: str
    listed: int
    newly_mandated: int
    still_mandated: int
    no_longer_mandated: int
    unmatched: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        lines = [
            f"{self.file_name}: {self.listed} organisations listed",
            f"  {self.newly_mandated} now must respond, {self.still_mandated} already had to",
            f"  {self.no_longer_mandated} not on the list, so no longer have to respond",
        ]
        if self.unmatched:
            lines.append(f"  {len(self.unmatched)} codes match no organisation: {', '.join(self.unmatched)}")
        return lines


@transaction.atomic
def import_mandated_list(*, file: SourceFile, auditor: Auditor) -> MandatedSummary:
    codes = read_mandated_codes(file)
    listed = Organisation.objects.filter(ods_code__in=codes)
    matched_codes = set(listed.values_list("ods_code", flat=True))
    still_mandated = listed.filter(mandated=True).count()
    now = timezone.now()
    newly_mandated = listed.filter(mandated=False).update(mandated=True, updated_at=now)
    unlisted = Organisation.objects.filter(mandated=True).exclude(ods_code__in=codes)
    no_longer_mandated = unlisted.update(mandated=False, updated_at=now)
    summary = MandatedSummary(
        file_name=file.name,
        listed=len(codes),
        newly_mandated=newly_mandated,
        still_mandated=still_mandated,
        no_longer_mandated=no_longer_mandated,
        unmatched=[code for code in codes if code not in matched_codes],
    )
    auditor.log(
        "organisations.mandated_list_imported",
        object_type="organisations.Organisation",
        object_repr=file.name,
        after=summary.as_dict(),
    )
    return summary


def read_mandated_codes(file: SourceFile) -> list[str]:
    """The organisation codes under the code column, in order, without repeats."""
    if file.is_blank:
        raise ImportFileError(f"{file.name} is empty")
    sheets = _xlsx_sheets(file) if _is_spreadsheet(file) else [(file.where, _csv_rows(file))]
    for where, rows in sheets:
        codes = _codes_under_header(file, where, rows)
        if codes is not None:
            return codes
    raise ImportFileError(
        f"There is no column headed 'Code' or 'ODS code' in the first {HEADER_SEARCH_ROWS} rows of {file.name}"
    )


def _is_spreadsheet(file: SourceFile) -> bool:
    if file.content.startswith(OLE_SIGNATURE):
        raise ImportFileError(f"{file.name} is an old-style Excel file (.xls): save it as .xlsx or CSV and try again")
    return file.content.startswith(ZIP_SIGNATURE) or file.name.lower().endswith((".xlsx", ".xlsm"))


def _csv_rows(file: SourceFile) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for line, row in file.csv_rows():
        yield line, tuple(row)


Where = Callable[[int], str]
Rows = Iterable[tuple[int, tuple[Any, ...]]]


def _xlsx_sheets(file: SourceFile) -> list[tuple[Where, Rows]]:
    """Each sheet's rows, numbered as the spreadsheet numbers them. Formulas are read as formulas (not their
    last calculated values, which a file may not hold), so that they can be refused."""
    from openpyxl import load_workbook

    # openpyxl raises many different errors for damaged files (zip, XML, key and value errors).
    try:
        workbook = load_workbook(io.BytesIO(file.content), read_only=True, data_only=False)
        try:
            return [
                (
                    partial(_sheet_row, file.name, sheet.title),
                    _numbered(file, sheet.title, sheet.iter_rows(values_only=True)),
                )
                for sheet in workbook.worksheets
            ]
        finally:
            workbook.close()
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(
            f"{file.name} cannot be read as an Excel spreadsheet (.xlsx): it may be damaged"
        ) from None


def _sheet_row(name: str, title: str, row: int) -> str:
    return f"{name}, sheet '{title}', row {row}"


def _numbered(file: SourceFile, title: str, rows: Iterable[tuple[Any, ...]]) -> list[tuple[int, tuple[Any, ...]]]:
    """The sheet's rows, read at once (the workbook closes after), stopping at the first that is too long."""
    numbered = []
    for number, row in enumerate(rows, start=1):
        for cell in row:
            if isinstance(cell, str) and len(cell) > CELL_LIMIT:
                raise ImportFileError(
                    f"{_sheet_row(file.name, title, number)}: a cell is longer than {CELL_LIMIT:,} characters, "
                    "more than a spreadsheet cell holds"
                )
        numbered.append((number, row))
        if len(numbered) > MAX_ROWS + HEADER_SEARCH_ROWS:
            break  # _codes_under_header names the row past the limit
    return numbered


def _codes_under_header(file: SourceFile, where: Where, rows: Rows) -> list[str] | None:
    column: int | None = None
    codes: dict[str, None] = {}
    listed = 0
    for index, (line, row) in enumerate(rows):
        if column is None:
            if index >= HEADER_SEARCH_ROWS:
                return None
            column = _code_column(where(line), row)
            continue
        value = row[column] if column < len(row) else None
        if value is None or not str(value).strip():
            continue
        listed += 1
        if listed > MAX_ROWS:
            raise ImportFileError(f"{where(line)}: the list is longer than {MAX_ROWS:,} organisations")
        codes[_code(where(line), value)] = None
    if column is None:
        return None
    if not codes:
        raise ImportFileError(f"{file.name} has a code column but no organisation codes under it")
    return list(codes)


def _code_column(where: str, row: tuple[Any, ...]) -> int | None:
    """The position of the code column in a header row, if it is one; two code columns are an error."""
    found = [number for number, cell in enumerate(row) if _is_code_header(cell)]
    if len(found) > 1:
        columns = " and ".join(str(number + 1) for number in found)
        raise ImportFileError(f"{where}: columns {columns} are both headed as the code column: keep one")
    return found[0] if found else None


def _code(where: str, value: Any) -> str:
    code = normalise_code(value)
    if is_ods_code(code):
        return code
    if isinstance(value, str) and value.startswith("="):
        raise ImportFileError(f"{where}: the code is a formula ({_shortened(value)}): type the code itself")
    raise ImportFileError(
        f"{where}: {_shortened(str(value))!r} is not an ODS code (1 to 10 letters and digits, like R0A)"
    )


def _shortened(value: str, limit: int = 30) -> str:
    value = value.strip()
    return value if len(value) <= limit else value[:limit] + "…"


def _is_code_header(cell: Any) -> bool:
    return isinstance(cell, str) and re.sub(r"\s+", " ", cell).strip().lower() in CODE_HEADERS
