"""Generated organisations, users and alerts (with their scope)."""

import io
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from benchreports import KEV_FILE, LEAD_ORGANISATIONS, ODS_FILES, ROOT, SMALL_USER_ORGANISATIONS
from benchreports.database import copy_rows


@dataclass
class Org:
    pk: int
    ods_code: str
    organisation_type: str
    region_id: int | None
    mandated: bool
    real: bool
    admin_id: int = 0


def make_organisations(rng: random.Random, how_many: int) -> list[Org]:
    from django.core.management import call_command

    from respond.organisations.models import Organisation, OrganisationType, Region

    call_command("import_ods", *(str(ROOT / "data" / "ods" / name) for name in ODS_FILES), stdout=io.StringIO())
    # The real organisations that must respond (those the mandated list would name): all active ones.
    Organisation.objects.filter(active=True).exclude(organisation_type=OrganisationType.OTHER).update(mandated=True)
    real = list(Organisation.objects.order_by("pk").values_list("pk", "ods_code", "organisation_type", "region_id"))
    # The seven NHS England regions (Y56..Y63), not other national groupings some ODS rows carry (W00: Wales).
    regions = list(Region.objects.filter(code__startswith="Y").values_list("pk", flat=True))
    types = [
        (OrganisationType.OTHER, 70),
        (OrganisationType.NHS_TRUST, 8),
        (OrganisationType.FOUNDATION_TRUST, 10),
        (OrganisationType.CARE_TRUST, 2),
        (OrganisationType.SUB_ICB_LOCATION, 5),
        (OrganisationType.CSU, 5),
    ]
    made_up = []
    for number in range(1, max(0, how_many - len(real)) + 1):
        kind = rng.choices([t for t, _ in types], [w for _, w in types])[0]
        made_up.append(
            Organisation(
                ods_code=f"ZB{number:05d}",
                name=f"Benchmark {kind.label} {number}",
                organisation_type=kind,
                region_id=rng.choice(regions) if regions else None,
                address=f"{number} Example Road, Leeds",
                postcode="LS1 4AP",
                open_date=date(2013, 4, 1),
                mandated=rng.random() < 0.85,
            )
        )
    Organisation.objects.bulk_create(made_up, batch_size=2000)
    rows = Organisation.objects.order_by("pk").values_list(
        "pk", "ods_code", "organisation_type", "region_id", "mandated", "active"
    )
    real_codes = {code for _, code, _, _ in real}
    return [
        Org(pk, code, kind, region, mandated and active, code in real_codes)
        for pk, code, kind, region, mandated, active in rows
    ][: max(how_many, len(real))]


@dataclass
class Users:
    csoc_id: int
    auditor_id: int
    lead_id: int
    lead_organisation_id: int
    lead_org_ids: list[int]
    small_id: int


def make_users(rng: random.Random, organisations: list[Org]) -> Users:
    from respond.accounts.models import GlobalRole, Membership, Role, User

    unusable = "!benchmark-no-password"
    staff = [
        User(
            email=f"admin@{org.ods_code.lower()}.bench.invalid",
            full_name=f"Administrator of {org.ods_code}",
            organisation_id=org.pk,
            password=unusable,
        )
        for org in organisations
    ]
    User.objects.bulk_create(staff, batch_size=2000)
    for org, user in zip(organisations, staff, strict=True):
        org.admin_id = user.pk
    Membership.objects.bulk_create(
        (Membership(user_id=org.admin_id, organisation_id=org.pk, role=Role.ADMINISTRATOR) for org in organisations),
        batch_size=2000,
    )
    csoc = User.objects.create(
        email="csoc@bench.invalid", full_name="Casey CSOC", global_role=GlobalRole.CSOC, password=unusable
    )
    auditor = User.objects.create(
        email="auditor@bench.invalid", full_name="Audrey Auditor", global_role=GlobalRole.AUDITOR, password=unusable
    )
    csus = [org for org in organisations if org.organisation_type == "csu"] or organisations
    lead_organisation = csus[0]
    lead = User.objects.create(
        email="lead@bench.invalid", full_name="Lee Lead", organisation_id=lead_organisation.pk, password=unusable
    )
    # A lead organisation (an IT provider) responds for organisations of one region, mostly.
    by_region: dict[int | None, list[Org]] = {}
    for org in organisations:
        if org.mandated and org.pk != lead_organisation.pk:
            by_region.setdefault(org.region_id, []).append(org)
    biggest = max(by_region.values(), key=len)
    pool = biggest if len(biggest) >= LEAD_ORGANISATIONS else [o for group in by_region.values() for o in group]
    lead_orgs = rng.sample(pool, min(LEAD_ORGANISATIONS, len(pool)))
    small = User.objects.create(
        email="small@bench.invalid", full_name="Sam Small", organisation_id=lead_organisation.pk, password=unusable
    )
    small_orgs = lead_orgs[:SMALL_USER_ORGANISATIONS]
    Membership.objects.bulk_create(
        [Membership(user=lead, organisation_id=org.pk, role=Role.RESPONDER) for org in lead_orgs]
        + [Membership(user=small, organisation_id=org.pk, role=Role.RESPONDER) for org in small_orgs]
    )
    return Users(csoc.pk, auditor.pk, lead.pk, lead_organisation.pk, [org.pk for org in lead_orgs], small.pk)


@dataclass
class AlertPlan:
    pk: int
    threat_id: str
    published_at: datetime
    status: str
    organisation_ids: list[int]


def _kev() -> list[dict]:
    with KEV_FILE.open(encoding="utf-8") as source:
        vulnerabilities = json.load(source)["vulnerabilities"]
    return sorted(vulnerabilities, key=lambda v: (v["dateAdded"], v["cveID"]))


