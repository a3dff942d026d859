# ruff: noqa: E501 - the templates' loops as they were, lines and all
"""The report pages' long tables have their rows written in Python (respond.reports.tables) for speed: their markup
must be what the templates' loops wrote (below, as they were), element for element and attribute for attribute,
text included: every status and outcome, late and missing acknowledgements, reviews, updates and updates'
acknowledgements owed, names that need escaping, no region."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.template import engines

from respond.alerts.models import Alert, AlertStatus
from respond.organisations.models import Organisation, OrganisationType, Region
from respond.reports import tables
from respond.reports.organisation_history import HistoryRow
from respond.reports.services import AlertSummary, GroupFigures, OrganisationRow
from respond.reports.statistics import Acknowledgements, StatusCounts, duration_text, share
from respond.responses.models import Response, ResponseStatus
from tests.core.html import parse
from tests.core.test_date_input_markup import tree

ALERT_ROWS = """{% for row in rows %}
    {% set organisation = row.organisation %}
    <tr class="nhsuk-table__row">
      <td class="nhsuk-table__cell">
        <a href="{{ url('reports:organisation', organisation.ods_code) }}">{{ organisation.name }}</a> ({{ organisation.ods_code }})
        <br><span class="nhsuk-body-s">{{ organisation.get_organisation_type_display() }}{% if organisation.region %}, {{ organisation.region.name }}{% endif %}</span>
      </td>
      <td class="nhsuk-table__cell">{{ tag({"text": row.status_label, "colour": {"not_acknowledged": "grey", "in_progress": "blue", "complete": "green", "not_applicable": "white", "unable_to_implement": "orange"}.get(row.status, "grey")}) }}</td>
      <td class="nhsuk-table__cell">
        {% if row.acknowledged_at %}{{ row.acknowledged_at | datetime }}{% if row.within_window is false %} {{ tag({"text": "Late", "colour": "yellow"}) }}{% endif %}{% else %}Not acknowledged{% endif %}
      </td>
      <td class="nhsuk-table__cell">{{ duration_text(row.time_to_acknowledge) if row.time_to_acknowledge is not none else "" }}</td>
      <td class="nhsuk-table__cell">{{ duration_text(row.time_to_complete) if row.time_to_complete is not none else "" }}</td>
    </tr>
  {% endfor %}"""
SUMMARY_ROWS = """{% from "alerts/_macros.html" import severity_tag %}{% for summary in rows %}
    {% set alert, figures = summary.alert, summary.acknowledgements %}
    <tr class="nhsuk-table__row">
      <td class="nhsuk-table__cell">
        <a href="{{ url('reports:alert', alert.threat_id) }}">{{ alert.threat_id }}: {{ alert.title }}</a>
        <br>{{ severity_tag(alert) }}{% if alert.status == "closed" %} {{ tag({"text": "Alert closed", "colour": "grey"}) }}{% endif %}
        <span class="nhsuk-body-s">Published {{ alert.published_at | datetime }}</span>
      </td>
      <td class="nhsuk-table__cell">{{ alert.deadline_at | datetime }}{% if not summary.deadline_passed %} (still open){% endif %}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ figures.in_scope }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ share(figures.within_window, figures.in_scope) }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ share(figures.late, figures.in_scope) }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ share(figures.not_acknowledged, figures.in_scope) }}</td>
    </tr>
  {% endfor %}"""
HISTORY_ROWS = """{% for row in rows %}
    {% set response = row.response %}
    <tr class="nhsuk-table__row">
      <td class="nhsuk-table__cell">
        <a href="{{ response.get_absolute_url() }}">{{ response.alert.threat_id }}: {{ response.alert.title }}</a>
        <br><span class="nhsuk-body-s">Published {{ response.alert.published_at | datetime }}</span>
      </td>
      <td class="nhsuk-table__cell">{{ tag({"text": response.get_status_display(), "colour": response.status_colour}) }}</td>
      <td class="nhsuk-table__cell">{{ tag({"text": row.outcome, "colour": OUTCOME_COLOURS.get(row.outcome, "grey")}) }}{% if response.acknowledged_at %}<br><span class="nhsuk-body-s">{{ response.acknowledged_at | datetime }}</span>{% endif %}</td>
      <td class="nhsuk-table__cell">{{ duration_text(row.time_to_acknowledge) if row.time_to_acknowledge is not none else "" }}</td>
      <td class="nhsuk-table__cell">{{ duration_text(row.time_to_complete) if row.time_to_complete is not none else "" }}</td>
      <td class="nhsuk-table__cell">
        {% if response.status == "unable_to_implement" and response.review_on %}Review on {{ response.review_on | date }}{% if row.review_due %} {{ tag({"text": "Review due", "colour": "red"}) }}{% endif %}
        {% elif response.next_update_due_on and response.status == "in_progress" %}Update by {{ response.next_update_due_on | date }}{% endif %}
        {% if response.owes_reacknowledgement %}<p class="nhsuk-body-s nhsuk-u-margin-top-2 nhsuk-u-margin-bottom-0">Acknowledge the update by {{ response.reacknowledgement_due_at | datetime }}{% if row.reacknowledgement_overdue %} {{ tag({"text": "Overdue", "colour": "red"}) }}{% endif %}</p>{% endif %}
      </td>
    </tr>
  {% endfor %}"""
EXCEPTION_ROWS = """{% for row in rows %}
    <tr class="nhsuk-table__row">
      <td class="nhsuk-table__cell"><a href="{{ row.response.get_absolute_url() }}">{{ row.response.alert.threat_id }}: {{ row.response.alert.title }}</a></td>
      <td class="nhsuk-table__cell">{{ row.response.review_on | date if row.response.review_on else "No review date" }}{% if row.review_due %} {{ tag({"text": "Review due", "colour": "red"}) }}{% endif %}</td>
    </tr>
  {% endfor %}"""

ACKNOWLEDGEMENT_TABLE = """{%- macro share(part, whole) -%}
  {%- if whole -%}{{ part }} ({{ (100 * part / whole) | round | int }}%){%- else -%}{{ part }}{%- endif -%}
{%- endmacro %}

