"""A webhook's host is resolved once per send, every address checked, and the connection made to the address
checked: a name that resolves to a private address is refused in production, and one that resolves to another
address a moment later (DNS rebinding) is still sent to the first, with the URL's own name in the Host header, in
TLS (SNI) and as the name the certificate must hold. Against real local receivers; only the name lookup is
answered by the test (the network edge), for names no real resolver knows."""

import socket
import ssl

import pytest

from respond.notifications import webhooks
from respond.notifications.models import Notification, Status, WebhookEndpoint
from tests.notifications.conftest import deliver_everything, run_worker_once
from tests.support.certificates import self_signed_certificate
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.django_db

REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture(autouse=True)
def quick(settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 0.01
    settings.NOTIFY_RETRY_MAX_SECONDS = 0.05
    settings.WEBHOOK_TIMEOUT_SECONDS = 2


@pytest.fixture
def rebinding_dns(monkeypatch):
    """Names that resolve to 127.0.0.1 the first time and to 127.0.0.2 (where nothing listens) afterwards; each
    lookup of them kept in `lookups`."""

    class RebindingDns:
        names: set[str] = set()
        lookups: list[str] = []

        def getaddrinfo(self, host, port, *args, **kwargs):
            if host not in self.names:
                return REAL_GETADDRINFO(host, port, *args, **kwargs)
            address = "127.0.0.1" if host not in self.lookups else "127.0.0.2"
            self.lookups.append(host)
            return REAL_GETADDRINFO(address, port, *args, **kwargs)

    dns = RebindingDns()
    monkeypatch.setattr(socket, "getaddrinfo", dns.getaddrinfo)
    return dns


def _endpoint(organisation, url, user):
    return WebhookEndpoint.objects.create(organisation=organisation, url=url, created_by=user)


def test_a_name_resolving_to_a_loopback_address_is_refused_when_sending_in_production(settings, trust_a, alice):
    with WebhookReceiver("whsec_" + "A" * 44) as receiver:
        endpoint = _endpoint(trust_a, f"https://localhost:{receiver.port}/hooks", alice)
        settings.WEBHOOK_PUBLIC_HTTPS_ONLY = True
        webhooks.webhook_send_test(endpoint=endpoint, sent_by=alice)
        deliver_everything()
        assert receiver.deliveries == []
    [notification] = Notification.objects.filter(webhook=endpoint)
    assert notification.status == Status.FAILED
    [attempt] = endpoint.attempts.all()
    assert "localhost is a private or local address (127.0.0.1" in attempt.error
    assert attempt.status_code is None


def test_a_send_connects_to_the_address_the_name_resolved_to_when_checked(rebinding_dns, trust_a, alice):
    rebinding_dns.names.add("receiver.rebinding.test")
    with WebhookReceiver("whsec_" + "A" * 44) as receiver:
        endpoint = _endpoint(trust_a, f"http://receiver.rebinding.test:{receiver.port}/hooks", alice)
        receiver.key = endpoint.secret_key
        webhooks.webhook_send_test(endpoint=endpoint, sent_by=alice)
        deliver_everything()
        [delivery] = receiver.deliveries
    assert delivery.signature_valid
    assert delivery.status == 200
    assert delivery.host == f"receiver.rebinding.test:{receiver.port}"
    # Resolved once, to vet it: a second lookup would have sent the request to 127.0.0.2, where nothing listens.
    assert rebinding_dns.lookups == ["receiver.rebinding.test"]
    assert Notification.objects.get(webhook=endpoint).status == Status.DELIVERED


def test_https_to_the_pinned_address_sends_and_checks_the_urls_own_name(
    rebinding_dns, settings, tmp_path, trust_a, alice
):
    host = "tickets.rebinding.test"
    rebinding_dns.names.add(host)
    certificate, key = self_signed_certificate(host, tmp_path)
    settings.WEBHOOK_CA_BUNDLE = str(certificate)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(certificate, key)
    with WebhookReceiver("whsec_" + "A" * 44, tls=tls) as receiver:
        endpoint = _endpoint(trust_a, f"https://{host}:{receiver.port}/hooks", alice)
        receiver.key = endpoint.secret_key
        webhooks.webhook_send_test(endpoint=endpoint, sent_by=alice)
        deliver_everything()
        [delivery] = receiver.deliveries
        assert receiver.server_names == [host]
    assert delivery.signature_valid
    assert delivery.status == 200
    assert delivery.host == f"{host}:{receiver.port}"
    assert rebinding_dns.lookups == [host]


def test_a_certificate_for_another_name_is_not_accepted(rebinding_dns, settings, tmp_path, trust_a, alice):
    rebinding_dns.names.add("tickets.rebinding.test")
    certificate, key = self_signed_certificate("someone-else.test", tmp_path)
    settings.WEBHOOK_CA_BUNDLE = str(certificate)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(certificate, key)
    with WebhookReceiver("whsec_" + "A" * 44, tls=tls) as receiver:
        endpoint = _endpoint(trust_a, f"https://tickets.rebinding.test:{receiver.port}/hooks", alice)
        webhooks.webhook_send_test(endpoint=endpoint, sent_by=alice)
        run_worker_once()
        assert receiver.deliveries == []
    first = endpoint.attempts.order_by("attempted_at", "pk").first()
    assert first is not None
    assert first.error == "Could not connect: SSLError"
    assert Notification.objects.get(webhook=endpoint).status != Status.DELIVERED
