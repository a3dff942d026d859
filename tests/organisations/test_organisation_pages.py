import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from respond.organisations.models import Organisation, OrganisationType
from tests.factories import OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db
LIST = "/organisations/"


def listed(response) -> list[str]:
    """The ODS codes in the list's table, in order."""
    return re.findall(r'<a href="/organisations/([A-Z0-9]+)/">', response.content.decode())


@pytest.fixture
def directory(db):
    london = RegionFactory(code="Y56", name="London")
    north_west = RegionFactory(code="Y62", name="North West")
    icb = OrganisationFactory(
        ods_code="QMJ", name="NHS North Central London ICB", organisation_type=OrganisationType.ICB, region=london
    )
    return {
        "icb": icb,
        "ucl": OrganisationFactory(
            ods_code="RRV",
            name="University College London Hospitals NHS Foundation Trust",
            organisation_type=OrganisationType.FOUNDATION_TRUST,
            region=london,
            parent_icb=icb,
            postcode="NW1 2PG",
            address="250 EUSTON ROAD, LONDON",
        ),
        "sub_icb": OrganisationFactory(
            ods_code="93C",
            name="NHS North Central London ICB - 93C",
            organisation_type=OrganisationType.SUB_ICB_LOCATION,
            region=london,
            parent_icb=icb,
            mandated=False,
        ),
        "closed": OrganisationFactory(
            ods_code="RA4", name="Yeovil District Hospital NHS Foundation Trust", active=False, parent_icb=icb
        ),
        "manchester": OrganisationFactory(
            ods_code="R0A",
            name="Manchester University NHS Foundation Trust",
            organisation_type=OrganisationType.FOUNDATION_TRUST,
            region=north_west,
        ),
    }


def test_anonymous_people_are_sent_to_sign_in(client):
    assert client.get(LIST).status_code == 302
    assert client.get("/organisations/R0A/").status_code == 302


def test_the_list_shows_open_organisations_with_a_count(signed_in, bob, directory):
    response = signed_in(bob).get(LIST)
    assert response.status_code == 200
    assert listed(response) == ["RAA", "R0A", "QMJ", "93C", "RRV"]
    assert "5 organisations" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "r0a"}, ["R0A"]),
        ({"q": "  london "}, ["QMJ", "93C", "RRV"]),
        ({"type": "foundation_trust"}, ["R0A", "RRV"]),
        ({"region": "Y56"}, ["QMJ", "93C", "RRV"]),
        ({"region": "Y56", "type": "icb"}, ["QMJ"]),
        ({"mandated": "no"}, ["93C"]),
        ({"mandated": "yes", "region": "Y62"}, ["R0A"]),
        ({"closed": "yes", "q": "yeovil"}, ["RA4"]),
        ({"q": "yeovil"}, []),
        ({"type": "not-a-type"}, ["RAA", "R0A", "QMJ", "93C", "RRV"]),
    ],
)
def test_search_and_filters(signed_in, bob, directory, query, expected):
    response = signed_in(bob).get(LIST, query)
    assert listed(response) == expected
    if not expected:
        assert "No organisations match your search." in response.content.decode()


def test_the_filters_keep_their_values(signed_in, bob, directory):
    page = (
        signed_in(bob).get(LIST, {"q": "london", "region": "Y56", "mandated": "no", "closed": "yes"}).content.decode()
    )
    assert 'value="london"' in page
    assert re.search(r'<option value="Y56" selected\s*>London</option>', page)
    assert re.search(r'<option value="no" selected\s*>No</option>', page)
    assert re.search(r'name="closed" type="checkbox" value="yes" checked', page)


def test_the_list_is_paginated_and_keeps_the_filters(signed_in, bob):
    OrganisationFactory.create_batch(60, organisation_type=OrganisationType.NHS_TRUST)
    client = signed_in(bob)
    first = client.get(LIST, {"type": "nhs_trust"})
    assert len(listed(first)) == 50
    assert "61 organisations" in first.content.decode()  # with bob's own trust
    assert "?type=nhs_trust&amp;page=2" in first.content.decode()
    second = client.get(LIST, {"type": "nhs_trust", "page": 2})
    assert len(listed(second)) == 11


def test_the_list_runs_the_same_queries_however_many_organisations(signed_in, bob, directory):
    client = signed_in(bob)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    OrganisationFactory.create_batch(30, region=directory["icb"].region)
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_organisation_page_shows_its_details_and_parent_icb(signed_in, bob, directory):
    response = signed_in(bob).get("/organisations/rrv/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>University College London Hospitals NHS Foundation Trust</h1>" in page
    assert "Foundation Trust" in page
    assert "London" in page
    assert "250 EUSTON ROAD, LONDON" in page
    assert "NW1 2PG" in page
    assert '<a href="/organisations/QMJ/">NHS North Central London ICB</a>' in page


def test_an_icb_page_lists_its_organisations(signed_in, bob, directory):
    page = signed_in(bob).get("/organisations/QMJ/").content.decode()
    assert "Organisations in this ICB" in page
    children = re.findall(r'<a href="/organisations/([A-Z0-9]+)/">', page)
    assert children == ["93C", "RRV", "RA4"]  # open ones first, then closed


def test_a_closed_organisation_says_so(signed_in, bob, directory):
    page = signed_in(bob).get("/organisations/RA4/").content.decode()
    assert "Closed" in page


def test_an_unknown_organisation_is_not_found(signed_in, bob):
    assert signed_in(bob).get("/organisations/ZZZ/").status_code == 404


def test_the_organisation_page_runs_the_same_queries_however_many_children(signed_in, bob, directory):
    client = signed_in(bob)
    with CaptureQueriesContext(connection) as few:
        client.get("/organisations/QMJ/")
    OrganisationFactory.create_batch(10, parent_icb=directory["icb"])
    with CaptureQueriesContext(connection) as many:
        client.get("/organisations/QMJ/")
    assert len(many.captured_queries) == len(few.captured_queries)
    assert Organisation.objects.filter(parent_icb=directory["icb"]).count() == 13


def test_members_and_auditors_are_offered_the_compliance_history(signed_in, bob, charlie, auditor, trust_a):
    link = 'href="/reports/organisations/RAA/"'
    assert link in signed_in(bob).get("/organisations/RAA/").content.decode()
    assert link in signed_in(auditor).get("/organisations/RAA/").content.decode()
    assert link not in signed_in(charlie).get("/organisations/RAA/").content.decode()
