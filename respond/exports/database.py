"""Long exports formatted by PostgreSQL: each row leaves the database as finished CSV (COPY ... FORMAT csv) or as a
worksheet's <row> XML, and Python only copies the bytes on. On other databases (SQLite) exports are formatted in
Python (respond.exports.tables), which stays the reference: tests/exports/test_database_formatted.py checks that
both write the same.

The rows are the scoped queryset's own SQL (`sql_with_params`), so who may see what is decided in one place
(respond.exports.scopes) for both ways.
"""

import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from respond.exports.cells import Column
from respond.exports.table import DatabaseRows, Table

# Off in tests that need the Python way on PostgreSQL.
FORMAT_IN_DATABASE = True
# Bytes gathered from the database before they are passed on.
BLOCK = 256 * 1024
# The longest text a spreadsheet cell holds (as xlsxwriter cuts it).
CELL_MAX = 32767


def in_use(table: Table) -> bool:
    return table.database is not None and FORMAT_IN_DATABASE and connection.vendor == "postgresql"


def _select(rows: DatabaseRows, cell: Callable[[Column, list[str]], str]) -> tuple[list[str], str, Any]:
    """(the cells' SQL, the FROM clause and ORDER BY, the parameters): the scoped queryset's own query, reading
    every source the columns need under an alias, wrapped in a query that formats them. Raises EmptyResultSet for
    a queryset that can have no rows (a person with no organisations)."""
    sources = list(dict.fromkeys([rows.order_by, *(source for column in rows.columns for source in column.sources)]))
    aliases = {source: f"v{number}" for number, source in enumerate(sources)}
    inner = rows.queryset.order_by().values(**{alias: F(source) for source, alias in aliases.items()})
    sql, params = inner.query.sql_with_params()
    cells = [cell(column, [f"q.{aliases[source]}" for source in column.sources]) for column in rows.columns]
    return cells, f"FROM ({sql}) AS q ORDER BY q.{aliases[rows.order_by]}", params


