"""The JSON API keeps the shape of NHS Digital's CyberAlert API (a real response is in data/alerts/)."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from respond.alerts.models import Tlp

pytestmark = pytest.mark.django_db

REAL = json.loads((Path(settings.BASE_DIR) / "data/alerts/nhs-digital-cyberalert-page-2023-11.json").read_text())


def types_of(mapping: dict) -> dict[str, type]:
    return {key: type(value) for key, value in mapping.items()}


def test_a_page_has_the_keys_and_types_of_the_real_api(make_published, client):
    alert = make_published()
    response = client.get("/api/cyber-alerts/page", {"page": 1, "_limited": "true"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert list(body) == list(REAL)
    assert types_of(body) == types_of(REAL)
    item = body["items"][0]
    assert list(item) == list(REAL["items"][0])
    assert types_of(item) == types_of(REAL["items"][0])
    assert item["threatId"] == alert.threat_id
    assert item["publishedDate"] == int(alert.published_at.timestamp() * 1000)
    assert item["basePath"] == f"{settings.SITE_URL}/cyber-alerts/{alert.threat_id}/"
    assert item["summary"].startswith("<p>A <strong>critical</strong> vulnerability.")
    assert (body["pageSize"], body["total"], body["totalPages"], body["currentPage"]) == (10, 1, 1, 1)


def test_pages_hold_ten_newest_first(make_published, client):
    ids = [make_published(title=f"Alert {n}").threat_id for n in range(12)]
    first = client.get("/api/cyber-alerts/page", {"page": 1, "_limited": "true"}).json()
    second = client.get("/api/cyber-alerts/page/", {"page": 2, "_limited": "true"}).json()
    assert [item["threatId"] for item in first["items"]] == ids[::-1][:10]
    assert [item["threatId"] for item in second["items"]] == ids[::-1][10:]
    assert (second["total"], second["totalPages"], second["currentPage"]) == (12, 2, 2)
    beyond = client.get("/api/cyber-alerts/page", {"page": 9}).json()
    assert beyond["items"] == []
    assert beyond["currentPage"] == 9


def test_the_root_answers_like_the_first_page(make_published, client):
    make_published()
    root = client.get("/api/cyber-alerts/", {"_limited": "true"}).json()
    assert root == client.get("/api/cyber-alerts/page", {"page": 1, "_limited": "true"}).json()


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5"])
def test_a_bad_page_number_is_a_clear_error(client, page):
    response = client.get("/api/cyber-alerts/page", {"page": page})
    assert response.status_code == 400
    assert response.json() == {"error": "page must be a whole number, 1 or more"}


def test_a_full_item_carries_everything_on_the_alert_page(make_published, client):
    alert = make_published()
    item = client.get("/api/cyber-alerts/single", {"threatid": alert.threat_id.lower()}).json()
    assert set(REAL["items"][0]) <= set(item)
    assert item["shortsummary"] == alert.short_summary
    assert item["severity"] == "High"
    assert item["threatType"] == "Vulnerability"
    assert item["category"] == ["Remote code execution"]
    assert item["threatvector"] == ["Network"]
    assert item["threatAffects"] == [
        {"platformText": "<p>Apache ActiveMQ</p>", "versionsAffected": ["5.18.0 before 5.18.3", "Before 5.15.16"]}
    ]
    assert item["remediationSteps"] == [
        {"type": "Upgrade", "step": "Upgrade to 5.18.3 or later.", "link": "https://activemq.apache.org/"}
    ]
    assert item["cveIdentifiers"][0]["cveIdentifier"] == "CVE-2023-46604"
    assert item["cveIdentifiers"][0]["link"] == "https://nvd.nist.gov/vuln/detail/CVE-2023-46604"
    assert item["ncscLink"] == "https://www.ncsc.gov.uk/news/example"
    assert item["remediationIntro"] == "<p>Upgrade now.</p>\n"
    assert "<code>ClassPathXmlApplicationContext</code>" in item["indicatorsCompromise"][0]["content"]
    assert item["tlp"] == "TLP:CLEAR"
    limited = client.get("/api/cyber-alerts/single/", {"threatid": alert.threat_id, "_limited": "true"}).json()
    assert list(limited) == list(REAL["items"][0])


def test_single_without_a_threat_id_explains_the_url(client):
    response = client.get("/api/cyber-alerts/single")
    assert response.status_code == 400
    assert response.json() == {"error": "The URL is not correct. Use /single?threatid=<threatid>"}


def test_single_for_an_unknown_or_restricted_alert_is_not_found(make_published, client):
    amber = make_published(tlp=Tlp.AMBER)
    for threat_id in (amber.threat_id, "CC-1"):
        response = client.get("/api/cyber-alerts/single", {"threatid": threat_id})
        assert response.status_code == 404
        assert response.json() == {"error": f"The threatid={threat_id} is not found"}


def test_the_api_is_read_only(client):
    assert client.post("/api/cyber-alerts/page").status_code == 405
    assert client.post("/api/cyber-alerts/single").status_code == 405
