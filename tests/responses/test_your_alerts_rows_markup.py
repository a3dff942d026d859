# ruff: noqa: E501 - the template's loop as it was, lines and all
""" "Your alerts" has its rows written in Python (respond.responses.views.tables) for speed: their markup must be
what the template's loop and its row_tags macro (below, as they were; the responses page now writes its tags
with the same Python) wrote, element for element and attribute for attribute, text included: every status, overdue, late, an update to acknowledge (overdue or not), every action,
names that need escaping."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.template import engines

from respond.alerts.models import Alert, AlertStatus
from respond.organisations.models import Organisation, OrganisationType
from respond.responses.models import Response, ResponseStatus
from respond.responses.views import tables
from respond.responses.views.common import ResponseRow
from tests.core.html import parse
from tests.core.test_date_input_markup import tree

ROWS = """{% macro row_tags(row) -%}
  {{ tag({"text": row.response.get_status_display(), "colour": row.response.status_colour}) }}
  {% if row.overdue %} {{ tag({"text": "Overdue", "colour": "red"}) }}{% endif %}
  {% if row.late %} {{ tag({"text": "Acknowledged late", "colour": "yellow"}) }}{% endif %}
  {% if row.reacknowledgement.by %}
  <p class="nhsuk-body-s nhsuk-u-margin-top-2 nhsuk-u-margin-bottom-0">Acknowledge the update by {{ row.reacknowledgement.by | datetime }}{% if row.reacknowledgement.overdue %} {{ tag({"text": row.reacknowledgement.time_left, "colour": "red"}) }}{% endif %}</p>
  {% endif %}
{%- endmacro %}
<table><tbody>
      {% for row in group.rows %}
        <tr class="nhsuk-table__row">
          <td class="nhsuk-table__cell"><a href="{{ row.response.get_absolute_url() }}">{{ row.response.organisation.name }}</a> ({{ row.response.organisation.ods_code }})</td>
          <td class="nhsuk-table__cell">{{ row_tags(row) }}</td>
          <td class="nhsuk-table__cell">{{ row.next_update_text }}</td>
          <td class="nhsuk-table__cell"><a href="{{ row.action_url }}">{{ row.action_text }}<span class="nhsuk-u-visually-hidden"> {{ alert.threat_id }} for {{ row.response.organisation.name }}</span></a></td>
        </tr>
      {% endfor %}
</tbody></table>"""

PUBLISHED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
NOW = PUBLISHED + timedelta(days=3)


def response(status: str, alert_status: str = AlertStatus.PUBLISHED, **fields) -> Response:
    alert = Alert(
        threat_id="CC-4321",
        title="Fix <everything>",
        status=alert_status,
        published_at=PUBLISHED,
    )
    organisation = Organisation(ods_code="RJ1", name='Trust & <Co> "North"', organisation_type=OrganisationType.ICB)
    return Response(alert=alert, organisation=organisation, status=status, **fields)


RESPONSES = [
    response(ResponseStatus.NOT_ACKNOWLEDGED),  # overdue: the window closed a day ago
    response(
        ResponseStatus.IN_PROGRESS,
        acknowledged_at=PUBLISHED + timedelta(hours=60),
        acknowledged_within_window=False,
        next_update_due_on=date(2026, 3, 20),
    ),
    response(
        ResponseStatus.COMPLETE,
        acknowledged_at=PUBLISHED + timedelta(hours=1),
        acknowledged_within_window=True,
        reacknowledgement_due_at=NOW - timedelta(hours=2),
    ),
    response(
        ResponseStatus.NOT_APPLICABLE,
        acknowledged_at=PUBLISHED,
        acknowledged_within_window=True,
        reacknowledgement_due_at=NOW + timedelta(hours=20),
    ),
    response(
        ResponseStatus.UNABLE_TO_IMPLEMENT,
        acknowledged_at=PUBLISHED,
        acknowledged_within_window=True,
        review_on=date(2026, 9, 1),
    ),
    response(ResponseStatus.COMPLETE, alert_status=AlertStatus.CLOSED, acknowledged_at=PUBLISHED),
]


@pytest.mark.parametrize("can_submit", [True, False])
def test_your_alerts_rows_are_the_templates_markup(can_submit):
    rows = [ResponseRow.build(response, now=NOW, can_submit=can_submit) for response in RESPONSES]
    alert = RESPONSES[0].alert
    written = tables.your_alert_rows(alert, rows)
    by_template = engines["jinja2"].from_string(ROWS).render({"group": {"rows": rows}, "alert": alert})
    assert tree(parse(f"<table><tbody>{written}</tbody></table>")) == tree(parse(by_template))
    assert "Trust &amp; &lt;Co&gt;" in written
    assert written.count("Acknowledge the update by") == 2
    assert {"Overdue", "Acknowledged late"} <= {row.text for row in parse(written).find_all("strong")}
