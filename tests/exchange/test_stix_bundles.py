"""Each alert as a STIX 2.1 bundle: valid per the OASIS validator, TLP 2.0 on every object, the same ids every time."""

import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings

from respond.alerts.models import Alert, AlertStatus, Severity, Tlp
from respond.core.audit import Auditor
from respond.demo.alerts import seed_demo_alerts, seed_demo_updates
from respond.exchange.markings import TLP_2_MARKINGS
from respond.exchange.stix import alert_bundle
from respond.publication import services as publication
from tests.support.stix import stix_errors

pytestmark = pytest.mark.django_db

IOCS = """
| Type | Value |
| --- | --- |
| C2 address | `185.220.101[.]4` |
| Download | hxxps://updates.evil-example[.]com/stage2.bin |
| Dropper (SHA-256) | `e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855` |
| Sender | phish[@]bad-domain.co.uk |

Also seen from 2001:db8::1 and the range 198.51.100.0/24; MD5 d41d8cd98f00b204e9800998ecf8427e.
"""


def by_type(bundle: dict) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for obj in bundle["objects"]:
        grouped.setdefault(obj["type"], []).append(obj)
    return grouped


def assert_marked(bundle: dict, tlp_name: str) -> None:
    markings = {obj["id"]: obj for obj in bundle["objects"] if obj["type"] == "marking-definition"}
    marking_id = next(key for key, obj in markings.items() if obj["name"] == tlp_name)
    for obj in bundle["objects"]:
        if obj["type"] == "marking-definition":
            continue
        if obj["type"] == "identity":
            assert obj["object_marking_refs"] == [TLP_2_MARKINGS["clear"].id]
        else:
            assert obj["object_marking_refs"] == [marking_id], obj["id"]


def test_an_alert_with_everything_is_a_valid_bundle(make_published, csoc):
    alert = make_published(tlp=Tlp.AMBER, indicators_of_compromise=IOCS, cve_ids=["CVE-2023-46604", "CVE-2023-4966"])
    publication.threat_update_add(
        alert=alert,
        text="Exploitation seen in the wild.",
        requires_reacknowledgement=False,
        added_by=csoc,
        auditor=Auditor.for_user(csoc),
    )
    bundle = alert_bundle(alert)
    assert stix_errors(bundle) == []
    objects = by_type(bundle)
    assert [obj["name"] for obj in objects["vulnerability"]] == ["CVE-2023-46604", "CVE-2023-4966"]
    assert objects["vulnerability"][0]["external_references"][0] == {
        "source_name": "cve",
        "external_id": "CVE-2023-46604",
        "url": "https://nvd.nist.gov/vuln/detail/CVE-2023-46604",
    }
    assert sorted(obj["pattern"] for obj in objects["indicator"]) == sorted(
        [
            "[ipv4-addr:value = '185.220.101.4']",
            "[url:value = 'https://updates.evil-example.com/stage2.bin']",
            "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
            "[email-addr:value = 'phish@bad-domain.co.uk']",
            "[ipv6-addr:value = '2001:db8::1']",
            "[ipv4-addr:value = '198.51.100.0/24']",
            "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
        ]
    )
    assert [obj["description"] for obj in objects["course-of-action"]] == ["Upgrade to 5.18.3 or later."]
    assert len(objects["relationship"]) == 2  # the step mitigates each CVE
    (note,) = objects["note"]
    assert note["content"] == "Exploitation seen in the wild."
    (report,) = objects["report"]
    assert report["name"] == f"{alert.threat_id}: {alert.title}"
    assert report["external_references"][0]["url"] == settings.SITE_URL + alert.get_absolute_url()
    contents = {
        obj["id"]
        for kind in ("vulnerability", "indicator", "course-of-action", "relationship")
        for obj in objects[kind]
    }
    assert set(report["object_refs"]) == contents
    (identity,) = objects["identity"]
    assert all(
        obj.get("created_by_ref") == identity["id"]
        for obj in bundle["objects"]
        if obj["type"] not in ("identity", "marking-definition")
    )
    assert_marked(bundle, "TLP:AMBER")
    marking = next(obj for obj in objects["marking-definition"] if obj["name"] == "TLP:AMBER")
    assert marking == {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        "created": "2022-10-01T00:00:00.000Z",
        "name": "TLP:AMBER",
        "extensions": {
            "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                "extension_type": "property-extension",
                "tlp_2_0": "amber",
            }
        },
    }


def test_the_same_alert_gives_the_same_ids_and_a_change_moves_modified_on(make_published, csoc):
    alert = make_published(indicators_of_compromise=IOCS)
    first = alert_bundle(alert)
    again = alert_bundle(Alert.objects.get(pk=alert.pk))
    assert first == again
    report_before = by_type(first)["report"][0]
    publication.alert_change_severity(
        alert=alert,
        severity=Severity.MEDIUM,
        reason="Less exposure than feared",
        changed_by=csoc,
        auditor=Auditor.for_user(csoc),
    )
    after = alert_bundle(Alert.objects.get(pk=alert.pk))
    report_after = by_type(after)["report"][0]
    assert report_after["id"] == report_before["id"]
    assert report_after["modified"] > report_before["modified"]
    assert [o["id"] for o in after["objects"]] == [o["id"] for o in first["objects"]]
    assert stix_errors(after) == []


def test_every_demo_alert_is_valid(csoc, dana, trust_a, bob):
    seed_demo_alerts()
    for alert in Alert.objects.filter(title__startswith="Citrix"):
        seed_demo_updates(alert=alert)
    alerts = list(Alert.objects.all())
    assert len(alerts) == 5
    for alert in alerts:
        bundle = alert_bundle(alert)
        assert stix_errors(bundle) == [], alert.threat_id
        assert_marked(bundle, Tlp(alert.tlp).label)
        assert len(by_type(bundle)["vulnerability"]) == len(alert.cve_ids)
        assert len(by_type(bundle)["course-of-action"]) == alert.remediation_steps.count()


def test_the_shipped_alert_examples_are_valid(make_published):
    """The ten NHS Digital alerts in data/alerts (CC-4345..CC-4404), each published here with its title, summary,
    date and the CVEs its title names."""
    source = Path(settings.BASE_DIR) / "data/alerts/nhs-digital-cyberalert-page-2023-11.json"
    items = json.loads(source.read_text())["items"]
    assert len(items) == 10
    for item in items:
        summary = html.unescape(re.sub(r"<[^>]+>", "", item["summary"])).strip() or item["title"]
        alert = make_published(
            title=item["title"],
            short_summary=summary[:500],
            summary=summary,
            cve_ids=re.findall(r"CVE-\d{4}-\d{4,}", item["title"]),
            indicators_of_compromise="",
        )
        published = datetime.fromtimestamp(item["publishedDate"] / 1000, tz=UTC)
        Alert.objects.filter(pk=alert.pk).update(published_at=published)
        alert.refresh_from_db()
        bundle = alert_bundle(alert)
        assert stix_errors(bundle) == [], item["threatId"]
        report = by_type(bundle)["report"][0]
        assert report["published"].startswith(published.strftime("%Y-%m-%dT%H:%M"))


def test_drafts_have_no_bundle(make_draft):
    with pytest.raises(ValueError, match="Only a published alert"):
        alert_bundle(make_draft())
    assert Alert.objects.get().status == AlertStatus.DRAFT
