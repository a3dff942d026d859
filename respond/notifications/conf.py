"""Notification settings, read in one place (each is documented in docs/configuration.md)."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NOTIFY_PRODUCTION_URL = "https://api.notifications.service.gov.uk"


def _setting(name: str, default: Any) -> Any:
    value = getattr(settings, name, None)
    return default if value is None or value == "" else value


@dataclass(frozen=True)
class NotificationSettings:
    notify_api_key: str
    notify_base_url: str
    notify_email_template_id: str
    notify_sms_template_id: str
    notify_timeout_seconds: float
    callback_bearer_token: str
    rate_limit_per_minute: int
    max_attempts: int
    retry_base_seconds: float
    retry_max_seconds: float
    claim_timeout: timedelta
    send_concurrency: int
    batch_size: int
    parallel_tasks: int
    task_time_limit_seconds: float

    @property
    def notify_configured(self) -> bool:
        return bool(self.notify_api_key)

    @property
    def notify_service_id(self) -> str:
        # The key is "<name>-<service id>-<secret>"; notifications-python-client splits it the same way.
        return self.notify_api_key[-73:-37]


def notification_settings() -> NotificationSettings:
    conf = NotificationSettings(
        notify_api_key=str(_setting("NOTIFY_API_KEY", "")),
        notify_base_url=str(_setting("NOTIFY_BASE_URL", NOTIFY_PRODUCTION_URL)),
        notify_email_template_id=str(_setting("NOTIFY_EMAIL_TEMPLATE_ID", "")),
        notify_sms_template_id=str(_setting("NOTIFY_SMS_TEMPLATE_ID", "")),
        notify_timeout_seconds=float(_setting("NOTIFY_TIMEOUT_SECONDS", 10)),
        callback_bearer_token=str(_setting("NOTIFY_CALLBACK_BEARER_TOKEN", "")),
        rate_limit_per_minute=int(_setting("NOTIFY_RATE_LIMIT_PER_MINUTE", 3000)),
        max_attempts=int(_setting("NOTIFY_MAX_ATTEMPTS", 10)),
        retry_base_seconds=float(_setting("NOTIFY_RETRY_BASE_SECONDS", 5)),
        retry_max_seconds=float(_setting("NOTIFY_RETRY_MAX_SECONDS", 600)),
        claim_timeout=timedelta(seconds=float(_setting("NOTIFY_CLAIM_TIMEOUT_SECONDS", 300))),
        send_concurrency=int(_setting("NOTIFY_SEND_CONCURRENCY", 10)),
        batch_size=int(_setting("NOTIFY_BATCH_SIZE", 100)),
        parallel_tasks=int(_setting("NOTIFY_PARALLEL_TASKS", 2)),
        task_time_limit_seconds=float(_setting("NOTIFY_TASK_TIME_LIMIT_SECONDS", 120)),
    )
    if conf.notify_configured and (len(conf.notify_api_key) < 74 or not conf.notify_email_template_id):
        raise ImproperlyConfigured(
            "NOTIFY_API_KEY must be a whole GOV.UK Notify API key (name-serviceid-secret), "
            "and NOTIFY_EMAIL_TEMPLATE_ID must be set with it."
        )
    # A worker starts no send after half the claim timeout, and one send (a look-up, then the send) can take
    # twice the request timeout: a shorter claim could be taken over while a request is still on its way.
    if conf.claim_timeout.total_seconds() < 4 * conf.notify_timeout_seconds + 5:
        raise ImproperlyConfigured(
            "NOTIFY_CLAIM_TIMEOUT_SECONDS must be at least 4 times NOTIFY_TIMEOUT_SECONDS, plus 5 seconds."
        )
    if conf.rate_limit_per_minute < 1 or conf.send_concurrency < 1 or conf.batch_size < 1 or conf.max_attempts < 1:
        raise ImproperlyConfigured(
            "NOTIFY_RATE_LIMIT_PER_MINUTE, NOTIFY_SEND_CONCURRENCY, NOTIFY_BATCH_SIZE and NOTIFY_MAX_ATTEMPTS "
            "must be 1 or more."
        )
    return conf
