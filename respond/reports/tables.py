"""The report pages' tables, written in Python with the markup their templates wrote (and
tests/reports/test_report_rows_markup.py checks against, element for element): an alert's 50 organisations, an
organisation's 25 alerts and 20 exceptions, each row with links, tags, times and durations, and the figures of each
organisation type and region. Through the templates they were a third of rendering a report afresh (3 ms of an
alert's report, 0.6 ms here)."""

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Protocol

from markupsafe import Markup, escape

from respond.alerts.models import AlertStatus
from respond.alerts.tags import ALERT_CLOSED, severity_tag
from respond.core.components import date_text, datetime_text, tag, url
from respond.reports.organisation_history import HistoryRow
from respond.reports.services import AlertSummary, OrganisationRow, type_label
from respond.reports.statistics import Acknowledgements, StatusCounts, duration_text, share
from respond.responses.models import Response, ResponseStatus
from respond.responses.statuses import status_tag

# The colours of an outcome's tag.
OUTCOME_COLOURS = {"Within the window": "green", "Late": "yellow", "Missed": "red"}
CELL = '\n      <td class="nhsuk-table__cell">{}</td>'
ROW = '\n    <tr class="nhsuk-table__row">{}\n    </tr>'
NUMBER = '\n      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{}</td>'
LATE = tag({"text": "Late", "colour": "yellow"})
REVIEW_DUE = tag({"text": "Review due", "colour": "red"})
OVERDUE = tag({"text": "Overdue", "colour": "red"})


def _duration(value: timedelta | None) -> str:
    return "" if value is None else duration_text(value)


def _rows(cells: list[str]) -> Markup:
    # Every value in the cells was escaped where it was put in, or is this module's markup or a tag's.
    return Markup("".join(ROW.format(row) for row in cells))  # noqa: S704


def alert_summary_rows(summaries: Sequence[AlertSummary]) -> Markup:
    """The reports list's rows: each alert with its severity and when it was published, its acknowledgement
    deadline, and how many organisations it asks acknowledged it within the window, late or not yet."""
    cells = []
    for summary in summaries:
        alert, figures = summary.alert, summary.acknowledgements
        link = escape(url("reports:alert", alert.threat_id))
        closed = f" {ALERT_CLOSED}" if alert.status == AlertStatus.CLOSED else ""
        still_open = "" if summary.deadline_passed else " (still open)"
        cells.append(
            f'\n      <td class="nhsuk-table__cell">\n        <a href="{link}">{escape(alert.threat_id)}: '
            f"{escape(alert.title)}</a>\n        <br>{severity_tag(alert)}{closed}\n        "
            f'<span class="nhsuk-body-s">Published {escape(datetime_text(alert.published_at))}</span>\n      </td>'
            + CELL.format(f"{escape(datetime_text(alert.deadline_at))}{still_open}")
            + NUMBER.format(figures.in_scope)
            + NUMBER.format(escape(share(figures.within_window, figures.in_scope)))
            + NUMBER.format(escape(share(figures.late, figures.in_scope)))
            + NUMBER.format(escape(share(figures.not_acknowledged, figures.in_scope)))
        )
    return _rows(cells)


def organisation_rows(rows: Sequence[OrganisationRow]) -> Markup:
    """The alert report's rows: each organisation, its response's status, when it was acknowledged and how long
    acknowledging and completing took."""
    cells = []
    for row in rows:
        organisation = row.organisation
        link = escape(url("reports:organisation", organisation.ods_code))
        region = f", {escape(organisation.region.name)}" if organisation.region else ""
        acknowledged = "Not acknowledged"
        if row.acknowledged_at:
            late = f" {LATE}" if row.within_window is False else ""
            acknowledged = f"{escape(datetime_text(row.acknowledged_at))}{late}"
        cells.append(
            f'\n      <td class="nhsuk-table__cell">\n        <a href="{link}">{escape(organisation.name)}</a> '
            f'({escape(organisation.ods_code)})\n        <br><span class="nhsuk-body-s">'
            f"{escape(type_label(organisation.organisation_type))}{region}</span>\n      </td>"
            + CELL.format(status_tag(row.status))
            + CELL.format(acknowledged)
            + CELL.format(escape(_duration(row.time_to_acknowledge)))
            + CELL.format(escape(_duration(row.time_to_complete)))
        )
    return _rows(cells)


def _alert_link(response: Response) -> str:
    alert = response.alert
    return f'<a href="{escape(response.get_absolute_url())}">{escape(alert.threat_id)}: {escape(alert.title)}</a>'