{#- Acknowledgement figures of groups of organisations (GroupFigures or GroupSeries rows): the text equivalent of
    a stacked bar chart. -#}
{% macro acknowledgement_table(caption, first_heading, groups, statuses=true) -%}
{#- With the statuses the table is wider than a phone, or than the page: it scrolls sideways, by keyboard too. -#}
<div class="nhsuk-table-container" role="region" aria-label="{{ caption }}" tabindex="0">
<table class="nhsuk-table">
  <caption class="nhsuk-table__caption nhsuk-table__caption--s">{{ caption }}</caption>
  <thead class="nhsuk-table__head">
    <tr>
      <th scope="col">{{ first_heading }}</th>
      <th scope="col" class="nhsuk-table__header--numeric">In scope</th>
      <th scope="col" class="nhsuk-table__header--numeric">Acknowledged within the window</th>
      <th scope="col" class="nhsuk-table__header--numeric">Acknowledged late</th>
      <th scope="col" class="nhsuk-table__header--numeric">Not acknowledged</th>
      {% if statuses %}
      <th scope="col" class="nhsuk-table__header--numeric">In progress</th>
      <th scope="col" class="nhsuk-table__header--numeric">Complete</th>
      <th scope="col" class="nhsuk-table__header--numeric">Not applicable</th>
      <th scope="col" class="nhsuk-table__header--numeric">Unable to implement</th>
      {% endif %}
    </tr>
  </thead>
  <tbody class="nhsuk-table__body">
  {% for group in groups %}
    {% set figures = group.acknowledgements %}
    <tr class="nhsuk-table__row">
      <th scope="row" class="nhsuk-table__header">{{ group.label }}</th>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ figures.in_scope }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ share(figures.within_window, figures.in_scope) }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ share(figures.late, figures.in_scope) }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ share(figures.not_acknowledged, figures.in_scope) }}</td>
      {% if statuses %}
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ group.statuses.in_progress }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ group.statuses.complete }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ group.statuses.not_applicable }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ group.statuses.unable_to_implement }}</td>
      {% endif %}
    </tr>
  {% endfor %}
  </tbody>
