"""The TAXII 2.1 server, read with a real TAXII client (taxii2-client) against a live server: discovery, the API
root, collections, objects with added_after and limit/next paging, manifests, versions; the public collection
without a token, a token's own collection with the restricted alerts of its organisations, and nothing else."""

import base64
from datetime import timedelta

import pytest
import requests
from taxii2client.v21 import ApiRoot, Server, as_pages

from respond.accounts.api_tokens import api_token_create, api_token_revoke
from respond.accounts.models import ApiTokenAccess
from respond.alerts.models import Alert, Tlp
from respond.core.audit import Auditor
from respond.exchange.taxii_collections import PUBLIC_ID
from tests.responses.conftest import make_alert
from tests.support.stix import stix_errors

pytestmark = pytest.mark.django_db(transaction=True)

TAXII = "application/taxii+json;version=2.1"


def token_for(user, organisations, name="OpenCTI"):
    _token, secret = api_token_create(
        user=user, name=name, organisations=organisations, access=ApiTokenAccess.READ, valid_days=30,
        auditor=Auditor.for_user(user),
    )  # fmt: skip
    return secret


@pytest.fixture
def alerts(trust_a, trust_b):
    return {
        "clear": make_alert(organisations=[trust_a, trust_b], tlp=Tlp.CLEAR, title="Public alert",
                            indicators_of_compromise="- `203.0.113.7`", cve_ids=["CVE-2024-3400"]),
        "amber_a": make_alert(organisations=[trust_a], tlp=Tlp.AMBER, title="Amber alert for Trust A"),
        "green_b": make_alert(organisations=[trust_b], tlp=Tlp.GREEN, title="Green alert for Trust B"),
    }  # fmt: skip


def reports(objects) -> set[str]:
    return {obj["name"].split(": ", 1)[1] for obj in objects if obj["type"] == "report"}


def everything(collection, **filters) -> list[dict]:
    return [
        obj for page in as_pages(collection.get_objects, per_request=3, **filters) for obj in page.get("objects", [])
    ]


def test_discovery_api_root_and_the_public_collection_without_a_token(live_server, alerts):
    server = Server(live_server.url + "/taxii2/")
    assert server.title.endswith("cyber alerts over TAXII")
    [root] = server.api_roots
    assert root.url == "http://testserver/taxii2/alerts/" or root.url.endswith("/taxii2/alerts/")
    root = ApiRoot(live_server.url + "/taxii2/alerts/")
    assert root.versions == [TAXII]
    [public] = root.collections
    assert public.id == PUBLIC_ID
    assert (public.can_read, public.can_write) == (True, False)
    objects = everything(public)
    assert reports(objects) == {"Public alert"}
    assert {obj["type"] for obj in objects} >= {
        "report",
        "vulnerability",
        "indicator",
        "identity",
        "marking-definition",
    }
    assert (
        stix_errors({"type": "bundle", "id": "bundle--" + "0" * 8 + "-0000-4000-8000-" + "0" * 12, "objects": objects})
        == []
    )


def test_a_token_sees_its_organisations_restricted_alerts_and_no_others(live_server, alerts, alice, trust_a):
    secret = token_for(alice, [trust_a])
    for auth in ({"user": "anything", "password": secret}, {"auth": BearerAuth(secret)}):
        root = ApiRoot(live_server.url + "/taxii2/alerts/", **auth)
        public, own = root.collections
        assert public.id == PUBLIC_ID
        assert own.title == "Cyber alerts for Alpha Hospitals NHS Trust"
        assert reports(everything(own)) == {"Public alert", "Amber alert for Trust A"}
        assert reports(everything(public)) == {"Public alert"}
        amber_report = next(o for o in everything(own) if o["type"] == "report" and "Amber" in o["name"])
        assert amber_report["object_marking_refs"] == ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]


