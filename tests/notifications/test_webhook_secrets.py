"""Webhook signing secrets are encrypted at rest: the database holds no secret in the clear, the service reads it
back to sign, a rotated SECRET_KEY still reads it while the old key is a fallback, and without that key a send
fails for good with a reason instead of signing with something else."""

import pytest
from django.db import connection
from django.urls import reverse

from respond.core.encryption import UnreadableSecret, decrypt, encrypt
from respond.notifications import webhooks
from respond.notifications.models import Notification, Status, WebhookEndpoint
from tests.notifications.conftest import deliver_everything
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.django_db

OLD_KEY = "an-earlier-secret-key-" + "x" * 40


def _stored(endpoint: WebhookEndpoint) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM notifications_webhookendpoint WHERE id = %s", [endpoint.pk])
        return repr(cursor.fetchone())


def test_the_database_keeps_the_secret_encrypted_and_the_service_signs_with_it(trust_a, alice):
    endpoint = WebhookEndpoint.objects.create(organisation=trust_a, url="http://placeholder", created_by=alice)
    secret = endpoint.secret
    assert secret.startswith("whsec_")
    assert len(endpoint.secret_key) == 32
    row = _stored(endpoint)
    assert secret not in row
    assert secret.removeprefix("whsec_") not in row
    with WebhookReceiver(secret) as receiver:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)
        webhooks.webhook_send_test(endpoint=WebhookEndpoint.objects.get(pk=endpoint.pk), sent_by=alice)
        deliver_everything()
        [delivery] = receiver.deliveries
    assert delivery.signature_valid


def test_each_purpose_has_its_own_key_and_every_encryption_differs():
    first, second = encrypt("whsec_same", purpose="one thing"), encrypt("whsec_same", purpose="one thing")
    assert first != second
    assert decrypt(first, purpose="one thing") == decrypt(second, purpose="one thing") == "whsec_same"
    with pytest.raises(UnreadableSecret):
        decrypt(first, purpose="another thing")


def test_after_rotating_secret_key_the_old_one_as_a_fallback_still_reads_secrets(settings, trust_a, alice):
    settings.SECRET_KEY = OLD_KEY
    endpoint = WebhookEndpoint.objects.create(organisation=trust_a, url="http://placeholder", created_by=alice)
    secret = endpoint.secret
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-key-" + "y" * 40, [OLD_KEY]
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret


def test_without_the_key_it_was_encrypted_with_a_send_fails_for_good(settings, trust_a, alice):
    settings.SECRET_KEY = OLD_KEY
    with WebhookReceiver("whsec_" + "A" * 44) as receiver:
        endpoint = WebhookEndpoint.objects.create(organisation=trust_a, url=receiver.url, created_by=alice)
        settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-key-" + "y" * 40, []
        with pytest.raises(UnreadableSecret):
            WebhookEndpoint.objects.get(pk=endpoint.pk).secret  # noqa: B018 - the property is what is tested
        webhooks.webhook_send_test(endpoint=endpoint, sent_by=alice)
        deliver_everything()
        assert receiver.deliveries == []
    assert Notification.objects.get(webhook=endpoint).status == Status.FAILED
    [attempt] = endpoint.attempts.all()
    assert attempt.error == "The signing secret cannot be decrypted: was SECRET_KEY changed?"


def test_the_webhook_page_says_a_secret_cannot_be_read_rather_than_failing(settings, signed_in, trust_a, alice):
    settings.SECRET_KEY = OLD_KEY
    endpoint = WebhookEndpoint.objects.create(organisation=trust_a, url="http://placeholder", created_by=alice)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-key-" + "y" * 40, []
    page = signed_in(alice).get(reverse("notifications:webhook", args=["RAA", endpoint.pk]))
    assert page.status_code == 200
    assert "Cannot be read: the service&#39;s secret key changed" in page.content.decode()
    assert endpoint.encrypted_secret not in page.content.decode()
