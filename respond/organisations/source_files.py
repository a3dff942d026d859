"""Reading uploaded or local files as text: shared by the ODS and mandated-list imports."""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ZIP_SIGNATURE = b"PK\x03\x04"  # .xlsx files are zip archives
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # old-style .xls files
ODS_CODE_PATTERN = re.compile(r"[A-Z0-9]{1,10}")
# Characters no text file holds (tab and line breaks aside): a sign of a binary file, or of one damaged.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The longest cell read from a CSV file (the csv module's limit).
CSV_CELL_LIMIT = csv.field_size_limit()


class ImportFileError(ValueError):
    """A file cannot be imported. The message names the file (and line) and says what is wrong."""


@dataclass(frozen=True)
class SourceFile:
    name: str
    content: bytes

    @classmethod
    def from_path(cls, path: str | Path) -> "SourceFile":
        path = Path(path)
        try:
            return cls(name=path.name, content=path.read_bytes())
        except FileNotFoundError:
            raise ImportFileError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise ImportFileError(f"{path} is a folder, not a file") from None
        except OSError as error:
            raise ImportFileError(f"{path} cannot be read: {error.strerror}") from None

    @property
    def is_blank(self) -> bool:
        return not self.content.strip()

    def where(self, line: int | None = None) -> str:
        return f"{self.name}, line {line}" if line else self.name

    def text(self) -> str:
        """The content as UTF-8 text (a byte order mark is dropped)."""
        if self.content.startswith(ZIP_SIGNATURE) or self.content.startswith(OLE_SIGNATURE):
            raise ImportFileError(f"{self.name} is a spreadsheet, not a CSV file")
        try:
            text = self.content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = self.content.count(b"\n", 0, error.start) + 1
            byte = self.content[error.start]
            raise ImportFileError(
                f"{self.where(line)}: the file is not UTF-8 text (byte 0x{byte:02X} cannot be read); "
                "save it as CSV UTF-8 and try again"
            ) from None
        control = CONTROL_CHARACTER.search(text)
        if control is not None:
            line = text.count("\n", 0, control.start()) + 1
            raise ImportFileError(
                f"{self.where(line)}: the file holds a control character (0x{ord(control.group()):02X}), "
                "which is not text; save it as CSV UTF-8 and try again"
            )
        return text

    def csv_rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells) for each non-blank CSV record."""
        reader = csv.reader(io.StringIO(self.text(), newline=""))
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                if "field larger than field limit" in str(error):
                    raise ImportFileError(
                        f"{self.where(reader.line_num)}: a cell is longer than {CSV_CELL_LIMIT:,} characters"
                    ) from None
                raise ImportFileError(f"{self.where(reader.line_num)}: not valid CSV ({error})") from None
            if any(cell.strip() for cell in row):
                yield reader.line_num, row


def normalise_code(value: object) -> str:
    """An ODS code as stored: trimmed and uppercase. Spreadsheet numbers (e.g. 123.0) become '123'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().upper() if value is not None else ""


def is_ods_code(code: str) -> bool:
    return bool(ODS_CODE_PATTERN.fullmatch(code))
