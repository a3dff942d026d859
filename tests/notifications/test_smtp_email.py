"""Without GOV.UK Notify, alerts go by plain SMTP email: here, to a real local SMTP server (aiosmtpd)."""

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from respond.notifications import services
from respond.notifications.models import Notification, Status
from tests.notifications.conftest import deliver_everything, make_alert, with_mobile

pytestmark = pytest.mark.django_db


@dataclass
class Mailbox:
    refuse: dict[str, str] = field(default_factory=dict)  # address -> SMTP reply
    received: list = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.NOTIFY_API_KEY = ""
    settings.NOTIFY_RETRY_BASE_SECONDS = 0.01
    settings.NOTIFY_RETRY_MAX_SECONDS = 0.02
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    yield mailbox
    controller.stop()


def test_alert_emails_go_by_smtp_when_notify_is_not_configured(smtp, trust_a, alice, bob):
    alert = make_alert(organisations=[trust_a])
    services.notifications_for_alert(alert=alert)

    deliver_everything()

    assert sorted(to for to, _ in smtp.received) == [["alice@alpha.nhs.uk"], ["bob@alpha.nhs.uk"]]
    _, message = smtp.received[0]
    assert (
        message["Subject"].strip()
        == f"High severity cyber alert {alert.threat_id}: Critical vulnerability in Example VPN"
    )
    assert message["From"] == "Respond to a cyber alert <no-reply@cyber-alerts.invalid>"
    body = message.get_content()
    assert "Example VPN versions before 9.1 let an attacker run code remotely." in body
    assert f"/cyber-alerts/{alert.threat_id}/" in body
    rows = {row.address: row for row in Notification.objects.all()}
    assert {row.status for row in rows.values()} == {Status.SENT}
    # The Message-ID is the row's own, so a copy sent again after a crash is recognisably the same message.
    to = message["To"]
    assert message["Message-ID"] == f"<{rows[to].id}@cyber-alerts.invalid>"
    assert rows[to].provider_id == message["Message-ID"]


def test_an_address_the_mail_server_refuses_fails_with_its_reply(smtp, trust_a, alice, bob):
    smtp.refuse["bob@alpha.nhs.uk"] = "550 5.1.1 No such user here"
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))

    deliver_everything()

    bob_row = Notification.objects.get(address="bob@alpha.nhs.uk")
    assert bob_row.status == Status.FAILED
    assert bob_row.error == "The mail server refused the address: 550 5.1.1 No such user here"
    assert bob_row.attempts == 1
    assert Notification.objects.get(address="alice@alpha.nhs.uk").status == Status.SENT


def test_an_address_the_mail_server_defers_is_tried_again(smtp, settings, trust_a, alice):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    smtp.refuse["alice@alpha.nhs.uk"] = "450 4.2.1 Mailbox busy, try later"
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))

    deliver_everything()

    row = Notification.objects.get()
    assert row.status == Status.FAILED
    assert row.attempts == 2
    assert row.error == (
        "Gave up after 2 attempts. The last error: "
        "The mail server deferred the address: 450 4.2.1 Mailbox busy, try later"
    )


def test_an_unreachable_mail_server_is_retried(settings, trust_a, alice):
    settings.NOTIFY_API_KEY = ""
    settings.NOTIFY_MAX_ATTEMPTS = 1
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))

    deliver_everything()

    row = Notification.objects.get()
    assert row.status == Status.FAILED
    assert row.error.startswith("Gave up after 1 attempts. The last error: The mail server could not be reached:")


def test_text_messages_need_notify(smtp, trust_a, alice):
    with_mobile(alice)
    services.notifications_for_alert(alert=make_alert(organisations=[trust_a], major_incident=True))

    deliver_everything()

    texts = Notification.objects.filter(channel="sms")
    assert texts.count() == 2
    assert {(row.status, row.error) for row in texts} == {
        (Status.FAILED, "Text messages need GOV.UK Notify, which is not configured (NOTIFY_API_KEY)")
    }
    assert Notification.objects.get(channel="email").status == Status.SENT
