"""The alert list (search, filters, pages), the alert page, and the feeds."""

import re
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from respond.alerts import services
from respond.alerts.models import Severity, Tlp
from respond.core.audit import Auditor
from respond.publication import services as publication

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def titles(response) -> str:
    return response.content.decode()


def test_the_list_searches_titles_threat_ids_and_cve_ids(make_published, client):
    log4j = make_published(title="Log4j", cve_ids=["CVE-2021-44228"])
    citrix = make_published(title="Citrix Bleed", cve_ids=["CVE-2023-4966"])
    url = reverse("alerts:list")
    assert "Citrix Bleed" in titles(client.get(url, {"q": "bleed"}))
    assert "Log4j" not in titles(client.get(url, {"q": "bleed"}))
    by_cve = titles(client.get(url, {"q": "CVE-2021-44228"}))
    assert "Log4j" in by_cve
    assert "Citrix Bleed" not in by_cve
    assert "Citrix Bleed" not in titles(client.get(url, {"q": "CVE-2023-496"}))  # whole IDs only
    by_id = titles(client.get(url, {"q": citrix.threat_id.lower()}))
    assert "Citrix Bleed" in by_id
    assert "Log4j" not in by_id
    assert log4j.threat_id in titles(client.get(url))


def test_the_list_filters_by_severity_and_year(make_published, client):
    with time_machine.travel(datetime(2023, 11, 3, 12, tzinfo=timezone.get_current_timezone()), tick=False):
        make_published(title="Old high", severity=Severity.HIGH)
    make_published(title="New low", severity=Severity.LOW, response_required=False)
    url = reverse("alerts:list")
    low = titles(client.get(url, {"severity": "low"}))
    assert "New low" in low
    assert "Old high" not in low
    old = titles(client.get(url, {"year": "2023"}))
    assert "Old high" in old
    assert "New low" not in old
    assert re.search(r'<option value="2023"\s*>\s*2023\s*</option>', titles(client.get(url)))


def test_an_unknown_filter_value_is_an_error_not_a_crash(make_published, client):
    response = client.get(reverse("alerts:list"), {"year": "1066"})
    assert response.status_code == 200
    assert "Error: " in response.content.decode().split("</title>")[0]


def test_the_list_has_pages_of_twenty(make_published, client):
    for number in range(21):
        make_published(title=f"Alert number {number:02d}")
    first = titles(client.get(reverse("alerts:list")))
    second = titles(client.get(reverse("alerts:list"), {"page": 2}))
    assert "Alert number 20" in first
    assert "Alert number 00" not in first
    assert "Alert number 00" in second
    assert "21 alerts" in first


def test_the_alert_page_shows_every_section(make_published, client, csoc):
    alert = make_published()
    publication.threat_update_add(
        alert=alert,
        text="Exploitation **seen**.",
        requires_reacknowledgement=True,
        added_by=csoc,
        auditor=Auditor.for_user(csoc),
    )
    page = titles(client.get(alert.get_absolute_url()))
    for heading in (
        "Threat ID", "Category", "Threat severity", "Threat vector", "Published", "Last updated",
        "<h2>Summary</h2>", "Affected platforms", "Threat details", "Threat updates", "Remediation advice",
        "Remediation steps", "Indicators of compromise", "CVEs",
    ):  # fmt: skip
        assert heading in page, heading
    assert alert.threat_id in page
    assert (
        '<a href="https://nvd.nist.gov/vuln/detail/CVE-2023-46604" rel="noopener noreferrer">CVE-2023-46604</a>' in page
    )
    assert "Exploitation <strong>seen</strong>." in page
    assert "5.18.0 before 5.18.3" in page


def test_a_lower_case_threat_id_redirects_to_the_page(make_published, client):
    alert = make_published()
    response = client.get(f"/cyber-alerts/{alert.threat_id.lower()}/")
    assert response.status_code == 301
    assert response["Location"] == alert.get_absolute_url()
    assert client.get("/cyber-alerts/not-an-alert/").status_code == 404


def test_a_closed_alert_stays_public_with_its_reason(make_published, client, csoc):
    alert = make_published()
    services.alert_close(alert=alert, reason="Patched everywhere", closed_by=csoc, auditor=Auditor.for_user(csoc))
    page = titles(client.get(alert.get_absolute_url()))
    assert "This alert was closed on" in page
    assert "Patched everywhere" in page


def test_the_rss_feed_parses_and_lists_public_alerts(make_published, client):
    alert = make_published(title="Feed me")
    make_published(title="Restricted", tlp=Tlp.GREEN)
    response = client.get(reverse("alerts:feed_rss"))
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == [f"{alert.threat_id}: Feed me"]
    assert items[0].findtext("link").endswith(alert.get_absolute_url())
    assert items[0].findtext("guid") == alert.threat_id
    assert "<strong>critical</strong>" in items[0].findtext("description")
    assert "Severity: High" in [category.text for category in items[0].findall("category")]


def test_the_atom_feed_parses_and_lists_public_alerts(make_published, client):
    alert = make_published(title="Atom alert")
    root = ET.fromstring(client.get(reverse("alerts:feed_atom")).content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [f"{alert.threat_id}: Atom alert"]
    assert entries[0].findtext(f"{ATOM}published") is not None
    assert entries[0].findtext(f"{ATOM}updated") is not None


def test_the_list_links_to_its_feeds(client):
    page = titles(client.get(reverse("alerts:list")))
    assert f'type="application/atom+xml" title="NHS cyber alerts (Atom)" href="{reverse("alerts:feed_atom")}"' in page
