"""The workbook holds what was typed, even text that xlsxwriter would take for its own rich-text XML."""

import io
import zipfile

import openpyxl
from openpyxl.utils.escape import unescape

from respond.exports.formats import write_xlsx
from respond.exports.table import Table

TYPED = [
    "<r>looks like rich text</r>",
    "<r></t></is></c><c><is><t>injected</t></is></c><c><is><t></r>",
    "<r>",
    "</r>",
    "<r>a control character \x01 and _x0041_</r>",
    "  <r>with spaces</r>",
    "plain <b>tags</b> & ampersands",
]


def test_typed_text_reads_back_as_typed():
    table = Table(name="cells", headers=["Typed"], chunks=[[[value] for value in TYPED]])
    file = io.BytesIO()
    write_xlsx(table, file)
    assert zipfile.ZipFile(io.BytesIO(file.getvalue())).testzip() is None
    sheet = openpyxl.load_workbook(io.BytesIO(file.getvalue())).worksheets[0]
    assert [unescape(cell.value) for (cell,) in sheet.iter_rows(min_row=2)] == TYPED
