"""Each NHS.UK field rendered from a bound form, with good and bad data."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.core.forms_for_tests import VALID_DATA, ResponseForm, bound, form_data
from tests.core.html import parse


def error_text(page, field_id):
    message = page.by_id(f"{field_id}-error")
    assert "nhsuk-error-message" in message.classes
    hidden = message.find("span", class_="nhsuk-u-visually-hidden")
    assert hidden.text == "Error:"
    return message.text.removeprefix("Error:").strip()


def test_valid_form_cleans_to_python_values():
    form = bound()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["implemented_on"] == date(2025, 3, 27)
    assert form.cleaned_data["systems"] == ["email", "vpn"]
    assert form.cleaned_data["confirm"] is True


class TestTextInput:
    def test_unbound_has_label_hint_and_describedby(self):
        page = parse(ResponseForm()["contact_email"].as_nhsuk())
        field = page.by_id("id_contact_email")
        assert field.tag == "input"
        assert field.get("type") == "email"
        assert field.get("name") == "contact_email"
        assert not field.has("value")
        assert field.get("aria-describedby") == "id_contact_email-hint"
        assert page.find("label", for_="id_contact_email").text == "Contact email"
        assert page.by_id("id_contact_email-hint").text == "We will send updates here"
        assert "nhsuk-form-group--error" not in page.find("div", class_="nhsuk-form-group").classes

    def test_bad_value_shows_error_and_keeps_what_was_typed(self):
        page = parse(bound(contact_email="not an email")["contact_email"].as_nhsuk())
        field = page.by_id("id_contact_email")
        assert field.get("value") == "not an email"
        assert "nhsuk-input--error" in field.classes
        assert field.get("aria-describedby") == "id_contact_email-hint id_contact_email-error"
        assert error_text(page, "id_contact_email") == "Enter an email address like name@nhs.net"
        assert "nhsuk-form-group--error" in page.find("div", class_="nhsuk-form-group").classes

    def test_missing_value_gets_the_specific_required_message(self):
        page = parse(bound(contact_email="")["contact_email"].as_nhsuk())
        assert error_text(page, "id_contact_email") == "Enter a contact email"

    def test_display_options(self):
        html = ResponseForm()["contact_email"].as_nhsuk(
            label="Email", label_size="l", is_page_heading=True, width=20, autocomplete="email"
        )
        page = parse(html)
        heading = page.find("h1", class_="nhsuk-label-wrapper")
        assert heading.find("label").classes >= {"nhsuk-label", "nhsuk-label--l"}
        assert heading.text == "Email"
        field = page.by_id("id_contact_email")
        assert "nhsuk-input--width-20" in field.classes
        assert field.get("autocomplete") == "email"

    def test_extra_attributes_and_another_input_type(self):
        page = parse(ResponseForm()["contact_email"].as_nhsuk(attributes={"type": "search", "data-filter": "email"}))
        field = page.by_id("id_contact_email")
        assert field.get("type") == "search"
        assert field.get("data-filter") == "email"
        assert 'type="email"' not in ResponseForm()["contact_email"].as_nhsuk(attributes={"type": "search"})

    def test_unknown_display_options_are_refused(self):
        with pytest.raises(ValueError, match="label_size"):
            ResponseForm()["contact_email"].as_nhsuk(label_size="huge")
        with pytest.raises(ValueError, match="width"):
            ResponseForm()["contact_email"].as_nhsuk(width=7)
        with pytest.raises(TypeError):
            ResponseForm()["contact_email"].as_nhsuk(colour="red")

    def test_labels_and_values_are_escaped(self):
        page_html = bound(contact_email='"><script>alert(1)</script>')["contact_email"].as_nhsuk(label="<b>Email</b>")
        assert "<script>" not in page_html
        assert "<b>" not in page_html
        page = parse(page_html)
        assert page.by_id("id_contact_email").get("value") == '"><script>alert(1)</script>'


class TestTextarea:
    def test_keeps_submitted_text(self):
        page = parse(bound(status="unable", reason="The supplier has <no> patch")["reason"].as_nhsuk(rows=3))
        textarea = page.by_id("id_reason")
        assert textarea.tag == "textarea"
        assert textarea.text == "The supplier has <no> patch"
        assert textarea.get("rows") == "3"
        assert page.find("label", for_="id_reason").text == "Why?"


class TestRadios:
    def test_legend_hint_and_item_ids(self):
        page = parse(ResponseForm()["status"].as_nhsuk(label_size="m"))
        legend = page.find("legend")
        assert legend.text == "What is the status of the fix?"
        assert "nhsuk-fieldset__legend--m" in legend.classes
        assert page.find("fieldset").get("aria-describedby") == "id_status-hint"
        radios = page.find_all("input", type="radio")
        assert [radio.get("id") for radio in radios] == ["id_status", "id_status-2", "id_status-3"]
        assert [radio.get("value") for radio in radios] == ["implemented", "in_progress", "unable"]
        assert not any(radio.has("checked") for radio in radios)
        assert page.by_id("id_status-3-item-hint").text == "For example, the supplier has no patch yet"

    def test_error_and_checked_value_are_kept(self):
        form = bound(status="unable", reason="")
        page = parse(form["status"].as_nhsuk())
        checked = [radio.get("value") for radio in page.find_all("input", type="radio") if radio.has("checked")]
        assert checked == ["unable"]
        assert error_text(page, "id_reason") == "Enter why you are unable to implement the fix"

    def test_missing_choice_error(self):
        page = parse(bound(status=None)["status"].as_nhsuk())
        assert error_text(page, "id_status") == "Select the status of the fix"
        assert page.find("fieldset").get("aria-describedby") == "id_status-hint id_status-error"

    def test_conditional_reveal_markup(self):
        page = parse(ResponseForm()["status"].as_nhsuk())
        unable = page.by_id("id_status-3")
        assert unable.get("data-aria-controls") == "conditional-id_status-3"
        conditional = page.by_id("conditional-id_status-3")
        # Hidden only once the frontend's JavaScript runs; without it the question is always shown.
        assert conditional.classes == {"nhsuk-radios__conditional", "nhsuk-radios__conditional--hidden"}
        assert conditional.find("textarea").get("id") == "id_reason"
        assert not page.by_id("id_status").has("data-aria-controls")

    def test_selected_reveal_is_open_and_keeps_its_answer(self):
        page = parse(bound(status="unable", reason="No patch", contact_email="bad")["status"].as_nhsuk())
        conditional = page.by_id("conditional-id_status-3")
        assert "nhsuk-radios__conditional--hidden" not in conditional.classes
        assert conditional.find("textarea").text == "No patch"

    def test_inline_and_small(self):
        page = parse(ResponseForm()["status"].as_nhsuk(inline=True, small=True))
        assert page.find("div", class_="nhsuk-radios").classes >= {"nhsuk-radios--inline", "nhsuk-radios--small"}


class TestConditionalValidation:
    def test_revealed_field_is_required_when_its_choice_is_selected(self):
        form = bound(status="unable", reason="")
        assert not form.is_valid()
        assert form.errors["reason"] == ["Enter why you are unable to implement the fix"]

    def test_revealed_field_is_saved_when_its_choice_is_selected(self):
        form = bound(status="unable", reason="No patch from the supplier")
        assert form.is_valid(), form.errors
        assert form.cleaned_data["reason"] == "No patch from the supplier"

    def test_hidden_field_is_not_required_and_what_was_typed_is_dropped(self):
        form = bound(status="implemented", reason="typed before changing my mind")
        assert form.is_valid(), form.errors
        assert form.cleaned_data["reason"] == ""

    def test_hidden_field_is_not_validated(self):
        form = bound(systems=["email"], other_system="x" * 10_000)
        assert form.is_valid(), form.errors
        assert form.cleaned_data["other_system"] == ""

    def test_checkbox_reveal(self):
        form = bound(systems=["email", "other"], other_system="")
        assert not form.is_valid()
        assert form.errors["other_system"] == ["Enter the name of the system"]
        page = parse(form["systems"].as_nhsuk())
        conditional = page.by_id("conditional-id_systems-3")
        assert "nhsuk-checkboxes__conditional--hidden" not in conditional.classes
        assert conditional.find("input").get("id") == "id_other_system"


class TestCheckboxes:
    def test_checked_values_are_kept(self):
        page = parse(bound(systems=["vpn", "other"], other_system="Pager", contact_email="bad")["systems"].as_nhsuk())
        boxes = page.find_all("input", type="checkbox")
        assert [box.get("id") for box in boxes] == ["id_systems", "id_systems-2", "id_systems-3"]
        assert [box.get("value") for box in boxes if box.has("checked")] == ["vpn", "other"]
        assert page.find("legend").text == "Which systems are affected?"
        assert page.by_id("id_other_system").get("value") == "Pager"

    def test_none_selected_error(self):
        page = parse(bound(systems=None)["systems"].as_nhsuk())
        assert error_text(page, "id_systems") == "Select the affected systems"
        assert page.find("fieldset").get("aria-describedby") == "id_systems-error"

    def test_invalid_choice_error(self):
        form = bound(systems=["email", "fax"])
        assert not form.is_valid()
        assert "fax is not one of the available choices" in form.errors["systems"][0]


class TestSingleCheckbox:
    def test_checked_is_kept(self):
        page = parse(bound(contact_email="bad")["confirm"].as_nhsuk())
        box = page.by_id("id_confirm")
        assert box.get("type") == "checkbox"
        assert box.has("checked")
        assert page.find("label", for_="id_confirm").text == "I confirm this is correct"

    def test_unticked_error(self):
        page = parse(bound(confirm=None)["confirm"].as_nhsuk())
        assert not page.by_id("id_confirm").has("checked")
        assert error_text(page, "id_confirm") == "Confirm that this is correct"


class TestSelect:
    def test_selected_value_is_kept(self):
        page = parse(bound(organisation_type="icb", contact_email="bad")["organisation_type"].as_nhsuk())
        select = page.by_id("id_organisation_type")
        assert select.tag == "select"
        options = select.find_all("option")
        assert [option.get("value") for option in options] == ["", "trust", "icb"]
        assert [option.text for option in options if option.has("selected")] == ["Integrated care board"]

    def test_missing_choice_error(self):
        page = parse(bound(organisation_type="")["organisation_type"].as_nhsuk())
        assert error_text(page, "id_organisation_type") == "Select an organisation type"
        assert "nhsuk-select--error" in page.by_id("id_organisation_type").classes


class TestFileUpload:
    def upload(self, name, content):
        return ResponseForm(form_data(), {"evidence": SimpleUploadedFile(name, content)})

    def test_accepted_file(self):
        form = self.upload("evidence.PDF", b"%PDF-1.7")
        assert form.is_valid(), form.errors
        assert form.cleaned_data["evidence"].name == "evidence.PDF"

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("evidence.exe", b"MZ", "The selected file must be a PDF or CSV"),
            ("evidence.csv", b"x" * 1025, "The selected file must be smaller than 1KB"),
            ("evidence.csv", b"", "The selected file is empty"),
        ],
    )
    def test_bad_files(self, name, content, message):
        form = self.upload(name, content)
        assert not form.is_valid()
        page = parse(form["evidence"].as_nhsuk())
        assert error_text(page, "id_evidence") == message
        field = page.by_id("id_evidence")
        assert field.get("type") == "file"
        assert field.get("accept") == ".pdf,.csv"
        assert field.get("aria-describedby") == "id_evidence-error"


class TestDateInput:
    def test_unbound_with_initial(self):
        form = ResponseForm(initial={"implemented_on": date(2025, 3, 7)})
        page = parse(form["implemented_on"].as_nhsuk())
        fieldset = page.find("fieldset")
        assert fieldset.get("role") == "group"
        assert fieldset.get("aria-describedby") == "id_implemented_on-hint"
        assert page.find("legend").text == "Date implemented"
        inputs = page.find_all("input")
        assert [(i.get("id"), i.get("name"), i.get("value")) for i in inputs] == [
            ("id_implemented_on_day", "implemented_on_day", "7"),
            ("id_implemented_on_month", "implemented_on_month", "3"),
            ("id_implemented_on_year", "implemented_on_year", "2025"),
        ]
        assert [page.find("label", for_=i.get("id")).text for i in inputs] == ["Day", "Month", "Year"]
        assert all(i.get("inputmode") == "numeric" for i in inputs)

    def test_month_name_is_understood(self):
        form = bound(implemented_on_month="March")
        assert form.is_valid(), form.errors
        assert form.cleaned_data["implemented_on"] == date(2025, 3, 27)

    @pytest.mark.parametrize(
        ("day", "month", "year", "message", "parts_in_error"),
        [
            ("", "", "", "Enter the date implemented", {"day", "month", "year"}),
            ("27", "3", "", "Date implemented must include a year", {"year"}),
            ("", "", "2025", "Date implemented must include a day and month", {"day", "month"}),
            ("31", "2", "2025", "Date implemented must be a real date", {"day"}),
            ("12", "13", "2025", "Date implemented must be a real date", {"month"}),
            ("first", "3", "2025", "Date implemented must be a real date", {"day"}),
            ("27", "3", "25", "Year must include 4 numbers", {"year"}),
            (
                "1",
                "1",
                "2019",
                "Date implemented must be the same as or after 1 January 2020",
                {"day", "month", "year"},
            ),
            (
                "1",
                "1",
                "2031",
                "Date implemented must be the same as or before 31 December 2030",
                {"day", "month", "year"},
            ),
        ],
    )
    def test_specific_errors_keep_what_was_typed(self, day, month, year, message, parts_in_error):
        form = bound(implemented_on_day=day, implemented_on_month=month, implemented_on_year=year)
        assert not form.is_valid()
        assert form.errors["implemented_on"] == [message]
        page = parse(form["implemented_on"].as_nhsuk())
        assert error_text(page, "id_implemented_on") == message
        assert page.find("fieldset").get("aria-describedby") == "id_implemented_on-hint id_implemented_on-error"
        typed = {"day": day, "month": month, "year": year}
        for part in ("day", "month", "year"):
            box = page.by_id(f"id_implemented_on_{part}")
            assert (box.get("value") or "") == typed[part]
            assert ("nhsuk-input--error" in box.classes) == (part in parts_in_error), part

    def test_optional_date_may_be_left_empty(self):
        from respond.core.forms import AuditLogFilterForm

        form = AuditLogFilterForm({"date_from_day": "", "date_from_month": "", "date_from_year": ""})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["date_from"] is None

    def test_has_changed(self):
        form = ResponseForm({**VALID_DATA}, initial={"implemented_on": date(2025, 3, 27)})
        assert not form["implemented_on"]._has_changed()
        form = ResponseForm({**VALID_DATA, "implemented_on_day": "28"}, initial={"implemented_on": date(2025, 3, 27)})
        assert form["implemented_on"]._has_changed()
