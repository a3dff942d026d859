"""Webhooks: registering them, and queueing events to them through the outbox (respond.notifications.webhook_channel
sends them). Events, as JSON (documented in docs/webhooks.md):

- `alert.published`: a new alert the organisation must respond to;
- `alert.updated`: a threat update or a severity change to an alert it was sent;
- `deadline.approaching`: its response (or its acknowledgement of an update) is due soon and not given yet;
- `deadline.missed`: that deadline has passed;
- `webhook.test`: sent from the webhook's page.

Each event to each webhook is one outbox row, written in the caller's transaction, and sent once it commits.
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from respond.accounts.models import User
from respond.alerts.models import Alert, ThreatUpdate
from respond.core.audit import Auditor, snapshot
from respond.notifications.chains import enqueue_delivery
from respond.notifications.models import ComposedMessage, MessageKind, Notification, WebhookEndpoint
from respond.notifications.webhook_safety import UnsafeWebhookUrl, check_webhook_url
from respond.organisations.models import Organisation

AUDITED_FIELDS = ["url", "description", "enabled"]
URL_FORMAT_ERROR = "Enter a web address in the correct format, like https://tickets.example.nhs.uk/hooks"
_url = URLValidator(schemes=["https", "http"])


@dataclass(frozen=True)
class WebhookEvent:
    organisation: Organisation
    type: str
    data: dict[str, Any]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def alert_data(alert: Alert) -> dict[str, Any]:
    return {
        "threat_id": alert.threat_id,
        "title": alert.title,
        "severity": alert.severity,
        "tlp": alert.get_tlp_display(),
        "short_summary": alert.short_summary,
        "url": settings.SITE_URL + alert.get_absolute_url(),
        "published_at": _iso(alert.published_at),
        "response_deadline_at": _iso(alert.deadline_at),
        "status": alert.status,
    }


def organisation_data(organisation: Organisation) -> dict[str, Any]:
    return {"ods_code": organisation.ods_code, "name": organisation.name}


def update_data(update: ThreatUpdate) -> dict[str, Any]:
    return {
        "text": update.text,
        "created_at": _iso(update.created_at),
        "acknowledge_again_by": _iso(update.reacknowledge_by),
    }


def queue_webhook_events(*, events: Iterable[WebhookEvent], only: WebhookEndpoint | None = None) -> int:
    """Writes one outbox row per event and enabled webhook of its organisation (or `only` that one), in the
    caller's transaction; sends them once it commits. Returns how many rows."""
    events = list(events)
    if only is not None:
        endpoints: dict[int, list[WebhookEndpoint]] = {only.organisation_id: [only]}
    else:
        endpoints = defaultdict(list)
        organisation_ids = {event.organisation.pk for event in events}
        for endpoint in WebhookEndpoint.objects.enabled().filter(organisation_id__in=organisation_ids):
            endpoints[endpoint.organisation_id].append(endpoint)
    events = [event for event in events if endpoints.get(event.organisation.pk)]
    if not events:
        return 0
    now = timezone.now()
    kind = MessageKind.WEBHOOK_EVENT
    composed = ComposedMessage.objects.bulk_create(
        ComposedMessage(kind=kind, subject=event.type, body=_json(event, now)) for event in events
    )
    rows = [
        Notification.of_composed(
            message, address=endpoint.url, now=now, webhook=endpoint, organisation_id=event.organisation.pk
        )
        for event, message in zip(events, composed, strict=True)
        for endpoint in endpoints[event.organisation.pk]
    ]
    Notification.objects.bulk_create(rows, batch_size=500)
    transaction.on_commit(enqueue_delivery, robust=True)
    return len(rows)


def _json(event: WebhookEvent, now: datetime) -> str:
    payload = {"type": event.type, "timestamp": now.isoformat(), "data": event.data}
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)


def alert_events(*, alert: Alert, event_type: str, update: ThreatUpdate | None = None, change: str = "") -> int:
    """`alert.published` or `alert.updated` to every organisation the alert was sent to that has a webhook."""
    organisations = Organisation.objects.filter(
        pk__in=WebhookEndpoint.objects.enabled().values("organisation_id"),
    ).filter(pk__in=alert.in_scope_organisations().values("pk"))
    base: dict[str, Any] = {"alert": alert_data(alert)}
    if update is not None:
        base["update"] = update_data(update)
    if change:
        base["change"] = change
    return queue_webhook_events(
        events=[
            WebhookEvent(organisation, event_type, {**base, "organisation": organisation_data(organisation)})
            for organisation in organisations
        ]
    )


def webhook_register(
    *, organisation: Organisation, url: str, description: str, created_by: User, auditor: Auditor
) -> WebhookEndpoint:
    url = url.strip()
    try:
        _url(url)
    except ValidationError as error:
        raise ValidationError(
            {"url": ["Enter a web address in the correct format, like https://example.com/hooks"]}
        ) from error
    try:
        check_webhook_url(url)
    except UnsafeWebhookUrl as error:
        raise ValidationError({"url": [str(error)]}) from error
    with transaction.atomic():
        if WebhookEndpoint.objects.filter(organisation=organisation, url=url).exists():
            raise ValidationError({"url": [f"{organisation.name} already has a webhook for this address"]})
        endpoint = WebhookEndpoint.objects.create(
            organisation=organisation, url=url, description=description.strip(), created_by=created_by
        )
        auditor.log("notifications.webhook_added", endpoint, after=snapshot(endpoint, AUDITED_FIELDS))
    return endpoint


def webhook_remove(*, endpoint: WebhookEndpoint, auditor: Auditor) -> None:
    with transaction.atomic():
        auditor.log("notifications.webhook_removed", endpoint, before=snapshot(endpoint, AUDITED_FIELDS))
        endpoint.delete()


def webhook_turn_on(*, endpoint: WebhookEndpoint, auditor: Auditor) -> None:
    with transaction.atomic():
        before = snapshot(endpoint, AUDITED_FIELDS)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            enabled=True, consecutive_failures=0, disabled_at=None, disabled_reason=""
        )
        endpoint.refresh_from_db()
        auditor.log(
            "notifications.webhook_turned_on", endpoint, before=before, after=snapshot(endpoint, AUDITED_FIELDS)
        )


def webhook_send_test(*, endpoint: WebhookEndpoint, sent_by: User) -> None:
    data = {
        "organisation": organisation_data(endpoint.organisation),
        "message": f"A test event sent by {sent_by.full_name or sent_by.email}",
    }
    with transaction.atomic():
        queue_webhook_events(events=[WebhookEvent(endpoint.organisation, "webhook.test", data)], only=endpoint)


def deadline_event(
    *, organisation: Organisation, alert: Alert, missed: bool, deadline: datetime | None, update: ThreatUpdate | None
) -> WebhookEvent:
    """`deadline.approaching` or `deadline.missed`: for the alert's response, or for acknowledging an update."""
    data: dict[str, Any] = {
        "alert": alert_data(alert),
        "organisation": organisation_data(organisation),
        "deadline_at": _iso(deadline),
        "owed": "acknowledge_update" if update is not None else "respond",
        "respond_url": settings.SITE_URL + alert.get_absolute_url(),
    }
    if update is not None:
        data["update"] = update_data(update)
    return WebhookEvent(organisation, "deadline.missed" if missed else "deadline.approaching", data)
