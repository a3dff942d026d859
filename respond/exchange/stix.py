"""An alert as a STIX 2.1 bundle: a report, its CVEs as vulnerabilities, its indicators of compromise as
indicators, its remediation steps as courses of action (each mitigating the alert's vulnerabilities), its threat
updates as notes, the CSOC's identity and the alert's TLP 2.0 marking on every object.

Ids are UUIDv5 from the threat ID, so the same alert always gives the same ids and a consumer that reads it again
(a TAXII client polling) updates its copy instead of adding another; `modified` moves on when the alert changes.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stix2
from django.conf import settings

from respond.alerts.models import Alert, RemediationStep, ThreatUpdate, nvd_url
from respond.exchange.indicators import indicators_in
from respond.exchange.markings import marking_for

# Our namespace for UUIDv5 ids: fixed, so ids survive restarts, copies of the database and new servers.
NAMESPACE = uuid.UUID("5d1f3a52-7c0e-4f7b-9b61-2f0d1c8e6a41")
CSOC_IDENTITY_CREATED = datetime(2018, 1, 1, tzinfo=UTC)
SOURCE_NAME = "respond-to-a-cyber-alert"


def stix_id(kind: str, *names: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, '/'.join([kind, *names]))}"


def csoc_identity() -> stix2.v21.Identity:
    return stix2.v21.Identity(
        id=stix_id("identity", "csoc"),
        created=CSOC_IDENTITY_CREATED,
        modified=CSOC_IDENTITY_CREATED,
        name=getattr(settings, "CSOC_NAME", "Cyber Security Operations Centre"),
        description=f"The cyber security operations centre that publishes alerts through {settings.SERVICE_NAME}.",
        identity_class="organization",
        sectors=["healthcare"],
        contact_information=settings.SITE_URL,
        object_marking_refs=[marking_for("clear").id],
    )


@dataclass(frozen=True)
class AlertFacts:
    """What the bundle needs beyond the alert row, read once (the TAXII server reads these in bulk)."""

    steps: list[RemediationStep]
    updates: list[ThreatUpdate]
    modified: datetime


def alert_facts(alert: Alert) -> AlertFacts:
    return AlertFacts(
        steps=list(alert.remediation_steps.all()),
        updates=list(alert.updates.all()),
        modified=alert.last_updated_at or alert.published_at or alert.created_at,
    )


def timestamp(value: datetime) -> datetime:
    # STIX timestamps are UTC; millisecond precision keeps `modified` comparable across TAXII version lists.
    return value.astimezone(UTC).replace(microsecond=value.microsecond // 1000 * 1000)


def alert_objects(alert: Alert, facts: AlertFacts) -> list[Any]:
    """The alert's STIX objects, the report last. Only for a released alert."""
    if not alert.threat_id or not alert.published_at:
        raise ValueError("Only a published alert is shared")
    threat_id = alert.threat_id
    created = timestamp(alert.published_at)
    modified = max(created, timestamp(facts.modified))
    identity = csoc_identity()
    marking = marking_for(alert.tlp)
    common = {"created_by_ref": identity.id, "object_marking_refs": [marking.id], "created": created}
    alert_url = settings.SITE_URL + alert.get_absolute_url()

    vulnerabilities = [
        stix2.v21.Vulnerability(
            id=stix_id("vulnerability", threat_id, cve_id),
            name=cve_id,
            description=f"{cve_id}, named in {threat_id}: {alert.title}",
            external_references=[{"source_name": "cve", "external_id": cve_id, "url": nvd_url(cve_id)}],
            modified=created,
            **common,
        )
        for cve_id in alert.cve_ids
    ]
    indicators = [
        stix2.v21.Indicator(
            id=stix_id("indicator", threat_id, found.pattern),
            name=found.label,
            description=f"An indicator of compromise given in {threat_id}: {alert.title}",
            indicator_types=["malicious-activity"],
            pattern=found.pattern,
            pattern_type="stix",
            valid_from=created,
            modified=created,
            **common,
        )
        for found in indicators_in(alert.indicators_of_compromise)
    ]
    courses = [
        stix2.v21.CourseOfAction(
            id=stix_id("course-of-action", threat_id, str(step.position)),
            name=f"{step.step_type}: {_first_line(step.step)}",
            description=step.step,
            external_references=[{"source_name": "remediation", "url": step.link}] if step.link else None,
            modified=modified,
            **common,
        )
        for step in facts.steps
    ]
    mitigations = [
        stix2.v21.Relationship(
            id=stix_id("relationship", course.id, "mitigates", vulnerability.id),
            relationship_type="mitigates",
            source_ref=course.id,
            target_ref=vulnerability.id,
            modified=created,
            **common,
        )
        for course in courses
        for vulnerability in vulnerabilities
    ]
    report_id = stix_id("report", threat_id)
    notes = [
        stix2.v21.Note(
            id=stix_id("note", threat_id, str(update.pk)),
            abstract=f"Update to {threat_id}",
            content=update.text,
            object_refs=[report_id],
            modified=timestamp(update.created_at),
            **{**common, "created": timestamp(update.created_at)},
        )
        for update in facts.updates
    ]
    contents = [*vulnerabilities, *indicators, *courses, *mitigations]
    report = stix2.v21.Report(
        id=report_id,
        name=f"{threat_id}: {alert.title}",
        description=_report_description(alert),
        report_types=["vulnerability" if alert.cve_ids else "threat-report"],
        published=created,
        modified=modified,
        labels=[f"severity:{alert.severity}", *(f"category:{category}" for category in alert.categories)],
        object_refs=[obj.id for obj in contents] or [identity.id],
        external_references=[{"source_name": SOURCE_NAME, "external_id": threat_id, "url": alert_url}],
        **common,
    )
    return [*contents, *notes, report]


def _first_line(text: str, limit: int = 120) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _report_description(alert: Alert) -> str:
    parts = [alert.summary, alert.threat_details, alert.remediation_intro]
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def bundle_for(objects: list[Any], *, tlps: set[str]) -> dict[str, Any]:
    """A bundle of the objects with the CSOC identity and the marking definitions they use, as JSON-ready data."""
    markings = {marking_for(tlp).id: marking_for(tlp) for tlp in sorted(tlps)}
    markings.setdefault(marking_for("clear").id, marking_for("clear"))  # the identity's
    everything = [*markings.values(), csoc_identity(), *objects]
    # The bundle's id is not stable by the standard's design (a bundle is a transport wrapper): derive it anyway,
    # so downloading the same alert twice gives the same file.
    bundle_id = f"bundle--{uuid.uuid5(NAMESPACE, ','.join(f'{o.id}@{getattr(o, "modified", "")}' for o in objects))}"
    return json.loads(stix2.v21.Bundle(objects=everything, id=bundle_id).serialize())


def alert_bundle(alert: Alert) -> dict[str, Any]:
    return bundle_for(alert_objects(alert, alert_facts(alert)), tlps={alert.tlp})