def test_another_scope_is_not_found_and_needs_a_token(live_server, alerts, alice, charlie, trust_a, trust_b):
    alice_root = ApiRoot(live_server.url + "/taxii2/alerts/", user="x", password=token_for(alice, [trust_a]))
    charlie_root = ApiRoot(live_server.url + "/taxii2/alerts/", user="x", password=token_for(charlie, [trust_b]))
    alice_scope, charlie_scope = alice_root.collections[1], charlie_root.collections[1]
    assert reports(everything(charlie_scope)) == {"Public alert", "Green alert for Trust B"}
    url = f"{live_server.url}/taxii2/alerts/collections/{charlie_scope.id}/objects/"
    secret = token_for(alice, [trust_a], name="second")
    assert requests.get(url, headers={"Accept": TAXII}, auth=("x", secret), timeout=10).status_code == 404
    anonymous = requests.get(url, headers={"Accept": TAXII}, timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.headers["Content-Type"] == TAXII
    assert anonymous.json()["http_status"] == "401"
    assert "Basic" in anonymous.headers["WWW-Authenticate"]
    assert alice_scope.id != charlie_scope.id


def test_paging_added_after_manifest_and_versions(live_server, alerts, alice, trust_a):
    root = ApiRoot(live_server.url + "/taxii2/alerts/", user="x", password=token_for(alice, [trust_a]))
    own = root.collections[1]
    pages = list(as_pages(own.get_objects, per_request=2))
    assert len(pages) > 2
    assert all(len(page["objects"]) == 2 for page in pages[:-1])
    assert all(page["more"] for page in pages[:-1])
    assert not pages[-1]["more"]
    paged = [obj["id"] for page in pages for obj in page["objects"]]
    whole = [obj["id"] for obj in own.get_objects(limit=1000)["objects"]]
    assert paged == whole
    assert len(set(whole)) == len(whole)

    manifest = own.get_manifest(limit=1000)["objects"]
    assert [entry["id"] for entry in manifest] == whole
    assert all(entry["media_type"] == "application/stix+json;version=2.1" for entry in manifest)
    added = [entry["date_added"] for entry in manifest]
    assert added == sorted(added)

    # A later alert: only its objects are added after the last date seen.
    latest = added[-1]
    an_hour_later = Alert.objects.get(title="Amber alert for Trust A").published_at + timedelta(hours=1)
    later = make_alert(organisations=[trust_a], tlp=Tlp.AMBER, title="Later alert", published_at=an_hour_later)
    new = own.get_objects(added_after=latest)["objects"]
    assert reports(new) == {"Later alert"}
    assert all(obj["id"] not in whole for obj in new)

    report = next(obj for obj in new if obj["type"] == "report")
    assert own.object_versions(report["id"])["versions"] == [report["modified"]]
    assert own.get_object(report["id"])["objects"] == [report]
    assert [o["type"] for o in own.get_objects(type="vulnerability")["objects"]] == ["vulnerability"]
    assert later.threat_id in report["name"]


def test_taxii_media_types_and_errors(live_server, alerts, alice, trust_a):
    base = live_server.url + "/taxii2/"
    ok = requests.get(base, headers={"Accept": TAXII}, timeout=10)
    assert (ok.status_code, ok.headers["Content-Type"]) == (200, TAXII)
    assert requests.get(base, headers={"Accept": "text/html"}, timeout=10).status_code == 406
    objects = f"{base}alerts/collections/{PUBLIC_ID}/objects/"
    assert requests.post(objects, json={"objects": []}, headers={"Accept": TAXII}, timeout=10).status_code == 405
    bad = requests.get(objects, params={"added_after": "yesterday"}, headers={"Accept": TAXII}, timeout=10)
    assert (bad.status_code, bad.json()["title"]) == (400, "Bad request")
    assert requests.get(objects, params={"next": "!!!"}, headers={"Accept": TAXII}, timeout=10).status_code == 400
    missing = f"{base}alerts/collections/{PUBLIC_ID}/objects/report--00000000-0000-4000-8000-000000000000/"
    assert requests.get(missing, headers={"Accept": TAXII}, timeout=10).status_code == 404
    wrong = requests.get(base, headers={"Accept": TAXII, "Authorization": "Bearer rca_nonsense"}, timeout=10)
    assert wrong.status_code == 401
    garbled = base64.b64encode(b"no-colon").decode()
    assert (
        requests.get(base, headers={"Accept": TAXII, "Authorization": f"Basic {garbled}"}, timeout=10).status_code
        == 401
    )


def test_a_revoked_token_is_refused(live_server, alerts, alice, trust_a):
    from respond.accounts.models import ApiToken

    secret = token_for(alice, [trust_a])
    root = ApiRoot(live_server.url + "/taxii2/alerts/", user="x", password=secret)
    assert len(root.collections) == 2
    api_token_revoke(token=ApiToken.objects.get(), by=alice, auditor=Auditor.for_user(alice))
    with pytest.raises(requests.HTTPError, match="401"):
        ApiRoot(live_server.url + "/taxii2/alerts/", user="x", password=secret).collections  # noqa: B018


class BearerAuth(requests.auth.AuthBase):
    def __init__(self, secret: str) -> None:
        self.secret = secret

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.secret}"
        return request
