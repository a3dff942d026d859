"""The over-time report's month-by-month tables, written in Python with the markup of the reports' macros'
month table and of nhsuk-frontend's details macro (tests/reports/test_over_time_markup.py checks them against
both): the page has a table of every month for every organisation, each region and each type, about 18 tables of
12 rows, which cost the macros about 10 ms of the page, and cost this a millisecond."""

from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from typing import Protocol

from markupsafe import Markup, escape

from respond.reports.statistics import Acknowledgements, Medians, duration_text, share

HEAD = Markup(
    '<thead class="nhsuk-table__head">\n    <tr>\n'
    '      <th scope="col">Month published</th>\n'
    '      <th scope="col" class="nhsuk-table__header--numeric">Responses due</th>\n'
    '      <th scope="col" class="nhsuk-table__header--numeric">Acknowledged within the window</th>\n'
    '      <th scope="col" class="nhsuk-table__header--numeric">Late</th>\n'
    '      <th scope="col" class="nhsuk-table__header--numeric">Not acknowledged</th>\n'
    '      <th scope="col">Median time to acknowledge</th>\n'
    '      <th scope="col">Median time to complete</th>\n'
    "    </tr>\n  </thead>"
)
NUMBER = '\n      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{}</td>'
TEXT = '\n      <td class="nhsuk-table__cell">{}</td>'
ROW = (
    '\n    <tr class="nhsuk-table__row">\n      <th scope="row" class="nhsuk-table__header">{}</th>'
    + NUMBER * 4
    + TEXT * 2
    + "\n    </tr>"
)


class _Month(Protocol):
    @property
    def month(self) -> date: ...
    @property
    def acknowledgements(self) -> Acknowledgements: ...
    @property
    def medians(self) -> Medians: ...


@lru_cache(maxsize=256)
def _month_label(day: date) -> str:
    return day.strftime("%B %Y")


def month_table(caption: str, months: Iterable[_Month], caption_hidden: bool = False) -> Markup:
    hidden = " nhsuk-u-visually-hidden" if caption_hidden else ""
    rows = []
    for month in months:
        figures = month.acknowledgements
        in_scope = figures.in_scope
        # Month names, numbers and durations: nothing to escape.
        rows.append(
            ROW.format(
                _month_label(month.month),
                in_scope,
                share(figures.within_window, in_scope),
                share(figures.late, in_scope),
                share(figures.not_acknowledged, in_scope),
                duration_text(month.medians.acknowledge),
                duration_text(month.medians.complete),
            )
        )
    # Every value put in is escaped (the caption), or a month, a number or a duration, or this module's markup.
    return Markup(  # noqa: S704
        f'<table class="nhsuk-table">\n  <caption class="nhsuk-table__caption nhsuk-table__caption--s{hidden}">'
        f'{escape(caption)}</caption>\n  {HEAD}\n  <tbody class="nhsuk-table__body">{"".join(rows)}\n  </tbody>\n'
        "</table>"
    )


def details(summary_text: str, html: Markup) -> Markup:
    """nhsuk-frontend's details(params) for a summary text and HTML content."""
    return Markup(
        '<details class="nhsuk-details">\n  <summary class="nhsuk-details__summary">\n'
        '    <span class="nhsuk-details__summary-text">\n      {}\n    </span>\n  </summary>\n'
        '  <div class="nhsuk-details__text">\n    {}\n  </div>\n</details>'
    ).format(summary_text.strip(), html)


class _Series(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def months(self) -> Sequence[_Month]: ...


def months_of_each(series: Iterable[_Series]) -> Markup:
    """Each series' months, in a details element of its own."""
    return Markup("\n").join(
        details(f"{group.label}: month by month", month_table(f"{group.label} month by month", group.months, True))
        for group in series
    )
