"""The webhook channel: POSTs an event's JSON, signed (respond.notifications.webhook_signing), to the webhook's URL.

A 2xx answer is delivery. 408, 429, a 5xx, a timeout or a broken connection are worth another try (the deliverer
backs off); anything else, a redirect included (never followed: the signature is for this URL), is permanent. The
connection goes to the address the URL's host was vetted at just before (respond.notifications.webhook_transport). Every
try is written down (WebhookAttempt) when the deliverer records its batch, and a webhook that fails
WEBHOOK_DISABLE_AFTER_FAILURES times in a row is disabled, its organisation's administrators told by email.

Sending runs in the deliverer's threads, so it touches no database: what each try saw waits in memory until
`record_attempts()`, which the deliverer calls in its recording transaction.
"""

import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

import requests
from django.conf import settings
from django.db.models import F, Value
from django.utils import timezone

from respond.core.encryption import UnreadableSecret
from respond.notifications.channels import Channel, Channels, PermanentError, SendResult, TransientError
from respond.notifications.conf import NotificationSettings
from respond.notifications.messages import Message
from respond.notifications.models import Notification, Status, WebhookAttempt, WebhookEndpoint
from respond.notifications.webhook_disabling import disable_failing_webhooks
from respond.notifications.webhook_safety import HostNotFound, UnsafeWebhookUrl, vetted_address
from respond.notifications.webhook_signing import signed_headers
from respond.notifications.webhook_transport import post_pinned

RETRYABLE_STATUS_CODES = {408, 429}


def webhook_id(notification: Notification) -> str:
    """The event's id for the receiver: the outbox row's, so every retry of one event carries the same one."""
    return f"msg_{notification.id.hex}"


@dataclass(frozen=True)
class Seen:
    endpoint_id: int
    attempted_at: datetime
    succeeded: bool
    status_code: int | None
    duration_ms: int
    error: str = ""


class WebhookChannel(Channel):
    name = "webhook"

    def __init__(self) -> None:
        self._seen: dict[UUID, Seen] = {}
        self._lock = threading.Lock()

    def notify(self, notification: Notification, message: Message) -> SendResult:
        endpoint = notification.webhook
        if endpoint is None:
            raise PermanentError("The webhook was removed")
        if not endpoint.enabled:
            raise PermanentError("The webhook is turned off")
        attempted_at, started = timezone.now(), time.monotonic()

        def seen(*, status_code: int | None = None, error: str = "") -> None:
            outcome = Seen(
                endpoint_id=endpoint.pk,
                attempted_at=attempted_at,
                succeeded=status_code is not None and 200 <= status_code < 300,
                status_code=status_code,
                duration_ms=round((time.monotonic() - started) * 1000),
                error=error[:500],
            )
            with self._lock:
                self._seen[notification.id] = outcome

        try:
            address = vetted_address(endpoint.url)
        except HostNotFound as error:
            seen(error=str(error))
            raise TransientError(str(error)) from error
        except UnsafeWebhookUrl as error:
            seen(error=str(error))
            raise PermanentError(str(error)) from error
        body = message.body.encode()
        try:
            key = endpoint.secret_key
        except UnreadableSecret as error:
            seen(error="The signing secret cannot be decrypted: was SECRET_KEY changed?")
            raise PermanentError(str(error)) from error
        headers = signed_headers(key=key, webhook_id=webhook_id(notification), body=body)
        headers["User-Agent"] = f"{settings.SERVICE_NAME} webhooks"
        try:
            response = post_pinned(endpoint.url, address=address, body=body, headers=headers)
        except requests.Timeout as error:
            seen(error="Timed out waiting for the receiver")
            raise TransientError(f"The webhook timed out: {error}") from error
        except requests.RequestException as error:
            seen(error=f"Could not connect: {type(error).__name__}")
            raise TransientError(f"The webhook could not be reached: {error}") from error
        code = response.status_code
        seen(status_code=code, error="" if 200 <= code < 300 else f"The receiver answered {code}")
        if 200 <= code < 300:
            return SendResult(provider_id=webhook_id(notification), status=Status.DELIVERED)
        if code in RETRYABLE_STATUS_CODES or code >= 500:
            raise TransientError(f"The webhook answered {code}")
        if 300 <= code < 400:
            raise PermanentError(f"The webhook answered {code}, a redirect: redirects are not followed")
        raise PermanentError(f"The webhook answered {code}: {response.text[:200]}")

    def record_attempts(self) -> None:
        """Writes down the tries made since the last call, and disables webhooks failing too often. In the
        deliverer's recording transaction."""
        with self._lock:
            seen, self._seen = self._seen, {}
        if not seen:
            return
        WebhookAttempt.objects.bulk_create(
            [
                WebhookAttempt(
                    notification_id=notification_id,
                    endpoint_id=attempt.endpoint_id,
                    attempted_at=attempt.attempted_at,
                    succeeded=attempt.succeeded,
                    status_code=attempt.status_code,
                    duration_ms=attempt.duration_ms,
                    error=attempt.error,
                )
                for notification_id, attempt in seen.items()
            ]
        )
        # Tries of one webhook in this batch, oldest first: a success resets the count, a failure adds one.
        by_endpoint: dict[int, list[Seen]] = {}
        for attempt in sorted(seen.values(), key=lambda attempt: attempt.attempted_at):
            by_endpoint.setdefault(attempt.endpoint_id, []).append(attempt)
        for endpoint_id, attempts in by_endpoint.items():
            last_success = max((i for i, attempt in enumerate(attempts) if attempt.succeeded), default=None)
            failures_after = len(attempts) - 1 - last_success if last_success is not None else len(attempts)
            base = Value(0) if last_success is not None else F("consecutive_failures")
            WebhookEndpoint.objects.filter(pk=endpoint_id).update(consecutive_failures=base + failures_after)
        disable_failing_webhooks(endpoint_ids=list(by_endpoint))


def worker_channels(conf: NotificationSettings) -> Channels:
    """Every channel a delivery worker sends through: email and text messages as configured, and webhooks."""
    return replace(Channels.from_settings(conf), webhook=WebhookChannel())
