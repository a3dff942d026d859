"""Each kind of cell an export writes, in Python (the reference, and SQLite's way) and in PostgreSQL's SQL (so a
long export is formatted by the database), side by side so that the two cannot drift apart.

A kind's SQL takes SQL expressions of the raw values and gives text: '' or NULL for an empty cell.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from respond.core.spreadsheets import FORMULA_STARTS, spreadsheet_text

Cell = str | int | float
XML_SPECIAL = "&<>"


text = spreadsheet_text


def moment(value: datetime | None) -> str:
    """ISO 8601 in UK local time (the service's time zone, whatever a request activated) with its offset from
    UTC: 2026-11-03T14:05:00+00:00."""
    if value is None:
        return ""
    return value.astimezone(timezone.get_default_timezone()).isoformat(timespec="seconds")


def day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


def literal(value: str) -> str:
    """A string constant for SQL that is later passed through the driver's parameter merging (so % is doubled)."""
    return "'" + value.replace("'", "''").replace("%", "%%") + "'"


@dataclass(frozen=True)
class Kind:
    python: Callable[[Any], Cell]
    sql: Callable[..., str]
    # A spreadsheet gets a number rather than text.
    number: bool = False
    # What it writes never holds & < > or control characters (dates, fixed labels), so needs no XML escaping.
    xml_safe: bool = False


def _text_sql(value: str) -> str:
    starts = ", ".join(literal(start) for start in sorted(FORMULA_STARTS))
    return f"CASE WHEN left({value}, 1) IN ({starts}) THEN '''' || {value} ELSE {value} END"


def choice(labels: Iterable[tuple[str, Any]], *, otherwise_value: bool = True) -> Kind:
    """A choice written as its label; an unknown value as itself (or as nothing, `otherwise_value=False`)."""
    names = {value: str(label) for value, label in labels}

    def python(value: str) -> str:
        return names.get(value, value if otherwise_value else "")

    def sql(value: str) -> str:
        whens = " ".join(f"WHEN {literal(key)} THEN {literal(label)}" for key, label in names.items())
        return f"CASE {value} {whens} ELSE {value if otherwise_value else "''"} END"

    safe = not any(character in label for label in names.values() for character in XML_SPECIAL)
    return Kind(python, sql, xml_safe=safe)


def constants(labels: Mapping[bool, str]) -> Callable[[str], str]:
    return lambda value: f"CASE WHEN {value} THEN {literal(labels[True])} ELSE {literal(labels[False])} END"


# As stored (codes): nothing for NULL.
PLAIN = Kind(lambda value: value or "", lambda value: f"{value}::text")
# Typed by people: protected from running as a formula.
TEXT = Kind(text, _text_sql)
NUMBER = Kind(lambda value: value, lambda value: f"{value}::text", number=True)
# In the session's time zone, which the database path sets to the service's (see respond.exports.database).
MOMENT = Kind(moment, lambda value: f"""to_char({value}, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM')""", xml_safe=True)
DAY = Kind(day, lambda value: f"to_char({value}, 'YYYY-MM-DD')", xml_safe=True)
YES_NO = Kind(yes_no, lambda value: f"CASE WHEN {value} THEN 'Yes' WHEN NOT {value} THEN 'No' END", xml_safe=True)


def combined(sql: Callable[..., str], *, xml_safe: bool = False) -> Kind:
    """A cell worked out from several values: the Python way has its own code for those (see its table)."""

    def python(value: Any) -> Cell:
        raise NotImplementedError("written by the table's own code")

    return Kind(python, sql, xml_safe=xml_safe)


@dataclass(frozen=True)
class Column:
    """A column of an export: its header, its kind, and where its values come from (lookups from the exported
    model, e.g. "response__alert__title"; some kinds combine several)."""

    header: str
    kind: Kind
    sources: tuple[str, ...]

    @classmethod
    def of(cls, header: str, kind: Kind, *sources: str) -> "Column":
        return cls(header, kind, sources)
