"""A collection's STIX objects as TAXII serves them: each with its version (`modified`, or `created` for objects
that never change) and `date_added`, ordered by (date_added, id) for `added_after` and `next`.

Built from a fixed number of queries whatever the number of alerts, whether or not their objects were built
before (the alerts with their last change, the objects kept for them, and for those missing or stale their
remediation steps and updates, and one write), then in Python. An alert's objects are kept (BuiltStixObjects)
with what they were built from, its last change among it, so a changed alert is built afresh and a poll of
unchanged ones costs no STIX work.
An object's version is added when it is written, so its date_added is its version's time; the marking
definitions and the CSOC identity are as old as they are.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import F, Max, Q

from respond.alerts.models import Alert, AlertQuerySet
from respond.exchange.markings import marking_for
from respond.exchange.models import BuiltStixObjects
from respond.exchange.stix import AlertFacts, alert_objects, csoc_identity

STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
# Raised when the objects built from an alert change shape, so kept ones are not served.
FORMAT = 1


@dataclass(frozen=True)
class Entry:
    date_added: str  # STIX timestamp, UTC with milliseconds: sorts as text
    id: str
    version: str
    object: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.date_added}|{self.id}"

    def manifest(self) -> dict[str, Any]:
        return {"id": self.id, "date_added": self.date_added, "version": self.version, "media_type": STIX_MEDIA_TYPE}


def _with_changes(alerts: AlertQuerySet, *, added_after: datetime | None) -> AlertQuerySet:
    changed = alerts.filter(published_at__isnull=False, threat_id__isnull=False).annotate(
        latest_change=Max("versions__created_at", filter=Q(versions__created_at__gt=F("published_at")))
    )
    if added_after is not None:
        # No object of an alert is newer than its last change (or its publication).
        changed = changed.filter(Q(published_at__gt=added_after) | Q(latest_change__gt=added_after))
    return changed.order_by("pk")


def _last_change(alert: Alert) -> datetime:
    published = alert.published_at
    assert published is not None  # filtered in _with_changes
    latest = getattr(alert, "latest_change", None)
    return max(published, latest) if latest else published


def built_from(alert: Alert) -> str:
    changed = _last_change(alert).isoformat()
    return f"{FORMAT}|{changed}|{alert.status}|{alert.tlp}|{settings.SITE_URL}"


def _built(alerts: list[Alert]) -> dict[int, list[dict[str, Any]]]:
    """The STIX objects of alerts with none kept, or stale ones: their steps and updates in two queries."""
    if not alerts:
        return {}
    fresh = Alert.objects.filter(pk__in=[alert.pk for alert in alerts]).prefetch_related("remediation_steps", "updates")
    by_pk = {alert.pk: alert for alert in alerts}
    built = {}
    for alert in fresh:
        facts = AlertFacts(
            steps=list(alert.remediation_steps.all()),
            updates=list(alert.updates.all()),
            modified=_last_change(by_pk[alert.pk]),
        )
        built[alert.pk] = [json.loads(obj.serialize()) for obj in alert_objects(alert, facts)]
    return built


def collection_entries(alerts: AlertQuerySet, *, added_after: datetime | None = None) -> list[Entry]:
    listed = list(_with_changes(alerts, added_after=added_after))
    sources = {alert.pk: built_from(alert) for alert in listed}
    kept = {
        row.alert_id: row.stix_objects
        for row in BuiltStixObjects.objects.filter(alert_id__in=list(sources))
        if row.built_from == sources[row.alert_id]
    }
    built = _built([alert for alert in listed if alert.pk not in kept])
    if built:
        # In alert order, so that two requests writing the same alerts take their row locks in the same order.
        BuiltStixObjects.objects.bulk_create(
            [BuiltStixObjects(alert_id=pk, built_from=sources[pk], stix_objects=built[pk]) for pk in sorted(built)],
            update_conflicts=True,
            unique_fields=["alert"],
            update_fields=["built_from", "stix_objects"],
        )
    shared = [
        csoc_identity(),
        *{marking_for(tlp).id: marking_for(tlp) for tlp in {"clear", *(a.tlp for a in listed)}}.values(),
    ]
    everything = [json.loads(obj.serialize()) for obj in shared]
    for alert in listed:
        everything += built.get(alert.pk) or kept[alert.pk]
    entries = {}
    for obj in everything:
        version = obj.get("modified", obj["created"])
        entries[obj["id"]] = Entry(date_added=version, id=obj["id"], version=version, object=obj)
    return sorted(entries.values(), key=lambda entry: (entry.date_added, entry.id))
