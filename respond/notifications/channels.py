"""One class per way of sending: GOV.UK Notify email, Notify text message, and SMTP email.

`notify()` sends one message and returns what the provider said; it raises PermanentError when sending
again cannot help (the provider refused the message) and TransientError when it might (rate limited, the
provider failed, the request timed out). `uncertain` on a TransientError means the provider may have
accepted the message anyway, so the next attempt first asks it (`lookup()`) instead of sending blindly.
"""

import smtplib
import threading
from dataclasses import dataclass, field
from typing import Any

import requests
from django.conf import settings
from django.core.mail import EmailMessage
from notifications_python_client.errors import APIError, HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from respond.notifications.conf import NotificationSettings
from respond.notifications.messages import Message
from respond.notifications.models import Channel as ChannelName
from respond.notifications.models import Notification, Status


class DeliveryError(Exception):
    def __init__(self, message: str, *, uncertain: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.uncertain = uncertain


class PermanentError(DeliveryError):
    """Sending again will fail the same way: record the reason and stop."""


class TransientError(DeliveryError):
    """Worth trying again later."""


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    status: str  # a Status value


# What Notify's notification statuses mean for our row.
NOTIFY_STATUSES = {
    "created": Status.SENT,
    "sending": Status.SENT,
    "pending": Status.SENT,
    "sent": Status.SENT,
    "accepted": Status.SENT,
    "received": Status.SENT,
    "delivered": Status.DELIVERED,
    "permanent-failure": Status.PERMANENT_FAILURE,
    "temporary-failure": Status.TEMPORARY_FAILURE,
    "technical-failure": Status.TECHNICAL_FAILURE,
    "validation-failed": Status.FAILED,
    "virus-scan-failed": Status.FAILED,
}


class Channel:
    name: str

    def notify(self, notification: Notification, message: Message) -> SendResult:
        raise NotImplementedError

    def lookup(self, notification: Notification) -> SendResult | None:
        """The provider's record of an earlier send of this notification, if it can tell us."""
        return None

    def record_attempts(self) -> None:
        """Writes down what the sends since the last call saw, in the deliverer's recording transaction."""


def _notify_error_text(error: APIError) -> str:
    message: Any = error.message
    if isinstance(message, list):
        message = "; ".join(str(item.get("message", item)) if isinstance(item, dict) else str(item) for item in message)
    return f"GOV.UK Notify said {error.status_code}: {message}"


def _notify_error(error: APIError) -> DeliveryError:
    text = _notify_error_text(error)
    if isinstance(error, HTTPError) and error.response is None:
        # No response: a timeout or a broken connection. Unless we never connected, Notify may have the message.
        cause = error.__cause__
        never_connected = isinstance(cause, requests.ConnectTimeout) or "NewConnectionError" in str(cause)
        reason = "timed out" if isinstance(cause, requests.Timeout) else "could not be reached"
        return TransientError(f"GOV.UK Notify {reason}: {cause}", uncertain=not never_connected)
    status = error.status_code
    if status == 429:
        return TransientError(text)
    if status >= 500:
        # A server error can come after Notify has stored the message.
        return TransientError(text, uncertain=True)
    if not isinstance(error, HTTPError):
        # A success response we could not read (InvalidResponse): the message was probably accepted.
        return TransientError(f"GOV.UK Notify's response could not be read: {text}", uncertain=True)
    return PermanentError(text)


class NotifyChannel(Channel):
    """Shared by Notify email and text messages. The client is not thread-safe: one per thread."""

    def __init__(self, conf: NotificationSettings) -> None:
        self.conf = conf
        self._local = threading.local()

    @property
    def client(self) -> NotificationsAPIClient:
        client = getattr(self._local, "client", None)
        if client is None:
            client = NotificationsAPIClient(
                self.conf.notify_api_key, base_url=self.conf.notify_base_url, timeout=self.conf.notify_timeout_seconds
            )
            self._local.client = client
        return client

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, method)(*args, **kwargs)
        except APIError as error:
            raise _notify_error(error) from error

    def lookup(self, notification: Notification) -> SendResult | None:
        response = self._call("get_all_notifications", reference=notification.reference)
        found = [item for item in response.get("notifications", []) if item.get("reference") == notification.reference]
        if not found:
            return None
        latest = found[0]
        return SendResult(provider_id=str(latest["id"]), status=NOTIFY_STATUSES.get(latest.get("status"), Status.SENT))


