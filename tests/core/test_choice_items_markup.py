"""Checkboxes and radios without reveals have their items written in Python (components.choice_items) rather than
by nhsuk-frontend's macro, for speed: the markup must be the macro's, element for element, in every state."""

import pytest
from django import forms
from django.template import engines

from respond.core.forms import CheckboxesField, NhsukForm, RadioField
from respond.core.forms.rendering import Display
from tests.core.html import parse
from tests.core.test_date_input_markup import tree

MACRO = '{% from "nhsuk/components/checkboxes/macro.jinja" import checkboxes %}{{ checkboxes(params) }}'
RADIOS_MACRO = '{% from "nhsuk/components/radios/macro.jinja" import radios %}{{ radios(params) }}'


class OrganisationsForm(NhsukForm):
    organisations = CheckboxesField(
        label="Organisations",
        hint="Choose one or more",
        choices=[("1", "Leeds & York <Partnership>"), ("2", 'The "Quoted" Trust'), ("3", "North ICB")],
        choice_hints={"2": "Responded <already>"},
        error_messages={"required": "Choose at least one organisation"},
    )
    note = forms.CharField(required=False)


class ShowForm(NhsukForm):
    show = RadioField(
        label="Show",
        hint="Which responses",
        choices=[("open", "Open <now>"), ("overdue", 'The "overdue" ones'), ("all", "All")],
        choice_hints={"overdue": "Past <their> deadline"},
        error_messages={"required": "Choose what to show"},
    )


def written_and_by_macro(form_class, name, data, display, macro):
    """The field as as_nhsuk() writes it, and as the macro writes it from the same parameters."""
    form = form_class(data)
    if data is not None:
        form.is_valid()
    field = form[name]
    written = field.as_nhsuk(**display)
    _, params = field._component(field.field.widget, Display(**display))
    return written, engines["jinja2"].from_string(macro).render({"params": params})


@pytest.mark.parametrize(
    ("data", "display"),
    [
        (None, {}),
        ({"organisations": ["1", "3"]}, {"label_size": "m", "small": True}),
        ({"organisations": []}, {}),
        ({"organisations": ["2"]}, {"classes": "app-orgs", "attributes": {"data-module": "app-orgs"}}),
    ],
)
def test_checkbox_items_are_the_macros_markup(data, display):
    written, by_macro = written_and_by_macro(OrganisationsForm, "organisations", data, display, MACRO)
    assert tree(parse(written)) == tree(parse(by_macro))
    assert written.count('type="checkbox"') == 3
    assert "&lt;Partnership&gt;" in written
    assert "<Partnership>" not in written


def test_checkboxes_with_reveals_still_go_through_the_macro():
    from tests.core.forms_for_tests import ResponseForm

    field = ResponseForm()["systems"]
    written = field.as_nhsuk()
    assert 'data-aria-controls="conditional-id_systems-3"' in written


@pytest.mark.parametrize(
    ("data", "display"),
    [
        (None, {}),
        ({"show": "overdue"}, {"label_size": "s", "inline": True, "small": True}),
        ({"show": ""}, {}),
        ({"show": "all"}, {"classes": "app-show", "attributes": {"data-module": "app-show"}}),
    ],
)
def test_radio_items_are_the_macros_markup(data, display):
    written, by_macro = written_and_by_macro(ShowForm, "show", data, display, RADIOS_MACRO)
    assert tree(parse(written)) == tree(parse(by_macro))
    assert written.count('type="radio"') == 3
    assert "Open &lt;now&gt;" in written
    assert "<now>" not in written
    if data == {"show": ""}:
        assert "Choose what to show" in written
