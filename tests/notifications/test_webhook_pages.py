"""An organisation's administrators manage its webhooks; addresses are checked (https and public in production)."""

import pytest
from django.urls import reverse

from respond.core.models import AuditLog
from respond.notifications.models import Channel, Notification, WebhookEndpoint
from tests.notifications.conftest import deliver_everything
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.django_db


def add(client, url, description=""):
    return client.post(reverse("notifications:add_webhook", args=["RAA"]), {"url": url, "description": description})


def test_an_administrator_adds_a_webhook_sends_a_test_event_and_sees_the_attempt(signed_in, alice):
    client = signed_in(alice)
    assert "Manage the webhooks of" in client.get(reverse("access:index")).content.decode()
    response = add(client, "http://127.0.0.1:9/placeholder", "ServiceNow")
    endpoint = WebhookEndpoint.objects.get()
    assert response["Location"] == reverse("notifications:webhook", args=["RAA", endpoint.pk])
    page = client.get(response["Location"]).content.decode()
    assert endpoint.secret in page
    assert endpoint.secret.startswith("whsec_")
    assert "No events have been sent to this webhook yet" in page
    with WebhookReceiver(endpoint.secret) as receiver:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)
        client.post(reverse("notifications:test_webhook", args=["RAA", endpoint.pk]))
        deliver_everything()
        assert receiver.event_types() == ["webhook.test"]
    page = client.get(reverse("notifications:webhook", args=["RAA", endpoint.pk])).content.decode()
    assert "Delivered (200)" in page
    assert f"msg_{Notification.objects.get(channel=Channel.WEBHOOK).id.hex}" in page
    listing = client.get(reverse("notifications:webhooks", args=["RAA"])).content.decode()
    assert receiver.url in listing
    assert "ServiceNow" in listing
    assert AuditLog.objects.filter(action="notifications.webhook_added").exists()


def test_a_turned_off_webhook_is_turned_on_again_and_can_be_removed(signed_in, alice, trust_a):
    endpoint = WebhookEndpoint.objects.create(
        organisation=trust_a, url="https://tickets.example/hook", enabled=False, consecutive_failures=15,
        disabled_reason="Turned off after 15 failed attempts in a row",
    )  # fmt: skip
    client = signed_in(alice)
    page = client.get(reverse("notifications:webhook", args=["RAA", endpoint.pk])).content.decode()
    assert "Turned off: Turned off after 15 failed attempts in a row" in page
    assert "Send a test event" not in page
    client.post(reverse("notifications:turn_on_webhook", args=["RAA", endpoint.pk]))
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.consecutive_failures, endpoint.disabled_reason) == (True, 0, "")
    client.post(reverse("notifications:remove_webhook", args=["RAA", endpoint.pk]))
    assert not WebhookEndpoint.objects.exists()
    assert AuditLog.objects.filter(action="notifications.webhook_removed").exists()


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://tickets.example.nhs.uk/hook", "Enter a web address that starts with https://"),
        ("https://127.0.0.1/hook", "is a private or local address (127.0.0.1)"),
        ("https://localhost:8443/hook", "is a private or local address"),
        ("https://10.20.30.40/hook", "is a private or local address (10.20.30.40)"),
        ("https://169.254.169.254/latest/meta-data", "is a private or local address (169.254.169.254)"),
        ("https://[::1]/hook", "is a private or local address (::1)"),
        ("https://[::ffff:192.168.1.1]/hook", "is a private or local address"),
        ("https://user:pass@tickets.example.nhs.uk/", "without a user name or password"),
        ("not a web address", "Enter a web address in the correct format"),
        ("", "Enter the web address that receives events"),
    ],
)
def test_in_production_only_https_to_public_addresses(signed_in, alice, settings, url, error):
    settings.WEBHOOK_PUBLIC_HTTPS_ONLY = True
    response = add(signed_in(alice), url, "Kept as typed")
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page.replace("&#39;", "'")
    assert 'value="Kept as typed"' in page
    assert not WebhookEndpoint.objects.exists()


def test_in_production_a_public_https_address_is_accepted(signed_in, alice, settings):
    settings.WEBHOOK_PUBLIC_HTTPS_ONLY = True
    add(signed_in(alice), "https://93.184.215.14/hooks")
    assert WebhookEndpoint.objects.get().url == "https://93.184.215.14/hooks"


def test_the_same_address_twice_is_refused(signed_in, alice):
    client = signed_in(alice)
    add(client, "http://127.0.0.1:9/hook")
    assert "already has a webhook for this address" in add(client, "http://127.0.0.1:9/hook").content.decode()
    assert WebhookEndpoint.objects.count() == 1


def test_other_organisations_webhooks_are_out_of_reach(signed_in, alice, charlie, bob, trust_a):
    endpoint = WebhookEndpoint.objects.create(organisation=trust_a, url="https://tickets.example/hook")
    clients = {person: signed_in(person) for person in (charlie, bob)}
    for client in clients.values():
        assert client.get(reverse("notifications:webhook", args=["RAA", endpoint.pk])).status_code == 403
        assert client.post(reverse("notifications:remove_webhook", args=["RAA", endpoint.pk])).status_code == 403
    # charlie administers Trust B: the webhook is not found under it.
    charlie_client = clients[charlie]
    assert charlie_client.get(reverse("notifications:webhook", args=["RBB", endpoint.pk])).status_code == 404
    assert charlie_client.post(reverse("notifications:remove_webhook", args=["RBB", endpoint.pk])).status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