class NotifyEmail(NotifyChannel):
    name = "GOV.UK Notify email"

    def notify(self, notification: Notification, message: Message) -> SendResult:
        response = self._call(
            "send_email_notification",
            email_address=notification.address,
            template_id=self.conf.notify_email_template_id,
            personalisation={"subject": message.subject, "body": message.body},
            reference=notification.reference,
        )
        return SendResult(provider_id=str(response["id"]), status=Status.SENT)


class NotifySms(NotifyChannel):
    name = "GOV.UK Notify text message"

    def notify(self, notification: Notification, message: Message) -> SendResult:
        if not self.conf.notify_sms_template_id:
            raise PermanentError("Text messages are not set up: NOTIFY_SMS_TEMPLATE_ID is empty")
        response = self._call(
            "send_sms_notification",
            phone_number=notification.address,
            template_id=self.conf.notify_sms_template_id,
            personalisation={"body": message.body},
            reference=notification.reference,
        )
        return SendResult(provider_id=str(response["id"]), status=Status.SENT)


class SmtpEmail(Channel):
    """Plain email through Django's default mailer, when Notify is not configured.

    SMTP cannot be asked whether an earlier send arrived, so a message whose worker died between the SMTP
    server accepting it and the row being marked is sent again; it carries the same Message-ID, which mail
    clients use to hide the copy.
    """

    name = "email (SMTP)"

    def notify(self, notification: Notification, message: Message) -> SendResult:
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "localhost"
        message_id = f"<{notification.reference.replace('/', '.')}@{domain}>"
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            to=[notification.address],
            headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"},
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            text = "; ".join(f"{code} {_text(reason)}" for code, reason in error.recipients.values())
            if all(code >= 500 for code in codes):
                raise PermanentError(f"The mail server refused the address: {text}") from error
            raise TransientError(f"The mail server deferred the address: {text}") from error
        except smtplib.SMTPResponseException as error:
            text = f"The mail server said {error.smtp_code}: {_text(error.smtp_error)}"
            if 500 <= error.smtp_code < 600:
                raise PermanentError(text) from error
            raise TransientError(text) from error
        except (smtplib.SMTPException, OSError) as error:
            raise TransientError(f"The mail server could not be reached: {error}") from error
        return SendResult(provider_id=message_id, status=Status.SENT)


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


class NotConfiguredSms(Channel):
    name = "text message"

    def notify(self, notification: Notification, message: Message) -> SendResult:
        raise PermanentError("Text messages need GOV.UK Notify, which is not configured (NOTIFY_API_KEY)")


class NotConfiguredWebhook(Channel):
    name = "webhook"

    def notify(self, notification: Notification, message: Message) -> SendResult:
        raise PermanentError("This worker cannot send webhooks")


@dataclass
class Channels:
    email: Channel
    sms: Channel
    # respond.notifications.webhook_channel.WebhookChannel, which builds on this module; the tasks set it.
    webhook: Channel = field(default_factory=NotConfiguredWebhook)

    @classmethod
    def from_settings(cls, conf: NotificationSettings) -> "Channels":
        if conf.notify_configured:
            return cls(email=NotifyEmail(conf), sms=NotifySms(conf))
        return cls(email=SmtpEmail(), sms=NotConfiguredSms())

    def for_notification(self, notification: Notification) -> Channel:
        if notification.channel == ChannelName.WEBHOOK:
            return self.webhook
        return self.email if notification.channel == ChannelName.EMAIL else self.sms

    def record_attempts(self) -> None:
        for channel in (self.email, self.sms, self.webhook):
            channel.record_attempts()