</table>
</div>
{%- endmacro %}"""

PUBLISHED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
LONDON = Region(code="Y56", name="London")
ODD_NAME = 'Trust & <Co> "North"'


def by_template(template: str, rows: list) -> str:
    context = {"rows": rows, "duration_text": duration_text, "OUTCOME_COLOURS": tables.OUTCOME_COLOURS, "share": share}
    return engines["jinja2"].from_string(f"<table><tbody>{template}</tbody></table>").render(context)


def same_markup(written: str, template: str, rows: list) -> None:
    assert tree(parse(f"<table><tbody>{written}</tbody></table>")) == tree(parse(by_template(template, rows)))


def organisation_row(status: str, *, acknowledged: timedelta | None, within_window: bool | None, region=LONDON):
    organisation = Organisation(
        ods_code="RJ1", name=ODD_NAME, organisation_type=OrganisationType.NHS_TRUST, region=region
    )
    acknowledged_at = PUBLISHED + acknowledged if acknowledged is not None else None
    return OrganisationRow(
        organisation=organisation,
        status=status,
        acknowledged_at=acknowledged_at,
        within_window=within_window,
        time_to_acknowledge=acknowledged,
        time_to_complete=timedelta(days=3, hours=2) if status == ResponseStatus.COMPLETE else None,
    )


def test_an_alert_reports_rows_are_the_templates_markup():
    rows = [
        organisation_row(ResponseStatus.NOT_ACKNOWLEDGED, acknowledged=None, within_window=None),
        organisation_row(ResponseStatus.IN_PROGRESS, acknowledged=timedelta(hours=3), within_window=True),
        organisation_row(ResponseStatus.COMPLETE, acknowledged=timedelta(days=4), within_window=False, region=None),
        organisation_row(ResponseStatus.NOT_APPLICABLE, acknowledged=timedelta(minutes=5), within_window=True),
        organisation_row(ResponseStatus.UNABLE_TO_IMPLEMENT, acknowledged=timedelta(hours=50), within_window=False),
    ]
    written = tables.organisation_rows(rows)
    same_markup(written, ALERT_ROWS, rows)
    assert "Trust &amp; &lt;Co&gt;" in written
    assert written.count("nhsuk-tag--yellow") == 2


def alert_summary(severity: str, *, status=AlertStatus.PUBLISHED, required=True, passed=True, figures=(40, 25, 5)):
    alert = Alert(
        threat_id="CC-4321",
        title="Fix <everything> & more",
        severity=severity,
        status=status,
        published_at=PUBLISHED,
        response_required=required,  # no deadline without
    )
    in_scope, within_window, late = figures
    acknowledgements = Acknowledgements(in_scope=in_scope, within_window=within_window, late=late)
    return AlertSummary(alert=alert, acknowledgements=acknowledgements, deadline_passed=passed)


def test_the_reports_lists_rows_are_the_templates_markup():
    summaries = [
        alert_summary("high"),
        alert_summary("medium", passed=False),
        alert_summary("low", status=AlertStatus.CLOSED),
        alert_summary("unknown", figures=(0, 0, 0)),
        alert_summary("high", required=False, passed=False),
    ]
    written = tables.alert_summary_rows(summaries)
    same_markup(written, SUMMARY_ROWS, summaries)
    assert "Fix &lt;everything&gt; &amp; more" in written
    assert "(still open)" in written
    assert "Alert closed" in written
    assert tables.alert_summary_rows([]) == ""


def history_row(status: str, outcome: str, **fields) -> HistoryRow:
    alert_status = fields.pop("alert_status", AlertStatus.PUBLISHED)
    alert = Alert(threat_id="CC-4321", title="Fix <everything> & more", status=alert_status, published_at=PUBLISHED)
    organisation = Organisation(ods_code="RJ1", name=ODD_NAME, organisation_type=OrganisationType.NHS_TRUST)
    row_fields = {
        name: fields.pop(name)
        for name in ("time_to_acknowledge", "time_to_complete", "review_due", "reacknowledgement_overdue")
        if name in fields
    }
    response = Response(alert=alert, organisation=organisation, status=status, **fields)
    return HistoryRow(
        response=response,
        outcome=outcome,
        time_to_acknowledge=row_fields.get("time_to_acknowledge"),
        time_to_complete=row_fields.get("time_to_complete"),
        review_due=row_fields.get("review_due", False),
        reacknowledgement_overdue=row_fields.get("reacknowledgement_overdue", False),
    )


HISTORY = [
    history_row(ResponseStatus.NOT_ACKNOWLEDGED, "Not yet due"),
    history_row(ResponseStatus.NOT_ACKNOWLEDGED, "Missed"),
    history_row(
        ResponseStatus.IN_PROGRESS,
        "Within the window",
        acknowledged_at=PUBLISHED + timedelta(hours=1),
        acknowledged_within_window=True,
        next_update_due_on=date(2026, 4, 1),
        time_to_acknowledge=timedelta(hours=1),
    ),
    history_row(
        ResponseStatus.UNABLE_TO_IMPLEMENT,
        "Late",
        acknowledged_at=PUBLISHED + timedelta(days=3),
        acknowledged_within_window=False,
        review_on=date(2026, 5, 1),
        review_due=True,
        time_to_acknowledge=timedelta(days=3),
    ),
    history_row(ResponseStatus.UNABLE_TO_IMPLEMENT, "Late", acknowledged_at=PUBLISHED, review_on=date(2026, 6, 1)),
    history_row(ResponseStatus.UNABLE_TO_IMPLEMENT, "Within the window", acknowledged_at=PUBLISHED),
    history_row(
        ResponseStatus.COMPLETE,
        "Within the window",
        acknowledged_at=PUBLISHED + timedelta(minutes=10),
        reacknowledgement_due_at=PUBLISHED + timedelta(days=10),
        reacknowledgement_overdue=True,
        time_to_acknowledge=timedelta(minutes=10),
        time_to_complete=timedelta(days=2),
    ),
    history_row(
        ResponseStatus.NOT_APPLICABLE,
        "Within the window",
        acknowledged_at=PUBLISHED,
        reacknowledgement_due_at=PUBLISHED + timedelta(days=10),
    ),
    history_row(
        ResponseStatus.COMPLETE,
        "Within the window",
        acknowledged_at=PUBLISHED,
        reacknowledgement_due_at=PUBLISHED + timedelta(days=10),
        alert_status=AlertStatus.CLOSED,
    ),
]


def test_an_organisations_history_rows_are_the_templates_markup():
    written = tables.history_rows(HISTORY)
    same_markup(written, HISTORY_ROWS, HISTORY)
    assert "Fix &lt;everything&gt; &amp; more" in written
    assert "Acknowledge the update by" in written
    assert "Review on 1 May 2026" in written


@pytest.mark.parametrize("rows", [HISTORY[3:6], []])
def test_an_organisations_exception_rows_are_the_templates_markup(rows):
    written = tables.exception_rows(rows)
    same_markup(written, EXCEPTION_ROWS, rows)
    assert written.count("<tr") == len(rows)


GROUPS = [
    GroupFigures(
        "NHS Trust", Acknowledgements(in_scope=8573, within_window=6001, late=2), StatusCounts(8573, 10, 6000, 3, 2)
    ),
    GroupFigures('Care Trust & <Partners> "North"', Acknowledgements(in_scope=3, late=1), StatusCounts(3, 1)),
    GroupFigures("No region", Acknowledgements(), StatusCounts()),
]


@pytest.mark.parametrize("statuses", [True, False])
@pytest.mark.parametrize("caption", ["Responses by region", 'Trust & <Co> "North"'])
def test_an_acknowledgement_table_is_the_macros_markup(caption, statuses):
    written = tables.acknowledgement_table(caption, "Region & <more>", GROUPS, statuses=statuses)
    by_macro = engines["jinja2"].from_string(
        ACKNOWLEDGEMENT_TABLE + "{{ acknowledgement_table(caption, heading, groups, statuses=statuses) }}"
    )
    macro = by_macro.render({"caption": caption, "heading": "Region & <more>", "groups": GROUPS, "statuses": statuses})
    assert tree(parse(written)) == tree(parse(macro))
    assert written.count("<tr") == len(GROUPS) + 1
