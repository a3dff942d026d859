"""Generated form data: text fields get anything typed, choices a real value or anything, dates real dates or
anything in each box."""

from datetime import date, timedelta

from django.utils import timezone
from hypothesis import strategies as st

from tests.fuzz.strategies import field_value, nasty_text, plain_text

text_or_plain = st.one_of(nasty_text, plain_text, st.just(""))


def date_parts(name: str, *, around: date | None = None) -> st.SearchStrategy[dict[str, str]]:
    """The three boxes of a date input: mostly a real date within a year of `around` (today), or anything."""
    centre = around or timezone.localdate()
    real = st.integers(-400, 400).map(lambda days: centre + timedelta(days=days))
    typed = real.map(lambda day: (str(day.day), str(day.month), str(day.year)))
    anything = st.tuples(field_value("1", "31"), field_value("2", "March", "13"), field_value("2026", "99"))
    return st.one_of(typed, anything, st.just(("", "", ""))).map(
        lambda parts: {f"{name}_day": parts[0], f"{name}_month": parts[1], f"{name}_year": parts[2]}
    )


def real_date(name: str, first: int, last: int) -> st.SearchStrategy[dict[str, str]]:
    """A date from `first` to `last` days after today, typed as a person would."""
    days = st.integers(first, last).map(lambda offset: timezone.localdate() + timedelta(days=offset))
    return days.map(
        lambda day: {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}
    )


def merged(*dicts: dict) -> dict:
    result: dict = {}
    for each in dicts:
        result.update(each)
    return result
