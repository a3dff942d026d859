"""The report pages' summary lists are written in Python (components.summary_list) rather than by nhsuk-frontend's
macro, for speed: the markup must be the macro's, element for element."""

import pytest
from django.template import engines
from markupsafe import Markup

from respond.core.components import summary_list
from tests.core.html import parse
from tests.core.test_date_input_markup import tree

MACRO = '{% from "nhsuk/components/summary-list/macro.jinja" import summaryList %}{{ summaryList(params) }}'


@pytest.mark.parametrize(
    "params",
    [
        {"rows": [{"key": {"text": "Published"}, "value": {"text": "7 December 2026, 9:00am"}}]},
        {
            "rows": [
                {"key": {"text": "Leeds & York <Partnership>"}, "value": {"text": '12 of 40 (30%) "so far"'}},
                {"key": {"text": "Empty"}, "value": {"text": ""}},
                {"key": {"html": Markup("<strong>Bold</strong> key")}, "value": {"html": Markup("<a href='/x'>x</a>")}},
                {"key": "Plain key", "value": "Plain <value>"},
            ],
            "classes": "app-figures",
        },
        {"rows": []},
    ],
)
def test_summary_list_is_the_macros_markup(params):
    written = summary_list(params)
    by_macro = engines["jinja2"].from_string(MACRO).render({"params": params})
    assert tree(parse(written)) == tree(parse(by_macro))


def test_summary_list_escapes_text_and_refuses_what_it_cannot_write():
    written = summary_list({"rows": [{"key": {"text": "<b>"}, "value": {"text": "a & b"}}]})
    assert "&lt;b&gt;" in written
    assert "a &amp; b" in written
    with pytest.raises(ValueError, match="card"):
        summary_list({"rows": [], "card": {"title": "x"}})
    with pytest.raises(ValueError, match="actions"):
        summary_list({"rows": [{"key": "k", "value": "v", "actions": {"items": []}}]})
