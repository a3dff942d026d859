"""Tables written as CSV or XLSX, a chunk of rows at a time, so memory stays flat however many rows there are.

Cells arrive already formatted (see respond.exports.cells): strings and numbers only, "" for nothing. Long exports
on PostgreSQL are formatted by the database instead (respond.exports.database).
"""

import csv
import io
import tempfile
from collections.abc import Iterator
from typing import IO, Literal
from xml.sax.saxutils import escape

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from respond.exports import database
from respond.exports.table import Table

Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_headers(table: Table) -> bytes:
    buffer = io.StringIO()
    # A byte order mark, so that Excel reads the file as UTF-8.
    buffer.write("\ufeff")
    csv.writer(buffer).writerow(table.headers)
    return buffer.getvalue().encode()


def _csv_chunks(table: Table) -> Iterator[bytes]:
    yield _csv_headers(table)
    if database.in_use(table):
        assert table.database is not None
        yield from database.csv_rows(table.database)
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for rows in table.chunks:
        writer.writerows(rows)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


def write_xlsx(table: Table, file: IO[bytes]) -> None:
    """Writes the table as a workbook of one sheet. In constant-memory mode xlsxwriter flushes each row to a
    temporary file as soon as the next one starts, so rows must be written in order, once."""
    if database.in_use(table):
        assert table.database is not None
        database.write_xlsx(table, table.database, file)
        return
    workbook = xlsxwriter.Workbook(file, {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(table.name[:31])
    sheet.set_column(0, len(table.headers) - 1, 18)
    for column in table.wide_columns:
        sheet.set_column(column, column, 40)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, table.headers, workbook.add_format({"bold": True}))
    write_string, write_number = sheet.write_string, sheet.write_number
    row_number = 0
    for rows in table.chunks:
        for row in rows:
            row_number += 1
            for column, value in enumerate(row):
                # Empty cells are skipped, and each type written directly: write_row's dispatch is slower.
                if type(value) is str:
                    if value:
                        write_string(row_number, column, _as_typed(value) if value.startswith("<r>") else value)
                else:
                    write_number(row_number, column, value)
    workbook.close()


def _as_typed(value: str) -> str:
    """xlsxwriter copies a string that starts with <r> and ends with </r> into the sheet as it is, taking it for
    rich-text XML: typed text like that would be lost, or break the file. It goes in a text run of its own,
    escaped, so that it reads back as typed."""
    if not value.endswith("</r>"):
        return value
    return f'<r><t xml:space="preserve">{escape(value)}</t></r>'


def _attachment(response: StreamingHttpResponse, name: str, extension: str) -> StreamingHttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response


def download(table: Table, fmt: Format) -> StreamingHttpResponse:
    """A CSV streams while it is read from the database. A workbook is a zip file whose index comes last, so it
    is written to an anonymous temporary file (removed when the response closes it) and then sent."""
    if fmt == "csv":
        return _attachment(StreamingHttpResponse(_csv_chunks(table), content_type=CSV_TYPE), table.name, "csv")
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it, which deletes it
    try:
        write_xlsx(table, file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    response = FileResponse(file, content_type=XLSX_TYPE)
    return _attachment(response, table.name, "xlsx")
