"""Fixtures for the outbox: a local GOV.UK Notify, published alerts, and a way to run the worker in-process."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from respond.accounts.models import GlobalRole, Role
from respond.alerts.models import Alert, AlertStatus, Severity, Tlp
from respond.notifications.conf import notification_settings
from respond.notifications.delivery import Deliverer, RunSummary
from respond.notifications.models import Notification, UserContactDetails
from respond.notifications.ratelimit import notify_buckets
from respond.notifications.slots import slot_key
from respond.notifications.webhook_channel import worker_channels
from tests.factories import OrganisationFactory, global_user, member
from tests.support.notify_server import NotifyServer

_threat_numbers = iter(range(9000, 100000))


@pytest.fixture(autouse=True)
def dummy_tasks(settings):
    """Enqueued tasks are recorded, not run: tests run the worker themselves (or, in the kill test, real ones)."""
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["scheduled", "default"]}
    }


@pytest.fixture(autouse=True)
def no_delivery_chains(settings):
    """No chain holds or has reserved a slot. Only Redis needs telling: the database cache's entries go with each
    test's transaction (and tests without the database may not touch it)."""
    if settings.REDIS_URL:
        cache.delete_many([slot_key(slot) for slot in range(8)])


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://cyber-alerts.example.nhs.uk"


@pytest.fixture
def notify(settings):
    """A local Notify, with the settings pointing at it and quick retries."""
    server = NotifyServer(timeout_seconds=2).start()
    settings.NOTIFY_API_KEY = server.api_key
    settings.NOTIFY_BASE_URL = server.url
    settings.NOTIFY_EMAIL_TEMPLATE_ID = server.email_template_id
    settings.NOTIFY_SMS_TEMPLATE_ID = server.sms_template_id
    settings.NOTIFY_TIMEOUT_SECONDS = 1  # a busy machine can take half a second to answer
    settings.NOTIFY_LEASE_SECONDS = 3
    settings.NOTIFY_LEASE_RENEWAL_SECONDS = 0.5
    settings.NOTIFY_RETRY_BASE_SECONDS = 0.01
    settings.NOTIFY_RETRY_MAX_SECONDS = 0.05
    settings.NOTIFY_RATE_LIMIT_PER_MINUTE = 600_000
    yield server
    server.stop()


def make_alert(*, organisations, author=None, **fields) -> Alert:
    """A published alert, made directly (the publishing journey is the alerts app's to test)."""
    author = author or global_user(GlobalRole.CSOC)
    values = {
        "title": "Critical vulnerability in Example VPN",
        "severity": Severity.HIGH,
        "short_summary": "Example VPN versions before 9.1 let an attacker run code remotely.",
        "summary": "A **critical** flaw.",
        "tlp": Tlp.CLEAR,
        "status": AlertStatus.PUBLISHED,
        "published_at": timezone.now(),
        "threat_id": f"CC-{next(_threat_numbers)}",
        "created_by": author,
        "published_by": author,
    }
    alert = Alert.objects.create(**{**values, **fields})
    alert.organisations.set(organisations)
    return alert


@pytest.fixture
def alert_for():
    return make_alert


def with_mobile(user, number="+447700900001", opt_in=True):
    UserContactDetails.objects.update_or_create(user=user, defaults={"mobile_number": number, "sms_opt_in": opt_in})
    return user


def organisation_with_members(count: int, **kwargs):
    organisation = OrganisationFactory(**kwargs)
    users = [member(organisation, Role.RESPONDER) for _ in range(count)]
    return organisation, users


def in_process_deliverer() -> Deliverer:
    conf = notification_settings()
    sends, lookups = notify_buckets(conf)
    return Deliverer(conf=conf, channels=worker_channels(conf), bucket=sends, lookup_bucket=lookups)


def run_worker_once() -> RunSummary:
    return in_process_deliverer().run(time_limit=10)


def deliver_everything(*, within: float = 20.0) -> list[RunSummary]:
    """Runs the worker in this process until nothing is left to send, waiting out retry delays."""
    deliverer = in_process_deliverer()
    summaries = []
    deadline = time.monotonic() + within
    while True:
        summaries.append(deliverer.run(time_limit=within))
        unfinished = Notification.objects.unfinished()
        if not unfinished.exists():
            return summaries
        if time.monotonic() > deadline:
            raise AssertionError(f"{unfinished.count()} notifications still unsent after {within} seconds")
        next_due = unfinished.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
        wait = (next_due - timezone.now()).total_seconds() if next_due else 0.01
        time.sleep(min(max(wait, 0.001), 0.2))


def due_now(notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
