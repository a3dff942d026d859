"""What one export holds, whichever way it is written: a table of already formatted rows (respond.exports.cells),
and for long exports the same rows as the database can write them (respond.exports.database)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from respond.exports.cells import Cell, Column

Row = Sequence[Cell]


@dataclass(frozen=True)
class DatabaseRows:
    """An export's rows as the database can write them: the queryset (already scoped), its columns, its order."""

    queryset: QuerySet[Any]
    columns: list[Column]
    order_by: str


@dataclass(frozen=True)
class Table:
    """What an export holds: its file name (without extension), column headers and rows in chunks."""

    name: str
    headers: list[str]
    chunks: Iterable[list[Row]]
    # Columns a spreadsheet should show wide (free text), by position.
    wide_columns: tuple[int, ...] = ()
    # The same rows as PostgreSQL can write them, for long exports (see respond.exports.database).
    database: DatabaseRows | None = None
