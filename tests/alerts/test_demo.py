"""Demo alerts for `make run`: real NHS Digital alerts, published through the real workflow, once."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from respond.alerts.models import Alert, AlertStatus, Tlp
from respond.demo.alerts import DemoDataError, seed_demo_alerts, seed_demo_updates
from respond.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_demo_alerts_are_published_once(csoc, dana, trust_a, bob):
    first = seed_demo_alerts()
    assert [created for _, created in first] == [True] * 5
    alerts = list(Alert.objects.order_by("threat_id"))
    assert [alert.threat_id for alert in alerts] == ["CC-4405", "CC-4406", "CC-4407", "CC-4408", "CC-4409"]
    assert all(alert.approved_by == dana and alert.created_by == csoc for alert in alerts)
    assert [alert.title for alert in alerts if alert.major_incident] == [
        "Citrix Releases Critical Security Updates for NetScaler ADC and NetScaler Gateway"
    ]
    assert [alert.tlp for alert in alerts].count(Tlp.AMBER) == 1
    assert {alert.status for alert in alerts} == {AlertStatus.PUBLISHED, AlertStatus.CLOSED}
    citrix = Alert.objects.get(major_incident=True)
    # Its update asks for a new acknowledgement: it waits for the demo responses (see the next test).
    assert not citrix.updates.exists()
    assert Notification.objects.filter(alert=citrix, address=bob.email).count() == 1

    again = seed_demo_alerts()
    assert [created for _, created in again] == [False] * 5
    assert Alert.objects.count() == 5


def test_an_update_to_acknowledge_again_is_added_once_when_asked(csoc, dana, trust_a, bob):
    seed_demo_alerts()
    citrix = Alert.objects.get(major_incident=True)
    activemq = Alert.objects.get(title__startswith="Apache ActiveMQ")

    [(update, added)] = seed_demo_updates(alert=citrix)
    assert added
    assert update.requires_reacknowledgement
    assert update.created_by == csoc
    assert "kill aaa session -all" in update.text
    assert Notification.objects.filter(alert=citrix, address=bob.email).count() == 2  # publication, then update
    assert seed_demo_updates(alert=citrix) == [(update, False)]
    assert citrix.updates.count() == 1
    assert seed_demo_updates(alert=activemq) == []  # it has no update waiting


def test_an_update_cannot_be_added_to_a_closed_demo_alert(csoc, dana, trust_a):
    seed_demo_alerts()
    citrix = Alert.objects.get(major_incident=True)
    Alert.objects.filter(pk=citrix.pk).update(status=AlertStatus.CLOSED)
    citrix.refresh_from_db()
    with pytest.raises(DemoDataError, match="updates need it published"):
        seed_demo_updates(alert=citrix)


def test_demo_alerts_use_the_real_examples():
    real = json.loads((Path(settings.BASE_DIR) / "data/alerts/nhs-digital-cyberalert-page-2023-11.json").read_text())
    real_titles = {item["title"] for item in real["items"]}
    from respond.demo.alerts import demo_alerts

    for demo in demo_alerts():
        assert demo.content.title in real_titles
        assert demo.source_threat_id in {item["threatId"] for item in real["items"]}


def test_demo_alerts_need_a_second_csoc_user_for_approval(csoc, trust_a):
    with pytest.raises(DemoDataError, match="second CSOC user"):
        seed_demo_alerts()
    assert not Alert.objects.exists()
