"""The error summary and the "Error: " page title, rendered through layout.html."""

import pytest
from django import forms

from tests.core.forms_for_tests import PAGE, ResponseForm, bound, render_page
from tests.core.html import parse

DASH = "\u2013"  # the en dash in page titles


def summary_items(page):
    summary = page.find("div", class_="nhsuk-error-summary")
    assert summary.find("h2").text == "There is a problem"
    items = []
    for item in summary.find_all("li"):
        links = item.find_all("a")
        items.append((item.text, links[0].get("href") if links else None))
    return items


def test_every_error_links_to_the_first_input_of_its_field():
    form = bound(
        status="unable",
        reason="",
        systems=None,
        implemented_on_year="",
        organisation_type="",
        contact_email="",
        confirm=None,
    )
    page = parse(render_page(PAGE, form=form))
    # In the order the fields appear on the page; "Why?" sits inside the status question.
    assert summary_items(page) == [
        ("Enter why you are unable to implement the fix", "#id_reason"),
        ("Select the affected systems", "#id_systems"),
        ("Date implemented must include a year", "#id_implemented_on_day"),
        ("Select an organisation type", "#id_organisation_type"),
        ("Enter a contact email", "#id_contact_email"),
        ("Confirm that this is correct", "#id_confirm"),
    ]
    # Every link lands on an element of the page.
    for _, href in summary_items(page):
        assert page.by_id(href.removeprefix("#"))


def test_radio_errors_link_to_the_first_radio():
    page = parse(render_page(PAGE, form=bound(status=None)))
    assert summary_items(page) == [("Select the status of the fix", "#id_status")]
    assert page.by_id("id_status").get("value") == "implemented"


def test_non_field_errors_are_listed_without_a_link():
    page = parse(render_page(PAGE, form=bound(status="in_progress")))
    assert summary_items(page) == [("A fix in progress cannot have a date implemented", None)]


def test_page_title_starts_with_error_only_when_the_form_has_errors():
    failed = parse(render_page(PAGE, form=bound(contact_email="")))
    assert failed.find("title").text == f"Error: Respond to the alert {DASH} Respond to a cyber alert {DASH} NHS"

    for form in (ResponseForm(), bound()):
        page = parse(render_page(PAGE, form=form))
        assert page.find("title").text == f"Respond to the alert {DASH} Respond to a cyber alert {DASH} NHS"
        assert not page.find_all("div", class_="nhsuk-error-summary")


class SearchForm(forms.Form):
    query = forms.CharField(label="Search", error_messages={"required": "Enter something to search for"})


OTHER_NAMES_PAGE = """{% extends "layout.html" %}
{% set error_form = search_form %}
{% block title %}Search{% endblock %}
{% block main_content %}{{ search_form.query.as_widget() }}{% endblock %}"""


def test_a_page_can_name_its_form_error_form():
    page = parse(render_page(OTHER_NAMES_PAGE, search_form=SearchForm({"query": ""})))
    assert page.find("title").text.startswith("Error: Search")
    # A plain Django form links to its field's id.
    assert summary_items(page) == [("Enter something to search for", "#id_query")]


def test_a_view_can_pass_error_form_in_the_context():
    source = OTHER_NAMES_PAGE.replace("{% set error_form = search_form %}\n", "")
    page = parse(render_page(source, search_form=SearchForm({"query": ""}), error_form=SearchForm({"query": ""})))
    assert page.find("title").text.startswith("Error: Search")


@pytest.mark.parametrize("failing", [0, 1])
def test_a_list_of_forms_shares_one_summary(failing):
    forms_on_page = [
        SearchForm({"first-query": "phishing"}, prefix="first"),
        SearchForm({"second-query": "ransomware"}, prefix="second"),
    ]
    forms_on_page[failing] = SearchForm({}, prefix=["first", "second"][failing])
    source = OTHER_NAMES_PAGE.replace("{% set error_form = search_form %}\n", "")
    page = parse(render_page(source, forms=forms_on_page, search_form=SearchForm()))
    assert page.find("title").text.startswith("Error: Search")
    prefix = ["first", "second"][failing]
    assert summary_items(page) == [("Enter something to search for", f"#id_{prefix}-query")]


def test_forms_without_errors_in_a_list_do_not_trigger_it():
    source = OTHER_NAMES_PAGE.replace("{% set error_form = search_form %}\n", "")
    page = parse(render_page(source, forms=[SearchForm({"query": "ok"})], search_form=SearchForm()))
    assert page.find("title").text == f"Search {DASH} Respond to a cyber alert {DASH} NHS"


def test_context_variables_that_are_not_forms_are_ignored():
    source = OTHER_NAMES_PAGE.replace("{% set error_form = search_form %}\n", "")
    for context in ({"forms": None}, {"forms": "not forms"}, {"form": None}, {"error_form": {"errors": ["x"]}}):
        page = parse(render_page(source, search_form=SearchForm(), **context))
        assert page.find("title").text == f"Search {DASH} Respond to a cyber alert {DASH} NHS"


def test_the_summary_can_be_included_on_its_own_with_form():
    source = """{% from "nhsuk/components/error-summary/macro.jinja" import errorSummary %}
{% include "core/error_summary.html" %}"""
    page = parse(render_page(source, form=SearchForm({"query": ""})))
    assert summary_items(page) == [("Enter something to search for", "#id_query")]
