"""/cyber-alerts/<id>/stix.json follows the alert page's TLP rules, and the page links to it."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from respond.alerts.models import Tlp

pytestmark = pytest.mark.django_db

# A TLP:AMBER alert sent to Trust A only: bob (Trust A) reads it, charlie (Trust B) does not.
READS_AMBER = {"anonymous": False, "bob": True, "charlie": False, "auditor": True, "csoc": True}


@pytest.fixture
def alerts(make_published, trust_a):
    return {
        "clear": make_published(title="Public alert", tlp=Tlp.CLEAR),
        "amber": make_published(title="Amber alert", tlp=Tlp.AMBER),
    }


@pytest.fixture
def client_for(signed_in, bob, charlie, auditor, csoc, trust_b):
    trust_b.mandated = False  # published to Trust A only
    trust_b.save()
    users = {"bob": bob, "charlie": charlie, "auditor": auditor, "csoc": csoc}
    return lambda name: Client() if name == "anonymous" else signed_in(users[name])


@pytest.mark.parametrize("reader", READS_AMBER)
def test_the_bundle_is_for_whoever_may_read_the_page(client_for, alerts, reader):
    client = client_for(reader)
    for tlp, alert in alerts.items():
        url = reverse("exchange:alert_stix", args=[alert.threat_id])
        response = client.get(url)
        page = client.get(alert.get_absolute_url())
        may_read = tlp == "clear" or READS_AMBER[reader]
        assert response.status_code == page.status_code == (200 if may_read else 404)
        if not may_read:
            continue
        assert response["Content-Type"] == "application/stix+json;version=2.1"
        assert response["Content-Disposition"] == f'attachment; filename="{alert.threat_id}.stix.json"'
        bundle = json.loads(response.content)
        report = next(obj for obj in bundle["objects"] if obj["type"] == "report")
        assert report["name"] == f"{alert.threat_id}: {alert.title}"
        assert f'href="{url}"' in page.content.decode()
        if tlp == "amber" or reader != "anonymous":
            assert "no-store" in response["Cache-Control"]


def test_unknown_and_malformed_ids_are_not_found(client):
    assert client.get("/cyber-alerts/CC-99999/stix.json").status_code == 404
    assert client.get("/cyber-alerts/nonsense/stix.json").status_code == 404
    assert client.post("/cyber-alerts/CC-99999/stix.json").status_code == 405
