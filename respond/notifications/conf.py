"""Notification settings, read in one place (each is documented in docs/configuration.md)."""

from dataclasses import dataclass, replace
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
    lease: timedelta
    lease_renewal_seconds: float
    lookup_rate_per_minute: int
    send_concurrency: int
    batch_size: int
    parallel_tasks: int
    task_time_limit_seconds: float

    @property
    def notify_configured(self) -> bool:
        return bool(self.notify_api_key)

    @property
    def send_rate_per_minute(self) -> int:
        # Notify counts look-ups against the same limit: they get a budget of their own, sends the rest.
        return self.rate_limit_per_minute - self.lookup_rate_per_minute

    @property
    def send_window_seconds(self) -> float:
        """How old a lease's last renewal may be when a send starts: the send (a look-up, then the send) must
        finish before the lease could run out."""
        return self.lease.total_seconds() - 2 * self.notify_timeout_seconds

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
        lease=timedelta(seconds=float(_setting("NOTIFY_LEASE_SECONDS", 30))),
        lease_renewal_seconds=float(_setting("NOTIFY_LEASE_RENEWAL_SECONDS", 5)),
        lookup_rate_per_minute=int(_setting("NOTIFY_LOOKUP_RATE_PER_MINUTE", 0)),
        send_concurrency=int(_setting("NOTIFY_SEND_CONCURRENCY", 10)),
        batch_size=int(_setting("NOTIFY_BATCH_SIZE", 100)),
        parallel_tasks=int(_setting("NOTIFY_PARALLEL_TASKS", 2)),
        task_time_limit_seconds=float(_setting("NOTIFY_TASK_TIME_LIMIT_SECONDS", 120)),
    )
    if not conf.lookup_rate_per_minute:
        # One request in ten, unless set: enough to check a crashed worker's last sends in seconds. Sends use
        # whatever look-ups leave, so a generous share costs sending nothing while nobody looks anything up.
        conf = replace(conf, lookup_rate_per_minute=max(1, conf.rate_limit_per_minute // 10))
    if conf.notify_configured and (len(conf.notify_api_key) < 74 or not conf.notify_email_template_id):
        raise ImproperlyConfigured(
            "NOTIFY_API_KEY must be a whole GOV.UK Notify API key (name-serviceid-secret), "
            "and NOTIFY_EMAIL_TEMPLATE_ID must be set with it."
        )
    # One send (a look-up, then the send) can take twice the request timeout, and a worker starts none unless
    # that much of its lease is left: a lease shorter than that plus two renewals could be taken over while
    # a request is still on its way, or leave no time to send at all.
    if conf.lease.total_seconds() < 2 * conf.notify_timeout_seconds + 2 * conf.lease_renewal_seconds:
        raise ImproperlyConfigured(
            "NOTIFY_LEASE_SECONDS must be at least twice NOTIFY_TIMEOUT_SECONDS plus twice "
            "NOTIFY_LEASE_RENEWAL_SECONDS."
        )
    if conf.lease_renewal_seconds <= 0:
        raise ImproperlyConfigured("NOTIFY_LEASE_RENEWAL_SECONDS must be more than 0.")
    if not 1 <= conf.lookup_rate_per_minute < conf.rate_limit_per_minute:
        raise ImproperlyConfigured(
            "NOTIFY_LOOKUP_RATE_PER_MINUTE must be 1 or more, and less than NOTIFY_RATE_LIMIT_PER_MINUTE."
        )
    if conf.rate_limit_per_minute < 1 or conf.send_concurrency < 1 or conf.batch_size < 1 or conf.max_attempts < 1:
        raise ImproperlyConfigured(
            "NOTIFY_RATE_LIMIT_PER_MINUTE, NOTIFY_SEND_CONCURRENCY, NOTIFY_BATCH_SIZE and NOTIFY_MAX_ATTEMPTS "
            "must be 1 or more."
        )
    return conf
