"""The rows of "Your alerts", written in Python with the markup the template wrote (tests/responses/
test_your_alerts_rows_markup.py checks it, element for element): someone responding for 200 organisations sees 10
alerts of up to 10 rows, each with a link, tags and an action, which cost the template and its row_tags macro
about 4 ms of the page worked out afresh."""

from collections.abc import Sequence

from markupsafe import Markup, escape

from respond.alerts.models import Alert
from respond.core.components import datetime_text, tag
from respond.responses.statuses import status_tag
from respond.responses.views.common import ResponseRow

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
