"""Date inputs are written out by core/fields/date-input.html rather than nhsuk-frontend's macro (for speed): the
markup must be the macro's, element for element and attribute for attribute, in every state of the field."""

import pytest
from django.template import engines

from respond.core.forms.rendering import Display
from tests.core.forms_for_tests import ResponseForm
from tests.core.html import Element, parse

MACRO = '{% from "nhsuk/components/date-input/macro.jinja" import dateInput %}{{ dateInput(params) }}'
VALID = {"status": "in_progress", "contact": "a@example.org"}


def tree(element: Element) -> tuple:
    """Tags, attributes (classes as a set) and text, without the whitespace between elements."""
    children = tuple(
        tree(child) if isinstance(child, Element) else " ".join(child.split())
        for child in element.children
        if isinstance(child, Element) or child.strip()
    )
    attributes = {name: value for name, value in element.attrs.items() if name != "class"}
    return element.tag, frozenset(element.classes), tuple(sorted(attributes.items())), children


@pytest.mark.parametrize(
    ("data", "display"),
    [
        (None, {}),
        (None, {"label_size": "s", "hint": "For example, 1 4 2026"}),
        ({**VALID, "implemented_on_day": "31", "implemented_on_month": "2", "implemented_on_year": "2026"}, {}),
        ({**VALID, "implemented_on_day": "", "implemented_on_month": "", "implemented_on_year": ""}, {}),
        ({**VALID, "implemented_on_day": "x", "implemented_on_month": "13", "implemented_on_year": "2026"}, {}),
        ({**VALID, "implemented_on_day": "1", "implemented_on_month": "4", "implemented_on_year": "2026"}, {}),
        (None, {"classes": "app-dates", "attributes": {"data-module": "app-dates"}}),
    ],
)
def test_the_date_input_is_the_macros_markup(data, display):
    form = ResponseForm(data)
    if data is not None:
        form.is_valid()
    field = form["implemented_on"]
    written = field.as_nhsuk(**display)
    _, params = field._component(field.field.widget, Display(**display))
    by_macro = engines["jinja2"].from_string(MACRO).render({"params": params})
    assert tree(parse(written)) == tree(parse(by_macro))
    assert "nhsuk-date-input" in written
