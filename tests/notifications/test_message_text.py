"""What each message says: short, plain English, Notify's formatting, and nothing restricted by TLP."""

from datetime import UTC, datetime

import pytest
import time_machine

from respond.alerts.models import ThreatUpdate, Tlp
from respond.notifications.messages import render_message
from respond.notifications.models import MessageKind
from tests.notifications.conftest import make_alert

pytestmark = pytest.mark.django_db
PUBLISHED = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)  # winter: UK time is UTC


@pytest.fixture
def alert(trust_a):
    return make_alert(organisations=[trust_a], threat_id="CC-4321", published_at=PUBLISHED)


def test_alert_email(alert):
    message = render_message(alert=alert, update=None, kind=MessageKind.EMAIL, for_contact=False)
    assert message.subject == "High severity cyber alert CC-4321: Critical vulnerability in Example VPN"
    assert message.body == (
        "TLP:CLEAR\n"
        "\n"
        "The NHS England cyber security operations centre (CSOC) has published a high severity cyber alert.\n"
        "\n"
        "# CC-4321: Critical vulnerability in Example VPN\n"
        "\n"
        "Example VPN versions before 9.1 let an attacker run code remotely.\n"
        "\n"
        "# What you need to do\n"
        "\n"
        "Read the alert and record your organisation's response by 3:00pm on Wednesday 14 January 2026.\n"
        "\n"
        "Read the alert:\n"
        "https://cyber-alerts.example.nhs.uk/cyber-alerts/CC-4321/\n"
        "\n"
        "---\n"
        "\n"
        "You get this email because you are registered with Respond to a cyber alert for an NHS organisation "
        "the alert applies to. To change where we send alerts, go to https://cyber-alerts.example.nhs.uk/contact-preferences/\n"
    )


def test_an_alert_without_a_response_has_no_deadline(alert):
    alert.response_required = False
    body = render_message(alert=alert, update=None, kind=MessageKind.EMAIL, for_contact=False).body
    assert "What you need to do" not in body
    assert "remotely.\n\nRead the alert:\n" in body


def test_alert_only_contacts_are_told_why_they_get_it(alert, trust_a):
    message = render_message(
        alert=alert, update=None, kind=MessageKind.EMAIL, for_contact=True, organisation_name=trust_a.name
    )
    assert message.body.endswith(
        "You get this email because Alpha Hospitals NHS Trust added you as a contact for cyber alerts. "
        "To stop getting them, contact your organisation's administrators for Respond to a cyber alert.\n"
    )


@pytest.mark.parametrize("tlp", [Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT])
def test_restricted_alerts_send_no_details(alert, csoc, tlp):
    alert.tlp = tlp
    alert.short_summary = "Secret: the attacker's IP is 203.0.113.9"
    update = ThreatUpdate.objects.create(alert=alert, text="Secret update", created_by=csoc)
    for message in (
        render_message(alert=alert, update=None, kind=MessageKind.EMAIL, for_contact=False),
        render_message(alert=alert, update=update, kind=MessageKind.EMAIL, for_contact=False),
    ):
        assert "Secret" not in message.body
        assert message.subject.startswith(f"[{alert.get_tlp_display()}] ")
        assert message.body.startswith(f"{alert.get_tlp_display()}\n")
        assert "Sign in to read it." in message.body


def test_update_email_asks_for_a_new_acknowledgement_by_the_update_deadline(alert, csoc):
    with time_machine.travel(datetime(2026, 1, 20, 15, 0, tzinfo=UTC), tick=False):
        update = ThreatUpdate.objects.create(
            alert=alert, text="A patch is now out: apply it.", requires_reacknowledgement=True, created_by=csoc
        )
    message = render_message(alert=alert, update=update, kind=MessageKind.EMAIL, for_contact=False)
    assert message.subject == "Update to cyber alert CC-4321: Critical vulnerability in Example VPN"
    assert "\n\nA patch is now out: apply it.\n\n# What you need to do\n\n" in message.body
    # The update's deadline (the response window again, from the update), not the alert's, long past.
    assert "must acknowledge it again by 3:00pm on Thursday 22 January 2026." in message.body
    assert "The deadline for acknowledging the alert is 3:00pm on Wednesday 14 January 2026." in message.body


def test_major_incident_texts(alert):
    alert.major_incident = True
    incident = render_message(alert=alert, update=None, kind=MessageKind.INCIDENT_SMS, for_contact=False)
    signpost = render_message(alert=alert, update=None, kind=MessageKind.SIGNPOST_SMS, for_contact=False)
    assert incident.subject == signpost.subject == ""
    assert incident.body == (
        "NHS cyber alert: major cyber incident CC-4321. High severity. Check your email now and act on it.\n"
    )
    assert signpost.body == (
        "Read CC-4321 and record your organisation's response by 3:00pm on Wednesday 14 January 2026: "
        "https://cyber-alerts.example.nhs.uk/cyber-alerts/CC-4321/\n"
    )
    # One text message each (Notify charges by 160-character fragment, 918 at most).
    assert len(incident.body) <= 160
    assert len(signpost.body) <= 160