def make_alerts(
    rng: random.Random, how_many: int, organisations: list[Org], users: Users, now: datetime, scale: float
) -> list[AlertPlan]:
    from django.db.models import F

    from respond.alerts.models import (
        AffectedPlatform,
        Alert,
        AlertSeverityChange,
        AlertStatus,
        AlertVersion,
        RemediationStep,
        RemediationType,
        Severity,
        ThreatIdSequence,
        Tlp,
    )

    kev = _kev()
    mandated = [org for org in organisations if org.mandated]
    by_region: dict[int, list[int]] = {}
    for org in mandated:
        if org.region_id is not None:
            by_region.setdefault(org.region_id, []).append(org.pk)
    trust_types = ["nhs_trust", "foundation_trust", "care_trust"]
    first_number = 4405 - how_many
    span = timedelta(days=3 * 365)
    moments = sorted(now - timedelta(hours=2) - span * rng.random() ** 1.3 for _ in range(how_many))
    national_at = max(0, how_many - 6)  # the big alert: sent to every mandated organisation, a few days old
    plans, alerts, scopes = [], [], []
    for index, published_at in enumerate(moments):
        vulnerability = kev[(index * 7) % len(kev)]
        draw = rng.random()
        scope_types: list[str] = []
        scope_region = None
        if index == national_at or draw < 0.005:
            ids = [org.pk for org in mandated]
        elif draw < 0.085 and by_region:
            scope_region = rng.choice(list(by_region))
            ids = list(by_region[scope_region])
        elif draw < 0.145:
            scope_types = trust_types
            ids = [org.pk for org in mandated if org.organisation_type in trust_types]
        else:
            # Organisations using the product: on average 2.4% of them, so that at scale 1 there are about
            # 450,000 responses and 2.2 entries each; at smaller scales more of them, to keep that ratio.
            size = max(5, round(rng.uniform(0.002, 0.046) * len(mandated) / min(1.0, scale)))
            ids = [org.pk for org in rng.sample(mandated, min(size, len(mandated)))]
        closed = published_at < now - timedelta(days=120)
        threat_id = f"CC-{first_number + index}"
        title = vulnerability["vulnerabilityName"][:300]
        alert = Alert(
            threat_id=threat_id,
            title=title,
            status=AlertStatus.CLOSED if closed else AlertStatus.PUBLISHED,
            severity=Severity.HIGH if rng.random() < 0.8 else Severity.MEDIUM,
            threat_type="Vulnerability",
            categories=["Vulnerability"],
            threat_vectors=["Network"],
            short_summary=vulnerability["shortDescription"][:500],
            summary=vulnerability["shortDescription"],
            remediation_intro=vulnerability["requiredAction"],
            cve_ids=[vulnerability["cveID"]],
            tlp=Tlp.CLEAR if rng.random() < 0.85 else Tlp.AMBER,
            major_incident=index == national_at,
            scope_organisation_types=scope_types,
            created_by_id=users.csoc_id,
            submitted_by_id=users.csoc_id,
            approved_by_id=users.csoc_id,
            published_by_id=users.csoc_id,
            submitted_at=published_at - timedelta(hours=2),
            approved_at=published_at - timedelta(hours=1),
            published_at=published_at,
            closed_at=published_at + timedelta(days=90) if closed else None,
            closed_reason="Remediation period ended" if closed else "",
        )
        alerts.append(alert)
        scopes.append((scope_region, ids, vulnerability))
    Alert.objects.bulk_create(alerts, batch_size=500)
    # auto_now_add/auto_now fields: when the alert was drafted, not when the benchmark ran.
    Alert.objects.update(created_at=F("published_at") - timedelta(days=1), updated_at=F("published_at"))
    steps, platforms, changes, versions, region_links = [], [], [], [], []
    through_rows = []
    for alert, (scope_region, ids, vulnerability) in zip(alerts, scopes, strict=True):
        steps.append(
            RemediationStep(
                alert=alert,
                position=1,
                step_type=RemediationType.MITIGATION,
                step=vulnerability["requiredAction"],
                link=f"https://nvd.nist.gov/vuln/detail/{vulnerability['cveID']}",
            )
        )
        platforms.append(
            AffectedPlatform(
                alert=alert, position=1, platform=f"{vulnerability['vendorProject']} {vulnerability['product']}"[:200]
            )
        )
        changes.append(
            AlertSeverityChange(
                alert=alert,
                from_severity="",
                to_severity=alert.severity,
                changed_by_id=users.csoc_id,
                reason="Published",
            )
        )
        versions.append(
            AlertVersion(
                alert=alert,
                number=1,
                snapshot={"threat_id": alert.threat_id, "title": alert.title, "status": "published"},
                summary=f"Published as {alert.threat_id} to {len(ids)} organisations",
                created_by_id=users.csoc_id,
            )
        )
        if scope_region is not None:
            region_links.append(Alert.scope_regions.through(alert_id=alert.pk, region_id=scope_region))
        through_rows.extend((alert.pk, org_id) for org_id in ids)
        plans.append(AlertPlan(alert.pk, alert.threat_id or "", alert.published_at, alert.status, ids))  # type: ignore[arg-type]
    RemediationStep.objects.bulk_create(steps, batch_size=1000)
    AffectedPlatform.objects.bulk_create(platforms, batch_size=1000)
    AlertSeverityChange.objects.bulk_create(changes, batch_size=1000)
    AlertVersion.objects.bulk_create(versions, batch_size=500)
    Alert.scope_regions.through.objects.bulk_create(region_links)
    copy_rows(Alert.organisations.through, ["alert", "organisation"], iter(through_rows))
    ThreatIdSequence.objects.all().delete()
    ThreatIdSequence.objects.create(next_number=4405)
    return plans