@contextmanager
def _copy(query: str, params: Any) -> Iterator[Iterator[memoryview]]:
    """The rows of COPY (query) TO STDOUT, one row per block (PostgreSQL sends one message per row), with dates
    and times in the service's time zone for as long as it lasts."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('TimeZone'), set_config('TimeZone', %s, true)",
            [timezone.get_default_timezone_name()],
        )
        previous = cursor.fetchone()[0]
        # COPY takes no parameters: they are merged in by the driver, as quoted literals.
        composed = connection.ops.compose_sql(query, params)  # type: ignore[attr-defined]
        with cursor.cursor.copy(composed) as copy:
            yield iter(copy)
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [previous])


def _blocks(rows: Iterator[memoryview], join: Callable[[list[memoryview]], bytes]) -> Iterator[bytes]:
    """Rows gathered into blocks of about BLOCK bytes."""
    gathered: list[memoryview] = []
    size = 0
    for row in rows:
        gathered.append(row)
        size += len(row)
        if size >= BLOCK:
            yield join(gathered)
            gathered.clear()
            size = 0
    if gathered:
        yield join(gathered)


# CSV ---------------------------------------------------------------------------------------------------------------


def _csv_cell(column: Column, values: list[str]) -> str:
    # COPY writes NULL as nothing, but an empty string as "" (as Python's csv module does not).
    return f"NULLIF({column.kind.sql(*values)}, '')"


def _crlf(rows: list[memoryview]) -> bytes:
    # COPY ends rows with \n, Python's csv module (and RFC 4180) with \r\n. A row's own line breaks are quoted
    # inside it: only its last byte is the end of the row.
    return b"\r\n".join(row[:-1] for row in rows) + b"\r\n"


def csv_rows(rows: DatabaseRows) -> Iterator[bytes]:
    """The CSV lines of every row, in blocks (the caller writes the byte order mark and headers)."""
    try:
        cells, source, params = _select(rows, _csv_cell)
    except EmptyResultSet:
        return
    with _copy(f"COPY (SELECT {', '.join(cells)} {source}) TO STDOUT WITH (FORMAT csv)", params) as copied:
        yield from _blocks(copied, _crlf)


# XLSX --------------------------------------------------------------------------------------------------------------

TEXT_CELL = '<c t="inlineStr"><is><t xml:space="preserve">'
SAFE_CELL = '<c t="inlineStr"><is><t>'
# xlsxwriter's escapes, which Excel reads back: control characters as _xHHHH_, and text that already looks like one
# with its underscore escaped (_x005F_). A line break is written as a character reference, so a row is one line.
CONTROL_CHARACTERS = [*range(0x01, 0x09), *range(0x0B, 0x20), 0xFFFE, 0xFFFF]
NEEDS_ESCAPES = r"'[\x01-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_'"


def _xlsx_cell(column: Column, values: list[str]) -> str:
    kind = column.kind
    value = f"NULLIF({kind.sql(*values)}, '')"
    if kind.number:
        return f"coalesce('<c><v>' || {value} || '</v></c>', '<c/>')"
    if kind.xml_safe:
        return f"coalesce('{SAFE_CELL}' || {value} || '</t></is></c>', '<c/>')"
    escaped = f"replace(replace(replace(left({value}, {CELL_MAX}), '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
    return f"coalesce('{TEXT_CELL}' || {escaped} || '</t></is></c>', '<c/>')"


def _escapes(line: str) -> str:
    escaped = rf"regexp_replace({line}, '(_x[0-9A-Fa-f]{{4}}_)', '_x005F\1', 'g')"
    for code in CONTROL_CHARACTERS:
        escaped = f"replace({escaped}, chr({code}), '_x{code:04X}_')"
    return escaped


def xlsx_rows(rows: DatabaseRows) -> Iterator[bytes]:
    """The worksheet's <row> elements, one a line, in blocks."""
    try:
        cells, source, params = _select(rows, _xlsx_cell)
    except EmptyResultSet:
        return
    # OFFSET 0 keeps the line worked out once, though the outer query names it twice.
    lines = f"SELECT '<row>' || {' || '.join(cells)} || '</row>' AS line {source} OFFSET 0"
    escaped = f"CASE WHEN line ~ {NEEDS_ESCAPES} THEN {_escapes('line')} ELSE line END"
    query = f"SELECT replace({escaped}, chr(10), '&#10;') FROM ({lines}) AS lines"  # noqa: S608 - see _select
    # One column that never holds a line break, nor these two control characters (escaped above): never quoted.
    copy = f"COPY ({query}) TO STDOUT WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')"
    with _copy(copy, params) as copied:
        yield from _blocks(copied, b"".join)


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
</Types>"""
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK_RELATIONSHIPS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/></Relationships>"""
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>\
<sheet name=%s sheetId="1" r:id="rId1"/></sheets></workbook>"""
# Two cell formats: normal, and bold for the headers.
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}">\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font>\
</fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>\
</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""


def _sheet_start(table: Table) -> str:
    """Up to the first row: headers frozen at the top, widths as the Python way sets them."""
    widths = "".join(
        f'<col min="{number}" max="{number}" width="{40 if number - 1 in table.wide_columns else 18}.7109375" '
        'customWidth="1"/>'
        for number in range(1, len(table.headers) + 1)
    )
    headers = "".join(f'<c t="inlineStr" s="1"><is><t>{escape(header)}</t></is></c>' for header in table.headers)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}"><sheetViews>'
        '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{widths}</cols><sheetData><row>{headers}</row>\n"
    )


def write_xlsx(table: Table, rows: DatabaseRows, file: IO[bytes]) -> None:
    """A workbook of one sheet: the few small parts of the package, then the sheet streamed from the database.
    Fast compression: the rows are repetitive, and the default level would take longer than the query."""
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", PACKAGE_RELATIONSHIPS)
        package.writestr("xl/workbook.xml", WORKBOOK % quoteattr(table.name[:31]))
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELATIONSHIPS)
        package.writestr("xl/styles.xml", STYLES)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_sheet_start(table).encode())
            for block in xlsx_rows(rows):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
