"""Report pages are rendered once for each state of what they show, then given from the cache: a response shows
on every report at once, and the cache never lets anyone see a report they may not."""

import pytest
from django.urls import reverse

from tests.core.html import parse
from tests.reports.conftest import table
from tests.responses.conftest import acknowledge, response_of

pytestmark = pytest.mark.django_db


def main(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    return parse(page.content).find("main").text


def test_a_response_shows_on_every_report_at_once(compliance, signed_in, auditor):
    client = signed_in(auditor)
    pages = {
        "index": reverse("reports:index"),
        "alert": reverse("reports:alert", args=[compliance.z.threat_id]),
        "organisation": reverse("reports:organisation", args=[compliance.trust_a.ods_code]),
    }
    before = {name: main(client, url) for name, url in pages.items()}
    assert {name: main(client, url) for name, url in pages.items()} == before  # from the cache, the same
    acknowledge(response_of(compliance.z, compliance.trust_a), compliance.responder)
    after = {name: main(client, url) for name, url in pages.items()}
    assert all(after[name] != before[name] for name in pages), "a report still shows the old figures"
    rows = table(client.get(pages["index"]).content, "Acknowledgements of each alert, newest first")
    z_row = next(row for row in rows if row[0].startswith(compliance.z.threat_id))
    assert "1 (100%)" in z_row


def test_a_cached_report_is_not_given_to_someone_who_may_not_see_it(compliance, signed_in, auditor, charlie):
    url = reverse("reports:organisation", args=[compliance.trust_a.ods_code])
    assert signed_in(auditor).get(url).status_code == 200
    of_trust_b = signed_in(charlie)
    assert of_trust_b.get(url).status_code == 403
    assert of_trust_b.get(reverse("reports:alert", args=[compliance.x.threat_id])).status_code == 403


def test_an_organisations_own_people_get_their_own_back_link(compliance, signed_in, auditor, bob):
    """The same history, but a responder's page goes back to "Your alerts", an auditor's to the reports."""
    url = reverse("reports:organisation", args=[compliance.trust_a.ods_code])
    auditors = parse(signed_in(auditor).get(url).content)
    bobs = parse(signed_in(bob).get(url).content)
    assert auditors.find("a", class_="nhsuk-back-link").get("href") == reverse("reports:index")
    assert bobs.find("a", class_="nhsuk-back-link").get("href") == reverse("home")
    assert auditors.find("main").text == bobs.find("main").text
