# ruff: noqa: E501 - the macro as it was, lines and all
"""The over-time report's month tables are written in Python (respond.reports.over_time_tables) for speed: their
markup must be what the month_table macro wrote (below, as it was) inside nhsuk-frontend's details macro, element for
element and attribute for attribute, text included: captions, awkward labels, no figures, no medians."""

from datetime import date, timedelta

import pytest
from django.template import engines

from respond.reports import over_time_tables
from respond.reports.over_time import GroupSeries, MonthFigures
from respond.reports.statistics import Acknowledgements, Medians, duration_text
from tests.core.html import parse
from tests.core.test_date_input_markup import tree

MONTH_TABLE = """
{%- macro share(part, whole) -%}
  {%- if whole -%}{{ part }} ({{ (100 * part / whole) | round | int }}%){%- else -%}{{ part }}{%- endif -%}
{%- endmacro %}
{% macro month_table(caption, months, duration_text, caption_hidden=false) -%}
<table class="nhsuk-table">
  <caption class="nhsuk-table__caption nhsuk-table__caption--s{% if caption_hidden %} nhsuk-u-visually-hidden{% endif %}">{{ caption }}</caption>
  <thead class="nhsuk-table__head">
    <tr>
      <th scope="col">Month published</th>
      <th scope="col" class="nhsuk-table__header--numeric">Responses due</th>
      <th scope="col" class="nhsuk-table__header--numeric">Acknowledged within the window</th>
      <th scope="col" class="nhsuk-table__header--numeric">Late</th>
      <th scope="col" class="nhsuk-table__header--numeric">Not acknowledged</th>
      <th scope="col">Median time to acknowledge</th>
      <th scope="col">Median time to complete</th>
    </tr>
  </thead>
  <tbody class="nhsuk-table__body">
  {% for month in months %}
    {% set figures = month.acknowledgements %}
    <tr class="nhsuk-table__row">
      <th scope="row" class="nhsuk-table__header">{{ month.month.strftime("%B %Y") }}</th>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ figures.in_scope }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ share(figures.within_window, figures.in_scope) }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ share(figures.late, figures.in_scope) }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ share(figures.not_acknowledged, figures.in_scope) }}</td>
      <td class="nhsuk-table__cell">{{ duration_text(month.medians.acknowledge) }}</td>
      <td class="nhsuk-table__cell">{{ duration_text(month.medians.complete) }}</td>
    </tr>
  {% endfor %}
  </tbody>
</table>
{%- endmacro %}
"""
DETAILS = """{% from "nhsuk/components/details/macro.jinja" import details %}
{%- for series in groups %}
  {{ details({"summaryText": series.label ~ ": month by month", "html": month_table(series.label ~ " month by month",
    series.months, duration_text, caption_hidden=true)}) }}
{% endfor %}"""
MONTHS = [
    MonthFigures(date(2026, 1, 1), Acknowledgements(in_scope=7, within_window=3, late=1), Medians()),
    MonthFigures(
        date(2026, 2, 1),
        Acknowledgements(in_scope=8573, within_window=6001, late=2),
        Medians(timedelta(minutes=90.5), timedelta(days=3, hours=2)),
    ),
    MonthFigures(date(2026, 3, 1), Acknowledgements(), Medians(timedelta(minutes=5))),
    MonthFigures(date(2026, 4, 1), Acknowledgements(in_scope=3, within_window=1, late=1), Medians()),
]


def by_macro(template: str, **context) -> str:
    return engines["jinja2"].from_string(MONTH_TABLE + template).render({"duration_text": duration_text, **context})


@pytest.mark.parametrize("caption_hidden", [False, True])
@pytest.mark.parametrize("caption", ["Each month", 'Trust & <Co> "North" month by month'])
def test_a_month_table_is_the_macros_markup(caption, caption_hidden):
    written = over_time_tables.month_table(caption, MONTHS, caption_hidden)
    macro = by_macro(
        "{{ month_table(caption, months, duration_text, caption_hidden=hidden) }}",
        caption=caption,
        months=MONTHS,
        hidden=caption_hidden,
    )
    assert tree(parse(written)) == tree(parse(macro))
    assert "90 minutes" in written or "1 hour 30 minutes" in written


def test_each_series_months_are_the_details_macros_markup():
    groups = [
        GroupSeries("London", MONTHS),
        GroupSeries("Care Trust & <Partners>", MONTHS[1:]),
        GroupSeries("No months", []),
    ]
    written = over_time_tables.months_of_each(groups)
    assert tree(parse(written)) == tree(parse(by_macro(DETAILS, groups=groups)))
    assert written.count("<details") == 3
