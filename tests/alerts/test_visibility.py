"""TLP: CLEAR alerts are public; restricted ones only reach signed-in users of in-scope organisations, auditors and
CSOC staff, and never public feeds or the API. A restricted alert answers 404, like one that does not exist."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from respond.alerts import services
from respond.alerts.models import Tlp
from respond.core.audit import Auditor
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db

READERS = ("anonymous", "bob", "charlie", "auditor", "csoc")
# Who reads a TLP:AMBER alert sent to Trust A only: bob (Trust A) does, charlie (Trust B) does not.
READS_AMBER = {"anonymous": False, "bob": True, "charlie": False, "auditor": True, "csoc": True}


@pytest.fixture
def alerts(make_published, trust_a, trust_b, csoc):
    north, south = RegionFactory(code="Y61", name="North"), RegionFactory(code="Y62", name="South")
    trust_a.region, trust_b.region = north, south
    trust_a.save()
    trust_b.save()
    clear = make_published(title="Public alert", tlp=Tlp.CLEAR)
    amber = make_published(title="Amber alert for the north", tlp=Tlp.AMBER, scope_regions=[north])
    withdrawn = make_published(title="Withdrawn public alert", tlp=Tlp.CLEAR)
    services.alert_withdraw(alert=withdrawn, reason="Wrong", withdrawn_by=csoc, auditor=Auditor.for_user(csoc))
    return {"clear": clear, "amber": amber, "withdrawn": withdrawn}


@pytest.fixture
def client_for(signed_in, bob, charlie, auditor, csoc):
    users = {"bob": bob, "charlie": charlie, "auditor": auditor, "csoc": csoc}
    return lambda name: Client() if name == "anonymous" else signed_in(users[name])


@pytest.mark.parametrize("reader", READERS)
def test_alert_list(alerts, client_for, reader):
    page = client_for(reader).get(reverse("alerts:list")).content.decode()
    assert alerts["clear"].title in page
    assert (alerts["amber"].title in page) is READS_AMBER[reader]
    assert alerts["withdrawn"].title not in page


@pytest.mark.parametrize("reader", READERS)
def test_alert_pages(alerts, client_for, reader):
    client = client_for(reader)
    assert client.get(alerts["clear"].get_absolute_url()).status_code == 200
    amber = client.get(alerts["amber"].get_absolute_url())
    assert amber.status_code == (200 if READS_AMBER[reader] else 404)
    if READS_AMBER[reader]:
        assert "TLP:AMBER" in amber.content.decode()
        assert "no-store" in amber["Cache-Control"]
        assert "private" in amber["Cache-Control"]
    assert client.get(alerts["withdrawn"].get_absolute_url()).status_code == 404


def _page_without_nonce(response, threat_id: str) -> str:
    return re.sub(r'nonce="[^"]+"', "", response.content.decode()).replace(threat_id, "CC-X")


@pytest.mark.parametrize("reader", [name for name, reads in READS_AMBER.items() if not reads])
def test_a_restricted_alert_looks_exactly_like_one_that_does_not_exist(alerts, client_for, reader):
    client = client_for(reader)
    restricted = client.get(alerts["amber"].get_absolute_url())
    missing = client.get(reverse("alerts:detail", args=["CC-99999"]))
    assert restricted.status_code == missing.status_code == 404
    assert _page_without_nonce(restricted, alerts["amber"].threat_id) == _page_without_nonce(missing, "CC-99999")


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("feed", ["alerts:feed_rss", "alerts:feed_atom"])
def test_feeds_carry_only_public_alerts_whoever_asks(alerts, client_for, reader, feed):
    body = client_for(reader).get(reverse(feed)).content
    text = ET.tostring(ET.fromstring(body), encoding="unicode")
    assert alerts["clear"].title in text
    assert alerts["amber"].title not in text
    assert alerts["amber"].threat_id not in text
    assert alerts["withdrawn"].title not in text


@pytest.mark.parametrize("reader", READERS)
def test_the_api_carries_only_public_alerts_whoever_asks(alerts, client_for, reader):
    client = client_for(reader)
    listing = json.loads(client.get(reverse("alerts_api:page"), {"page": 1}).content)
    assert [item["threatId"] for item in listing["items"]] == [alerts["clear"].threat_id]
    assert listing["total"] == 1
    single = client.get(reverse("alerts_api:single"), {"threatid": alerts["amber"].threat_id})
    assert single.status_code == 404
    assert json.loads(single.content) == {"error": f"The threatid={alerts['amber'].threat_id} is not found"}
    assert client.get(reverse("alerts_api:single"), {"threatid": alerts["withdrawn"].threat_id}).status_code == 404


def test_drafts_are_never_on_public_pages(make_draft, signed_in, csoc):
    make_draft(title="Secret draft")
    for client in (Client(), signed_in(csoc)):
        assert "Secret draft" not in client.get(reverse("alerts:list")).content.decode()


def test_the_scoped_querysets(alerts, bob, charlie, auditor):
    from django.contrib.auth.models import AnonymousUser

    from respond.alerts.models import Alert

    assert set(Alert.objects.public()) == {alerts["clear"]}
    assert set(Alert.objects.visible_to(AnonymousUser())) == {alerts["clear"]}
    assert set(Alert.objects.visible_to(bob)) == {alerts["clear"], alerts["amber"]}
    assert set(Alert.objects.visible_to(charlie)) == {alerts["clear"]}
    assert set(Alert.objects.visible_to(auditor)) == {alerts["clear"], alerts["amber"]}
    bob.is_active = False
    assert set(Alert.objects.visible_to(bob)) == {alerts["clear"]}
