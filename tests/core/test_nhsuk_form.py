"""NhsukForm as a whole: rendering every field once, model forms, and mistakes in declaring reveals."""

from collections import Counter

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured

from respond.core.forms import CharField, NhsukForm, NhsukModelForm, RadioField
from respond.organisations.models import Region
from tests.core.forms_for_tests import VALID_DATA, ResponseForm
from tests.core.html import parse
from tests.factories import RegionFactory

YES_NO = [("yes", "Yes"), ("no", "No")]


def test_as_nhsuk_renders_each_field_once_with_revealed_fields_inside_their_choice():
    page = parse(ResponseForm(VALID_DATA).as_nhsuk())
    duplicated = [id_ for id_, count in Counter(page.ids()).items() if count > 1]
    assert duplicated == []
    assert page.by_id("conditional-id_status-3").find("textarea").get("id") == "id_reason"
    assert page.by_id("conditional-id_systems-3").find("input").get("id") == "id_other_system"
    names = {element.get("name") for element in page.iter() if element.get("name")}
    assert names >= set(ResponseForm.base_fields) - {"implemented_on"}
    assert {"implemented_on_day", "implemented_on_month", "implemented_on_year"} <= names


def test_a_reveal_naming_a_missing_field_is_refused():
    class Broken(NhsukForm):
        answer = RadioField(label="Answer", choices=YES_NO, reveals={"yes": ["details"]})

    with pytest.raises(ImproperlyConfigured, match="'details', which is not a field"):
        Broken()


def test_fields_revealing_each_other_are_refused():
    class Loop(NhsukForm):
        first = RadioField(label="First", choices=YES_NO, reveals={"yes": ["second"]})
        second = RadioField(label="Second", choices=YES_NO, reveals={"yes": ["first"]})

    with pytest.raises(ImproperlyConfigured, match="loop"):
        Loop()


def test_a_field_revealed_twice_is_refused():
    class Twice(NhsukForm):
        answer = RadioField(label="Answer", choices=YES_NO, reveals={"yes": ["details"], "no": ["details"]})
        details = CharField(label="Details")

    with pytest.raises(ImproperlyConfigured, match="only one choice"):
        Twice()


def test_reveals_need_an_nhsuk_form():
    class Plain(forms.Form):
        answer = RadioField(label="Answer", choices=YES_NO, reveals={"yes": ["details"]})
        details = CharField(label="Details")

    with pytest.raises(ImproperlyConfigured, match="NhsukForm"):
        Plain()["answer"]


def test_a_reveal_for_a_choice_not_offered_is_refused():
    class Mistyped(NhsukForm):
        answer = RadioField(label="Answer", choices=YES_NO, reveals={"Yes": ["details"]})
        details = CharField(label="Details")

    with pytest.raises(ImproperlyConfigured, match="'Yes'"):
        Mistyped()["answer"].as_nhsuk()


class RegionForm(NhsukModelForm):
    has_ons_code = RadioField(label="Does it have an ONS code?", choices=YES_NO, reveals={"yes": ["ons_code"]})

    class Meta:
        model = Region
        fields = ["code", "name", "ons_code"]


@pytest.mark.django_db
def test_a_model_form_never_saves_a_hidden_answer():
    form = RegionForm({"code": "Y99", "name": "Test", "has_ons_code": "no", "ons_code": "E40000003"})
    assert form.is_valid(), form.errors
    region = form.save()
    region.refresh_from_db()
    assert region.ons_code == ""

    form = RegionForm({"code": "Y98", "name": "Test", "has_ons_code": "yes", "ons_code": "E40000003"})
    assert form.is_valid(), form.errors
    assert form.save().ons_code == "E40000003"


@pytest.mark.django_db
def test_model_choice_radios_keep_the_selected_object():
    london, north = RegionFactory(code="Y56", name="London"), RegionFactory(code="Y63", name="North East")

    class RegionChoiceForm(NhsukForm):
        region = forms.ModelChoiceField(
            Region.objects.order_by("name"),
            widget=forms.RadioSelect,
            empty_label=None,
            error_messages={"required": "Select a region"},
        )
        note = CharField(label="Note")

    page = parse(RegionChoiceForm({"region": str(north.pk), "note": ""})["region"].as_nhsuk())
    radios = page.find_all("input", type="radio")
    assert [radio.get("value") for radio in radios] == [str(london.pk), str(north.pk)]
    assert [radio.get("value") for radio in radios if radio.has("checked")] == [str(north.pk)]

    page = parse(RegionChoiceForm({"note": "x"})["region"].as_nhsuk())
    assert "Select a region" in page.by_id("id_region-error").text
