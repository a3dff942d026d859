"""A collection's STIX objects as TAXII serves them: each with its version (`modified`, or `created` for objects
that never change) and `date_added`, ordered by (date_added, id) for `added_after` and `next`.

An alert's objects are kept one row each (KeptStixObject) with what they were built from (BuiltStixObjects): its
last change, and its version (respond.core.versions, raised by the database on every write of the alert, its
remediation steps, updates and recorded changes), so a changed alert is built afresh and a poll of unchanged ones
costs no STIX work. Making a collection fresh takes a fixed number of queries whatever the number of alerts (the
alerts with their last change and version, what their objects were built from, and for those missing or stale
their remediation steps and updates, and the writes); a page is then one query limited to the page.
An object's version is added when it is written, so its date_added is its version's time; the marking
definitions and the CSOC identity are as old as they are.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils.dateparse import parse_datetime

from respond.alerts.models import ALERT_CONTENT_VERSION, Alert, AlertQuerySet
from respond.core.models import DataVersion
from respond.exchange.markings import marking_for
from respond.exchange.models import BuiltStixObjects, KeptStixObject
from respond.exchange.stix import AlertFacts, alert_objects, csoc_identity

STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
# Raised when the objects built from an alert change shape, so kept ones are not served.
FORMAT = 2


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
    name = Concat(Value(ALERT_CONTENT_VERSION), Cast(OuterRef("pk"), output_field=CharField()))
    changed = alerts.filter(published_at__isnull=False, threat_id__isnull=False).annotate(
        latest_change=Max("versions__created_at", filter=Q(versions__created_at__gt=F("published_at"))),
        content_version=Subquery(DataVersion.objects.filter(name=name).values("number")[:1]),
    )
    if added_after is not None:
        # No object of an alert is newer than its last change (or its publication).
        changed = changed.filter(Q(published_at__gt=added_after) | Q(latest_change__gt=added_after))
    # Only what built_from and the marking definitions need: _built reads the stale alerts afresh.
    return changed.only("pk", "published_at", "status", "tlp").order_by("pk")


def _last_change(alert: Alert) -> datetime:
    published = alert.published_at
    assert published is not None  # filtered in _with_changes
    latest = getattr(alert, "latest_change", None)
    return max(published, latest) if latest else published


def built_from(alert: Alert) -> str:
    changed = _last_change(alert).isoformat()
    version = getattr(alert, "content_version", None) or 0
    return f"{FORMAT}|{version}|{changed}|{alert.status}|{alert.tlp}|{settings.SITE_URL}"


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


@dataclass(frozen=True)
class Selection:
    """Which of a collection's objects a request asks for, after `added_after` and the `next` key."""

    added_after: datetime | None = None
    after_key: str | None = None
    ids: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    versions: frozenset[str] = frozenset()

    def admits(self, entry: Entry) -> bool:
        return (
            (self.added_after is None or _parsed(entry.date_added) > self.added_after)
            and (self.after_key is None or entry.key > self.after_key)
            and (not self.ids or entry.id in self.ids)
            and (not self.types or entry.id.split("--", 1)[0] in self.types)
            and (not self.versions or entry.version in self.versions)
        )


def _parsed(value: str) -> datetime:
    parsed = parse_datetime(value)
    assert parsed is not None
    return parsed


def _entry(obj: dict[str, Any]) -> Entry:
    version = obj.get("modified", obj["created"])
    return Entry(date_added=version, id=obj["id"], version=version, object=obj)


def _kept_rows(pk: int, objects: list[dict[str, Any]]) -> list[KeptStixObject]:
    entries = [_entry(obj) for obj in objects]
    return [
        KeptStixObject(
            alert_id=pk,
            object_id=entry.id,
            object_type=entry.id.split("--", 1)[0],
            date_added=entry.date_added,
            added_at=_parsed(entry.date_added),
            version=entry.version,
            sort_key=entry.key,
            stix_object=entry.object,
        )
        for entry in entries
    ]


def _keep(built: dict[int, list[dict[str, Any]]], sources: dict[int, str]) -> None:
    """Replaces the kept objects of the alerts built afresh: in alert order, so that two requests writing the
    same alerts take their row locks in the same order."""
    rows = [row for pk in sorted(built) for row in _kept_rows(pk, built[pk])]
    with transaction.atomic():
        KeptStixObject.objects.filter(alert_id__in=list(built)).exclude(
            object_id__in=[row.object_id for row in rows]
        ).delete()
        KeptStixObject.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["alert", "object_id"],
            update_fields=["object_type", "date_added", "added_at", "version", "sort_key", "stix_object"],
        )
        BuiltStixObjects.objects.bulk_create(
            [BuiltStixObjects(alert_id=pk, built_from=sources[pk]) for pk in sorted(built)],
            update_conflicts=True,
            unique_fields=["alert"],
            update_fields=["built_from"],
        )


class CollectionObjects:
    """A collection's objects, its alerts' kept objects made fresh first (one query when none is stale). A page
    is one query ordered by the kept objects' index and limited to the page, merged with the few shared objects
    (the CSOC identity and the marking definitions), so its work grows with the page, not the collection.

    With `added_after`, only the alerts changed since are listed (no object of an alert is newer than its last
    change)."""

    def __init__(self, alerts: AlertQuerySet, *, added_after: datetime | None = None):
        listed = list(_with_changes(alerts, added_after=added_after))
        sources = {alert.pk: built_from(alert) for alert in listed}
        fresh = {
            pk
            for pk, source in BuiltStixObjects.objects.filter(alert_id__in=list(sources)).values_list(
                "alert_id", "built_from"
            )
            if source == sources[pk]
        }
        built = _built([alert for alert in listed if alert.pk not in fresh])
        if built:
            _keep(built, sources)
        self.alert_pks = list(sources)
        shared = [
            csoc_identity(),
            *{marking_for(tlp).id: marking_for(tlp) for tlp in {"clear", *(a.tlp for a in listed)}}.values(),
        ]
        self.shared = [_entry(json.loads(obj.serialize())) for obj in shared]

    def page(self, selection: Selection, *, limit: int) -> tuple[list[Entry], bool]:
        """The first `limit` objects selected, in order, and whether there are more."""
        rows = KeptStixObject.objects.filter(alert_id__in=self.alert_pks)
        if selection.added_after is not None:
            rows = rows.filter(added_at__gt=selection.added_after)
        if selection.after_key is not None:
            rows = rows.filter(sort_key__gt=selection.after_key)
        if selection.ids:
            rows = rows.filter(object_id__in=selection.ids)
        if selection.types:
            rows = rows.filter(object_type__in=selection.types)
        if selection.versions:
            rows = rows.filter(version__in=selection.versions)
        kept = [
            Entry(date_added=row.date_added, id=row.object_id, version=row.version, object=row.stix_object)
            for row in rows.order_by("sort_key")[: limit + 1]
        ]
        selected = sorted(
            [*kept, *(entry for entry in self.shared if selection.admits(entry))],
            key=lambda entry: (entry.date_added, entry.id),
        )
        return selected[:limit], len(selected) > limit
