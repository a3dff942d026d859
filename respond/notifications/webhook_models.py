"""Webhooks: an organisation's ticketing system told of events as signed JSON POSTs (respond.notifications.webhooks).

Each event to each webhook is one outbox row (a Notification of the webhook channel, its JSON a ComposedMessage),
sent, retried and recorded by the same deliverer as emails; each try is a WebhookAttempt."""

import base64
import secrets

from django.conf import settings
from django.db import models

from respond.core.encryption import UnreadableSecret, decrypt, encrypt
from respond.organisations.models import Organisation

SECRET_PREFIX = "whsec_"
SIGNING_SECRET = "webhook signing secret"  # what respond.core.encryption derives the key for


def new_signing_secret() -> str:
    """As the Standard Webhooks spec writes them: whsec_ then 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def new_encrypted_signing_secret() -> str:
    return encrypt(new_signing_secret(), purpose=SIGNING_SECRET)


class WebhookEndpointQuerySet(models.QuerySet["WebhookEndpoint"]):
    def for_organisation(self, organisation: Organisation) -> "WebhookEndpointQuerySet":
        return self.filter(organisation=organisation)

    def enabled(self) -> "WebhookEndpointQuerySet":
        return self.filter(enabled=True)


class WebhookEndpoint(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="webhooks")
    # At most 254 characters: the outbox row keeps it as its address.
    url = models.URLField("URL", max_length=254)
    description = models.CharField(max_length=200, blank=True)
    # Needed to sign, so encrypted rather than hashed (respond.core.encryption): a copy of the database alone does
    # not let anyone sign events that the organisation's ticketing system would believe.
    encrypted_secret = models.TextField(default=new_encrypted_signing_secret)
    enabled = models.BooleanField(default=True)
    # Failed attempts since the last success: at WEBHOOK_DISABLE_AFTER_FAILURES the webhook is disabled.
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "url"], name="one_webhook_per_url")]

    def __str__(self) -> str:
        return f"Webhook {self.url} of {self.organisation.ods_code}"

    @property
    def secret(self) -> str:
        """The signing secret, `whsec_…`; raises respond.core.encryption.UnreadableSecret if SECRET_KEY changed
        without the old one kept in SECRET_KEY_FALLBACKS."""
        return decrypt(self.encrypted_secret, purpose=SIGNING_SECRET)

    @property
    def readable_secret(self) -> str | None:
        """The signing secret, or None when it cannot be decrypted (for pages, which say so rather than fail)."""
        try:
            return self.secret
        except UnreadableSecret:
            return None

    @property
    def secret_key(self) -> bytes:
        return base64.b64decode(self.secret.removeprefix(SECRET_PREFIX))


class WebhookAttempt(models.Model):
    """One try at sending one event to one webhook: what the receiver answered, or why there was no answer."""

    notification = models.ForeignKey(
        "notifications.Notification", on_delete=models.CASCADE, related_name="webhook_attempts"
    )
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField()
    succeeded = models.BooleanField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-pk"]
        indexes = [models.Index(fields=["endpoint", "-attempted_at"], name="webhook_attempts_recent")]

    def __str__(self) -> str:
        return f"Attempt at {self.attempted_at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"
