"""Checks the day, month and year a person typed, following the NHS.UK date input error patterns."""

import calendar
from dataclasses import dataclass
from datetime import date

DATE_PARTS = ("day", "month", "year")

# People type "March", "mar" or "3": all mean the same month.
MONTH_NAMES = {name.lower(): number for number, name in enumerate(calendar.month_name) if name} | {
    name.lower(): number for number, name in enumerate(calendar.month_abbr) if name
}


@dataclass(frozen=True)
class DateCheck:
    """The outcome of checking a typed date: a date, or a problem code and the parts that have it."""

    value: date | None = None
    problem: str | None = None  # "empty", "incomplete", "invalid" or "year_length"
    parts: tuple[str, ...] = ()


def _number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


def check_date_parts(day: object, month: object, year: object) -> DateCheck:
    typed = {part: str(value or "").strip() for part, value in zip(DATE_PARTS, (day, month, year), strict=True)}
    missing = tuple(part for part in DATE_PARTS if not typed[part])
    if len(missing) == len(DATE_PARTS):
        return DateCheck(problem="empty")
    if missing:
        return DateCheck(problem="incomplete", parts=missing)

    numbers = {
        "day": _number(typed["day"]),
        "month": _number(typed["month"]) or MONTH_NAMES.get(typed["month"].lower()),
        "year": _number(typed["year"]),
    }
    if numbers["year"] is not None and len(typed["year"]) != 4:
        return DateCheck(problem="year_length", parts=("year",))
    out_of_range = tuple(
        part
        for part, low, high in (("day", 1, 31), ("month", 1, 12), ("year", 1, 9999))
        if numbers[part] is None or not low <= numbers[part] <= high  # type: ignore[operator]
    )
    if out_of_range:
        return DateCheck(problem="invalid", parts=out_of_range)
    try:
        return DateCheck(value=date(numbers["year"], numbers["month"], numbers["day"]))  # type: ignore[arg-type]
    except ValueError:
        # Every part is in range, so the day does not exist in that month (31 April, 29 February 2025).
        return DateCheck(problem="invalid", parts=("day",))


def format_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"
