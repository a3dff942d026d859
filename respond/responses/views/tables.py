"""The rows of "Your alerts", written in Python with the markup the template wrote (tests/responses/
test_your_alerts_rows_markup.py checks it, element for element): someone responding for 200 organisations sees 10
alerts of up to 10 rows, each with a link, tags and an action, which cost the template and its row_tags macro
about 4 ms of the page worked out afresh."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from respond.alerts.models import Alert, AlertStatus
from respond.alerts.tags import ALERT_CLOSED, severity_tag
from respond.core.components import datetime_text, tag, url
from respond.responses.statuses import status_tag
from respond.responses.views.common import ResponseRow

if TYPE_CHECKING:
    from respond.responses.views.your_alerts import AlertGroup

OVERDUE = tag({"text": "Overdue", "colour": "red"})
ACKNOWLEDGED_LATE = tag({"text": "Acknowledged late", "colour": "yellow"})
CELL = '\n          <td class="nhsuk-table__cell">{}</td>'


def row_tags(row: ResponseRow) -> Markup:
    """A response's tags in a table (Your alerts, an alert's responses): the status, overdue and late, and an
    update to acknowledge."""
    response = row.response
    tags = str(status_tag(response.status))
    if row.overdue:
        tags += f" {OVERDUE}"
    if row.late:
        tags += f" {ACKNOWLEDGED_LATE}"
    if due := row.reacknowledgement:
        overdue = f" {tag({'text': due.time_left, 'colour': 'red'})}" if due.overdue else ""
        tags += (
            '\n  <p class="nhsuk-body-s nhsuk-u-margin-top-2 nhsuk-u-margin-bottom-0">Acknowledge the update by '
            f"{escape(datetime_text(due.by))}{overdue}</p>"
        )
    return Markup(tags)  # noqa: S704 - the date escaped; the rest tags and this markup


def your_alert_rows(alert: Alert, rows: Sequence[ResponseRow]) -> Markup:
    """An alert's rows on "Your alerts": each organisation, its tags, its next update and what to do next."""
    threat_id = escape(alert.threat_id)
    written = []
    for row in rows:
        response = row.response
        name = escape(response.organisation.name)
        cells = (
            CELL.format(f'<a href="{escape(row.detail_url)}">{name}</a> ({escape(response.organisation.ods_code)})')
            + CELL.format(row_tags(row))
            + CELL.format(escape(row.next_update_text))
            + CELL.format(
                f'<a href="{escape(row.action_url)}">{escape(row.action_text)}'
                f'<span class="nhsuk-u-visually-hidden"> {threat_id} for {name}</span></a>'
            )
        )
        written.append(f'\n        <tr class="nhsuk-table__row">{cells}\n        </tr>')
    # Every value was escaped where it was put in, or is this module's markup or a tag's.
    return Markup("".join(written))  # noqa: S704


def _red_or_plain(text: str, overdue: bool) -> str:
    return str(tag({"text": text, "colour": "red"})) if overdue else str(escape(text))


def _what_is_owed(group: "AlertGroup") -> str:
    """The card's line under its heading: the alert's tags, when it was published, and what is owed by when."""
    alert, due = group.alert, group.reacknowledgement
    line = f"\n      {severity_tag(alert)}"
    if alert.status == AlertStatus.CLOSED:
        line += f"\n      {ALERT_CLOSED}"
    line += f"\n      Published {escape(datetime_text(alert.published_at))}."
    if group.unacknowledged:
        line += f"\n        Acknowledge by <strong>{escape(datetime_text(alert.deadline_at))}</strong>"
        if group.time_left:
            line += f":\n        {_red_or_plain(group.time_left, group.acknowledgement_overdue)}"
    elif not due.by:
        line += "\n        Every one of your organisations has acknowledged it."
    if due.by:
        line += (
            f"\n        Acknowledge the update by <strong>{escape(datetime_text(due.by))}</strong>:"
            f"\n        {_red_or_plain(due.time_left, due.overdue)}"
        )
    return line


def your_alert_cards(groups: Sequence["AlertGroup"]) -> Markup:
    """The alerts on "Your alerts", each a card: its heading, what is owed by when, and its first rows."""
    written = []
    for group in groups:
        alert = group.alert
        threat_id, link = escape(alert.threat_id), escape(url("responses:alert", alert.threat_id))
        see_all = ""
        if group.total > len(group.rows):
            see_all = (
                f'\n    <p class="nhsuk-body-s"><a href="{link}">See all {group.total} of your organisations\' '
                f"responses to {threat_id}</a></p>"
            )
        written.append(
            f'\n<section class="nhsuk-card" aria-labelledby="alert-{alert.pk}">\n  <div class="nhsuk-card__content">'
            f'\n    <h3 class="nhsuk-card__heading nhsuk-heading-m" id="alert-{alert.pk}">'
            f'\n      <a href="{link}">{threat_id}: {escape(alert.title)}</a>\n    </h3>'
            f'\n    <p class="nhsuk-body-s">{_what_is_owed(group)}\n    </p>'
            '\n    <table class="nhsuk-table nhsuk-u-margin-bottom-2">'
            '\n      <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">Your organisations\' responses to '
            f"{threat_id}</caption>{TABLE_HEAD}"
            f'\n      <tbody class="nhsuk-table__body">{your_alert_rows(alert, group.rows)}\n      </tbody>'
            f"\n    </table>{see_all}\n  </div>\n</section>"
        )
    # Every value was escaped where it was put in, or is this module's markup, a tag's or the rows'.
    return Markup("".join(written))  # noqa: S704


TABLE_HEAD = """
      <thead class="nhsuk-table__head">
        <tr>
          <th scope="col">Organisation</th>
          <th scope="col">Status</th>
          <th scope="col">Next update due</th>
          <th scope="col"><span class="nhsuk-u-visually-hidden">Action</span></th>
        </tr>
      </thead>"""
