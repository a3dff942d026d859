"""The CSOC audit log page: who may see it, its filters and their errors."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from respond.core.audit import Auditor
from tests.core.html import parse

LONDON = ZoneInfo("Europe/London")
URL = reverse("core:audit_log")


@pytest.fixture
def entries(trust_a, alice):
    """Three entries on three days: a user's change, a system job and another user's change."""
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=LONDON), tick=False):
        Auditor.for_user(alice).log("test.organisation_renamed", trust_a)
    with time_machine.travel(datetime(2025, 3, 10, 23, 30, tzinfo=LONDON), tick=False):
        Auditor.system("ods import").log("test.ods_imported", object_type="ods.Import", object_repr="weekly")
    with time_machine.travel(datetime(2025, 3, 20, 0, 30, tzinfo=LONDON), tick=False):
        Auditor.for_user(alice).log("test.membership_added", alice)


def actions_shown(response):
    page = parse(response.content)
    return [row.find_all("td")[2].text for row in page.find_all("tr", class_="nhsuk-table__row")]


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize("person", ["auditor", "bob", "alice"])
def test_only_the_csoc_may_see_it(request, signed_in, person):
    response = signed_in(request.getfixturevalue(person)).get(URL)
    assert response.status_code == 403
    page = parse(response.content)
    assert page.find("h1").text == "You do not have permission to see this page"
    assert "test.organisation_renamed" not in response.content.decode()


@pytest.mark.django_db
def test_csoc_sees_every_entry_newest_first(signed_in, csoc, entries):
    response = signed_in(csoc).get(URL)
    assert response.status_code == 200
    shown = [action for action in actions_shown(response) if action.startswith("test.")]
    assert shown == ["test.membership_added", "test.ods_imported", "test.organisation_renamed"]
    page = parse(response.content)
    assert page.find("title").text.startswith("Audit log")
    assert not page.find_all("div", class_="nhsuk-error-summary")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "ods import"}, ["test.ods_imported"]),
        ({"action": "membership"}, ["test.membership_added"]),
        ({"object_type": "organisations.organisation"}, ["test.organisation_renamed"]),
        (
            {"date_from_day": "10", "date_from_month": "3", "date_from_year": "2025"},
            ["test.membership_added", "test.ods_imported"],
        ),
        # Dates are London dates: 23:30 on 10 March is still 10 March, though it is later in UTC.
        (
            {"date_to_day": "10", "date_to_month": "mar", "date_to_year": "2025"},
            ["test.ods_imported", "test.organisation_renamed"],
        ),
        (
            {
                **{"date_from_day": "4", "date_from_month": "3", "date_from_year": "2025"},
                **{"date_to_day": "19", "date_to_month": "3", "date_to_year": "2025"},
            },
            ["test.ods_imported"],
        ),
    ],
)
def test_filters(signed_in, csoc, entries, query, expected):
    response = signed_in(csoc).get(URL, query)
    assert response.status_code == 200
    assert [action for action in actions_shown(response) if action.startswith("test.")] == expected
    page = parse(response.content)
    for name, value in query.items():
        assert page.find("input", name=name).get("value") == value


@pytest.mark.django_db
def test_a_bad_date_gets_a_specific_error_linked_to_the_day_box(signed_in, csoc, entries):
    response = signed_in(csoc).get(URL, {"date_from_day": "31", "date_from_month": "2", "date_from_year": "2025"})
    page = parse(response.content)
    assert page.find("title").text.startswith("Error: Audit log")
    summary = page.find("div", class_="nhsuk-error-summary")
    link = summary.find("a")
    assert link.text == "From date must be a real date"
    assert link.get("href") == "#id_date_from_day"
    assert page.by_id("id_date_from_day").get("value") == "31"
    assert "Error: From date must be a real date" in page.by_id("id_date_from-error").text


@pytest.mark.django_db
def test_to_date_before_from_date_is_an_error(signed_in, csoc, entries):
    query = {
        **{"date_from_day": "20", "date_from_month": "3", "date_from_year": "2025"},
        **{"date_to_day": "1", "date_to_month": "3", "date_to_year": "2025"},
    }
    page = parse(signed_in(csoc).get(URL, query).content)
    link = page.find("div", class_="nhsuk-error-summary").find("a")
    assert link.text == "To date must be the same as or after the from date"
    assert link.get("href") == "#id_date_to_day"