def _next_step(row: HistoryRow) -> str:
    """What the organisation owes next: a review, an update, or an update's acknowledgement."""
    response = row.response
    text = ""
    if response.status == ResponseStatus.UNABLE_TO_IMPLEMENT and response.review_on:
        text = f"Review on {escape(date_text(response.review_on))}" + (f" {REVIEW_DUE}" if row.review_due else "")
    elif response.next_update_due_on and response.status == ResponseStatus.IN_PROGRESS:
        text = f"Update by {escape(date_text(response.next_update_due_on))}"
    if response.owes_reacknowledgement:
        overdue = f" {OVERDUE}" if row.reacknowledgement_overdue else ""
        text += (
            '<p class="nhsuk-body-s nhsuk-u-margin-top-2 nhsuk-u-margin-bottom-0">Acknowledge the update by '
            f"{escape(datetime_text(response.reacknowledgement_due_at))}{overdue}</p>"
        )
    return text


def history_rows(rows: Sequence[HistoryRow]) -> Markup:
    """An organisation's report's rows: each alert, the response's status, how acknowledging went, how long
    acknowledging and completing took, and what is owed next."""
    cells = []
    for row in rows:
        response = row.response
        acknowledged = tag({"text": row.outcome, "colour": OUTCOME_COLOURS.get(row.outcome, "grey")})
        if response.acknowledged_at:
            acknowledged += Markup('<br><span class="nhsuk-body-s">{}</span>').format(
                datetime_text(response.acknowledged_at)
            )
        cells.append(
            f'\n      <td class="nhsuk-table__cell">\n        {_alert_link(response)}\n        '
            f'<br><span class="nhsuk-body-s">Published {escape(datetime_text(response.alert.published_at))}</span>'
            "\n      </td>"
            + CELL.format(status_tag(response.status))
            + CELL.format(acknowledged)
            + CELL.format(escape(_duration(row.time_to_acknowledge)))
            + CELL.format(escape(_duration(row.time_to_complete)))
            + CELL.format(_next_step(row))
        )
    return _rows(cells)


def exception_rows(rows: Sequence[HistoryRow]) -> Markup:
    """An organisation's open exceptions: each alert, and when the accepted risk is due for review."""
    cells = []
    for row in rows:
        review_on = row.response.review_on
        review = escape(date_text(review_on)) if review_on else "No review date"
        due = f" {REVIEW_DUE}" if row.review_due else ""
        cells.append(CELL.format(_alert_link(row.response)) + CELL.format(f"{review}{due}"))
    return _rows(cells)


class _Group(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def acknowledgements(self) -> Acknowledgements: ...
    @property
    def statuses(self) -> StatusCounts: ...


ACKNOWLEDGEMENT_HEADINGS = ("In scope", "Acknowledged within the window", "Acknowledged late", "Not acknowledged")
STATUS_HEADINGS = ("In progress", "Complete", "Not applicable", "Unable to implement")


def acknowledgement_table(caption: str, first_heading: str, groups: Iterable[_Group], statuses: bool = True) -> Markup:
    """Acknowledgement figures of groups of organisations (GroupFigures or GroupSeries rows): the text equivalent of
    a stacked bar chart; with the statuses the table is wider than a phone, or than the page: it scrolls sideways,
    by keyboard too."""
    headings = ACKNOWLEDGEMENT_HEADINGS + (STATUS_HEADINGS if statuses else ())
    head = "".join(
        f'\n      <th scope="col" class="nhsuk-table__header--numeric">{heading}</th>' for heading in headings
    )
    rows = []
    for group in groups:
        figures = group.acknowledgements
        in_scope = figures.in_scope
        numbers = [in_scope, *(share(part, in_scope) for part in (figures.within_window, figures.late))]
        numbers.append(share(figures.not_acknowledged, in_scope))
        if statuses:
            counts = group.statuses
            numbers += [counts.in_progress, counts.complete, counts.not_applicable, counts.unable_to_implement]
        # Numbers and shares: nothing to escape.
        cells = "".join(NUMBER.format(number) for number in numbers)
        rows.append(
            f'\n    <tr class="nhsuk-table__row">\n      <th scope="row" class="nhsuk-table__header">'
            f"{escape(group.label)}</th>{cells}\n    </tr>"
        )
    caption = escape(caption)
    return Markup(  # noqa: S704 - the caption, headings and labels escaped; the rest numbers and this markup
        f'<div class="nhsuk-table-container" role="region" aria-label="{caption}" tabindex="0">\n'
        f'<table class="nhsuk-table">\n  <caption class="nhsuk-table__caption nhsuk-table__caption--s">{caption}'
        f'</caption>\n  <thead class="nhsuk-table__head">\n    <tr>\n      <th scope="col">{escape(first_heading)}</th>'
        f'{head}\n    </tr>\n  </thead>\n  <tbody class="nhsuk-table__body">{"".join(rows)}\n  </tbody>\n</table>'
        "\n</div>"
    )
