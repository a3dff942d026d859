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
from respond.responses.deadlines import Due
from respond.responses.models import Response, ResponseStatus
from respond.responses.views import tables
from respond.responses.views.common import ResponseRow
from respond.responses.views.your_alerts import AlertGroup
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

CARDS = """{% from "alerts/_macros.html" import severity_tag %}
{% for group in groups %}
{% set alert = group.alert %}
<section class="nhsuk-card" aria-labelledby="alert-{{ alert.pk }}">
  <div class="nhsuk-card__content">
    <h3 class="nhsuk-card__heading nhsuk-heading-m" id="alert-{{ alert.pk }}">
      <a href="{{ url('responses:alert', alert.threat_id) }}">{{ alert.threat_id }}: {{ alert.title }}</a>
    </h3>
    <p class="nhsuk-body-s">
      {{ severity_tag(alert) }}
      {% if alert.status == "closed" %}{{ tag({"text": "Alert closed", "colour": "grey"}) }}{% endif %}
      Published {{ alert.published_at | datetime }}.
      {% if group.unacknowledged %}
        Acknowledge by <strong>{{ alert.deadline_at | datetime }}</strong>{% if group.time_left %}:
        {% if group.acknowledgement_overdue %}{{ tag({"text": group.time_left, "colour": "red"}) }}{% else %}{{ group.time_left }}{% endif %}{% endif %}
      {% elif not group.reacknowledgement.by %}
        Every one of your organisations has acknowledged it.
      {% endif %}
      {% if group.reacknowledgement.by %}
        Acknowledge the update by <strong>{{ group.reacknowledgement.by | datetime }}</strong>:
        {% if group.reacknowledgement.overdue %}{{ tag({"text": group.reacknowledgement.time_left, "colour": "red"}) }}{% else %}{{ group.reacknowledgement.time_left }}{% endif %}
      {% endif %}
    </p>
    <table class="nhsuk-table nhsuk-u-margin-bottom-2">
      <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">Your organisations' responses to {{ alert.threat_id }}</caption>
      <thead class="nhsuk-table__head">
        <tr>
          <th scope="col">Organisation</th>
          <th scope="col">Status</th>
          <th scope="col">Next update due</th>
          <th scope="col"><span class="nhsuk-u-visually-hidden">Action</span></th>
        </tr>
      </thead>
      <tbody class="nhsuk-table__body">
      {{- tables.your_alert_rows(alert, group.rows) }}
      </tbody>
    </table>
    {% if group.total > group.rows | length %}
    <p class="nhsuk-body-s"><a href="{{ url('responses:alert', alert.threat_id) }}">See all {{ group.total }} of your organisations' responses to {{ alert.threat_id }}</a></p>
    {% endif %}
  </div>
</section>
{% endfor %}"""

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


NOTHING_DUE = Due()


def card(
    severity, *, status=AlertStatus.PUBLISHED, unacknowledged=0, time_left="", late=False, due=NOTHING_DUE, total=2
):
    alert = Alert(
        pk=7, threat_id="CC-4321", title="Fix <everything>", severity=severity, status=status, published_at=PUBLISHED
    )
    rows = [ResponseRow.build(response, now=NOW, can_submit=True) for response in RESPONSES[:2]]
    return AlertGroup(
        alert=alert,
        rows=rows,
        total=total,
        unacknowledged=unacknowledged,
        time_left=time_left,
        acknowledgement_overdue=late,
        reacknowledgement=due,
    )


CARDS_SHOWN = [
    card("high", unacknowledged=3, time_left="20 hours left"),
    card("medium", unacknowledged=1, time_left="1 day late", late=True, total=12),
    card("low"),  # every one acknowledged
    card("unknown", due=Due.of(NOW + timedelta(hours=5), NOW)),
    card("high", unacknowledged=2, time_left="2 hours late", late=True, due=Due.of(NOW - timedelta(hours=1), NOW)),
    card("high", status=AlertStatus.CLOSED, unacknowledged=4),  # closed: nothing is left to count down
]


def test_your_alerts_cards_are_the_templates_markup():
    written = tables.your_alert_cards(CARDS_SHOWN)
    by_template = engines["jinja2"].from_string(CARDS).render({"groups": CARDS_SHOWN, "tables": tables})
    assert tree(parse(written)) == tree(parse(by_template))
    # Whitespace too, where it is seen: between a tag and the text or tag beside it.
    assert " ".join(written.split()) == " ".join(by_template.split())
    for text in ("Alert closed", "Every one of your organisations", "Acknowledge the update by", "See all 12"):
        assert text in written
    assert "Fix &lt;everything&gt;" in written
    assert tables.your_alert_cards([]) == ""
