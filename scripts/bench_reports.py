#!/usr/bin/env python
"""Reports benchmark on a national-scale data set: `make bench-reports SCALE=1` (SCALE=0.1 makes a tenth).

Builds a fresh PostgreSQL database (DATABASE_URL's server; the database is called respond_bench unless
DATABASE_URL already names one starting with respond_bench, and is dropped and created afresh), migrates it and
generates: 10,000 organisations (the real ones in data/ods/ first, then made-up ones with types and regions),
1,000 published or closed alerts (titles, CVEs and required actions from the CISA KEV catalogue in data/kev/),
each sent to a realistic subset of organisations, one response per alert and organisation in scope, and about
1,000,000 response history entries (acknowledged within the window, late or never; in progress, complete, not
applicable, unable to implement, reopened), with each response's mirrored fields and version as the services
would leave them. The big tables are loaded with COPY. Users: one administrator per organisation, a lead
organisation's responder for 200 organisations, another for 20, an auditor and CSOC staff.

Then, with Django's test client signed in (multi-factor session) against the same database, DEBUG off, it
measures p50/p95 over --requests requests (after warm-up) of a bare view doing one query (the baseline), the
per-alert report, the per-organisation report, the "your alerts" dashboard of the 200-organisation user, and the
reports index and over-time pages, as viewed again (what they cache, from the cache) and afresh (the cache emptied
before each request: the first view after a change); counts each page's SQL queries, afresh and again, on a small
and a large case (a 150-organisation alert against the national one, and so on) to show whether the count grows
with the data; and streams the CSV and XLSX exports of all response history in a child process, for rows/s and
the child's peak RSS. Pages or exports that do not exist yet are reported as "not measured". The last line is:

RESULT orgs=<n> alerts=<n> history_rows=<n> page_p95_ratio_max=<x> queries_grow=<yes|no> export_rows_per_s=<n>
export_peak_rss_mb=<n>

PostgreSQL only: the generator relies on COPY, and figures from the embedded SQLite database would say nothing
about production. --reuse keeps a database generated earlier at the same scale.
"""

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/respond_bench"
KEV_FILE = ROOT / "data" / "kev" / "known_exploited_vulnerabilities.json"
ODS_FILES = ("etr.csv", "ect.csv", "eccg.csv", "sub-icb-to-icb-to-region-2023.csv", "csu-list-2023.csv")
GOAL_RATIO, GOAL_ROWS_PER_S, GOAL_RSS_MB = 3.0, 50_000, 200
LEAD_ORGANISATIONS, SMALL_USER_ORGANISATIONS = 200, 20
SEED = 20261130


# Database ----------------------------------------------------------------------------------------------------------


def bench_database_url(configured: str) -> str:
    """The benchmark's database: on DATABASE_URL's PostgreSQL server, named respond_bench* (it is dropped)."""
    configured = configured or DEFAULT_DATABASE_URL
    if not configured.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "bench_reports needs PostgreSQL: it loads a million rows with COPY, and timings on the embedded SQLite "
            f"database would not tell how production behaves. Set DATABASE_URL (default {DEFAULT_DATABASE_URL})."
        )
    parts = urlsplit(configured)
    name = parts.path.lstrip("/")
    if not name.startswith("respond_bench"):
        name = "respond_bench"
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_comment(url: str) -> str | None:
    import psycopg

    parts = urlsplit(url)
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as server:
        row = server.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [parts.path.lstrip("/")],
        ).fetchone()
    return None if row is None else (row[0] or "")


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    assert name.startswith("respond_bench")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def set_up_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)  # cache and task queue in the benchmark database, never a shared Redis
    os.environ["APP_ENV"] = "test"
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["LOG_LEVEL"] = "ERROR"
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "bench_reports_urls"
    sys.modules["bench_reports_urls"] = _bench_urlconf()


def _bench_urlconf():  # type: ignore[no-untyped-def]
    """The project's URLs plus the baseline: a bare view doing one single-row query, behind the same middleware."""
    import types

    from django.http import HttpResponse
    from django.urls import include, path

    from respond.organisations.models import Organisation

    def baseline(request):  # type: ignore[no-untyped-def]
        name = Organisation.objects.filter(pk=1).values_list("name", flat=True).first()
        return HttpResponse(f"<p>{name}</p>")

    from config import urls as project

    module = types.ModuleType("bench_reports_urls")
    module.urlpatterns = [path("__bench__/baseline", baseline, name="bench_baseline"), path("", include(project))]  # type: ignore[attr-defined]
    for handler in ("handler400", "handler403", "handler404", "handler500"):
        setattr(module, handler, getattr(project, handler))
    return module


# Data generation -----------------------------------------------------------------------------------------------------


def copy_rows(model, columns: list[str], rows) -> int:  # type: ignore[no-untyped-def]
    """COPY rows (tuples in `columns` order, by field name) into the model's table; every other column gets its
    field's default, so a column added later with a default does not break the benchmark."""
    from django.db import connection

    fields = {f.name: f for f in model._meta.concrete_fields}
    rest = [f for name, f in fields.items() if name not in columns and not (f.primary_key and f.get_default() is None)]
    defaults = tuple(f.get_db_prep_value(f.get_default(), connection) for f in rest)
    names = [fields[name].column for name in columns] + [f.column for f in rest]
    statement = f'COPY "{model._meta.db_table}" ({", ".join(f'"{name}"' for name in names)}) FROM STDIN'
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row + defaults)
            count += 1
    return count


def reset_sequence(model) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        # The table name comes from the model, never from input.
        sql = f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE(MAX(id), 1)) FROM \"{table}\""  # noqa: S608
        cursor.execute(sql)


@dataclass
class Generated:
    orgs: int = 0
    real_orgs: int = 0
    alerts: int = 0
    responses: int = 0
    history_rows: int = 0
    seconds: float = 0.0
    steps: list[tuple[str, float]] = field(default_factory=list)


def generate(scale: float, now: datetime) -> Generated:
    from django.core.management import call_command
    from django.db import connection, transaction

    result = Generated()
    started = step_started = time.perf_counter()

    def step(name: str) -> None:
        nonlocal step_started
        result.steps.append((name, time.perf_counter() - step_started))
        print(f"  {name}: {result.steps[-1][1]:.1f} s", flush=True)
        step_started = time.perf_counter()

    rng = random.Random(SEED)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    step("migrate")
    with transaction.atomic():
        organisations = _organisations(rng, round(10_000 * scale))
        result.orgs, result.real_orgs = len(organisations), sum(1 for o in organisations if o.real)
        step(f"{result.orgs} organisations ({result.real_orgs} real)")
        users = _users(rng, organisations)
        step("users and memberships")
        alerts = _alerts(rng, round(1_000 * scale), organisations, users, now, scale)
        result.alerts = len(alerts)
        step(f"{result.alerts} alerts and their scope")
        result.responses, result.history_rows = _responses(rng, alerts, organisations, users, now, scale)
        step(f"{result.responses} responses, {result.history_rows} history entries")
    step("commit (deferred foreign key checks)")
    with connection.cursor() as cursor:
        # What autovacuum would have done by now in production: statistics, and the visibility map that lets
        # index-only scans skip the table.
        cursor.execute("VACUUM ANALYZE")
    step("vacuum and analyse")
    result.seconds = time.perf_counter() - started
    return result


@dataclass
class Org:
    pk: int
    ods_code: str
    organisation_type: str
    region_id: int | None
    mandated: bool
    real: bool
    admin_id: int = 0


def _organisations(rng: random.Random, how_many: int) -> list[Org]:
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


def _users(rng: random.Random, organisations: list[Org]) -> Users:
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


def _alerts(
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


ACTIONS = (
    "Patching the affected servers in a phased roll-out",
    "Testing the vendor's fix on a pre-production system",
    "Mitigation applied; waiting for the supplier's update",
    "Inventory of affected devices under way",
)
COMPLETIONS = (
    "Vendor patch applied to every affected system and verified by a scan",
    "Upgraded to the fixed version across the estate",
    "Mitigations in place and the product upgraded",
)
UNABLE = ("The supplier has no fix for our version", "The system is clinically critical and cannot be taken down")


RESPONSE_COLUMNS = (  # noqa: SIM905
    "id alert organisation status version acknowledged_at acknowledged_within_window next_update_due_on review_on "
    "closed_at last_entry_at created_at"
).split()
ANSWER_COLUMNS = (  # noqa: SIM905
    "actions expected_completion_on next_update_due_on completed_on completion_summary not_applicable_reason "
    "not_applicable_detail unable_reason mitigations risk_owner review_on"
).split()
ENTRY_COLUMNS = ["id", "response", "version", "action", "status", *ANSWER_COLUMNS]
ENTRY_COLUMNS += ["submitted_by", "submitted_by_organisation", "bulk_id", "created_at"]
TEXT_ANSWERS = {"actions", "completion_summary", "not_applicable_reason", "not_applicable_detail"}
TEXT_ANSWERS |= {"unable_reason", "mitigations", "risk_owner"}


@dataclass
class Entry:
    action: str
    status: str
    at: datetime
    by: int | None
    bulk_id: uuid.UUID | None = None
    answers: dict = field(default_factory=dict)


class HistoryMaker:
    """Makes one response's history as people would have submitted it, in the time since publication."""

    def __init__(self, rng: random.Random, now: datetime, extra_mean: float) -> None:
        from django.utils import timezone

        self.rng, self.now, self.extra_mean = rng, now, extra_mean
        self.london = timezone.get_default_timezone()

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.london).date()

    def first_at(self, published: datetime) -> datetime | None:
        roll = self.rng.random()
        if roll < 0.07:
            return None  # never acknowledged
        if roll < 0.75:
            return published + timedelta(hours=min(47.9, self.rng.expovariate(1 / 14)))  # within the window
        return published + timedelta(hours=48 + self.rng.expovariate(1 / 96))  # late

    def history(self, *, first_at: datetime | None, user: int, first_by: int, bulk_id, published_alert: bool):  # type: ignore[no-untyped-def]
        from respond.responses.models import EntryAction, NotApplicableReason, ResponseStatus

        rng, day = self.rng, self.day
        if first_at is None or first_at > self.now:
            return []
        if bulk_id is None and rng.random() < 0.10:  # not applicable straight away
            reason = rng.choice(list(NotApplicableReason))
            detail = "The service was decommissioned last year" if reason == NotApplicableReason.OTHER else ""
            answers = {"not_applicable_reason": reason, "not_applicable_detail": detail}
            return [Entry(EntryAction.UPDATED, ResponseStatus.NOT_APPLICABLE, first_at, user, answers=answers)]
        entries = [
            Entry(
                EntryAction.ACKNOWLEDGED,
                ResponseStatus.IN_PROGRESS,
                first_at,
                first_by,
                bulk_id,
                {"next_update_due_on": day(first_at) + timedelta(days=3)},
            )
        ]
        at = first_at
        for _ in range(min(30, round(rng.expovariate(1 / self.extra_mean)) if self.extra_mean > 0 else 0)):
            at += timedelta(days=rng.uniform(1, 7))
            answers = {
                "actions": rng.choice(ACTIONS),
                "expected_completion_on": day(at) + timedelta(days=14),
                "next_update_due_on": day(at) + timedelta(days=7),
            }
            entries.append(Entry(EntryAction.UPDATED, ResponseStatus.IN_PROGRESS, at, user, answers=answers))
        at += timedelta(days=rng.uniform(0.5, 20))
        final = rng.random()
        if final < 0.68:
            answers = {"completed_on": day(at), "completion_summary": rng.choice(COMPLETIONS)}
            entries.append(Entry(EntryAction.UPDATED, ResponseStatus.COMPLETE, at, user, answers=answers))
        elif final < 0.76:
            answers = {"not_applicable_reason": NotApplicableReason.NOT_IN_USE}
            entries.append(Entry(EntryAction.UPDATED, ResponseStatus.NOT_APPLICABLE, at, user, answers=answers))
        elif final < 0.84:
            review = day(at) + timedelta(days=90)
            answers = {
                "unable_reason": rng.choice(UNABLE),
                "mitigations": "Network access restricted to the management network",
                "risk_owner": "Senior Information Risk Owner",
                "review_on": review,
            }
            entries.append(Entry(EntryAction.UPDATED, ResponseStatus.UNABLE_TO_IMPLEMENT, at, user, answers=answers))
            if published_alert:  # expire_unable_to_implement reopens it on the review date, early in the morning
                reopen_at = datetime.combine(review, datetime.min.time(), tzinfo=self.london) + timedelta(hours=6)
                answers = {"next_update_due_on": review}
                entries.append(
                    Entry(EntryAction.REOPENED, ResponseStatus.IN_PROGRESS, reopen_at, None, answers=answers)
                )
        return [entry for entry in entries if entry.at <= self.now]


def _responses(
    rng: random.Random, alerts: list[AlertPlan], organisations: list[Org], users: Users, now: datetime, scale: float
) -> tuple[int, int]:
    from respond.responses.models import CLOSED_STATUSES, Response, ResponseEntry, ResponseStatus

    admin_of = {org.pk: org.admin_id for org in organisations}
    org_of_user = {org.admin_id: org.pk for org in organisations}
    org_of_user[users.lead_id] = users.lead_organisation_id
    lead_orgs = set(users.lead_org_ids)
    pairs = sum(len(alert.organisation_ids) for alert in alerts)
    # About 1.55 entries a response before extra "in progress" updates (which three in four acknowledged
    # responses may have): spread them so that the total comes near the target.
    extra_mean = max(0.0, (1_000_000 * scale - 1.55 * pairs) / max(1, 0.75 * pairs))
    maker = HistoryMaker(rng, now, extra_mean)
    response_rows: list[tuple] = []
    entry_rows: list[tuple] = []
    for alert in alerts:
        published, deadline = alert.published_at, alert.published_at + timedelta(hours=48)
        bulk_id = uuid.UUID(int=rng.getrandbits(128))
        lead_ack_at = published + timedelta(hours=rng.uniform(2, 40))  # one bulk acknowledgement for all its orgs
        for org_id in alert.organisation_ids:
            response_id = len(response_rows) + 1
            user = admin_of[org_id]
            by_lead = org_id in lead_orgs and rng.random() < 0.95
            entries = maker.history(
                first_at=lead_ack_at if by_lead else maker.first_at(published),
                user=user,
                first_by=users.lead_id if by_lead else user,
                bulk_id=bulk_id if by_lead else None,
                published_alert=alert.status == "published",
            )
            # The response's fields are its latest entry's, as the services leave them.
            status, acknowledged_at, within = ResponseStatus.NOT_ACKNOWLEDGED, None, None
            next_due = review_on = closed_at = None
            for version, entry in enumerate(entries, start=1):
                status = entry.status
                if acknowledged_at is None:
                    acknowledged_at, within = entry.at, entry.at <= deadline
                next_due = entry.answers.get("next_update_due_on") if status == ResponseStatus.IN_PROGRESS else None
                review_on = entry.answers.get("review_on") if status == ResponseStatus.UNABLE_TO_IMPLEMENT else None
                closed_at = (closed_at or entry.at) if status in CLOSED_STATUSES else None
                answers = [entry.answers.get(name, "" if name in TEXT_ANSWERS else None) for name in ANSWER_COLUMNS]
                submitted_from = org_of_user.get(entry.by) if entry.by is not None else None
                tail = (entry.by, submitted_from, entry.bulk_id, entry.at)
                entry_rows.append((len(entry_rows) + 1, response_id, version, entry.action, status, *answers, *tail))
            last_at = entries[-1].at if entries else None
            head = (response_id, alert.pk, org_id, status, len(entries), acknowledged_at, within)
            response_rows.append((*head, next_due, review_on, closed_at, last_at, published))
    copy_rows(Response, RESPONSE_COLUMNS, iter(response_rows))
    copy_rows(ResponseEntry, ENTRY_COLUMNS, iter(entry_rows))
    reset_sequence(Response)
    reset_sequence(ResponseEntry)
    return len(response_rows), len(entry_rows)


# Measurement -------------------------------------------------------------------------------------------------------


def signed_in_client(user_id: int):  # type: ignore[no-untyped-def]
    """A test client signed in as the user with a multi-factor session, as tests/conftest.py's sign_in does."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.test import Client

    from respond.accounts.models import User

    user = User.objects.get(pk=user_id)
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        authenticator = TOTP.activate(user, "JBSWY3DPEHPK3PXP").instance
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "id": authenticator.pk, "type": "totp"},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
    return client


def url_or_none(name: str, **kwargs: str) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


@dataclass
class PageResult:
    label: str
    url_name: str
    measured: bool = False
    note: str = ""
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    queries_small: int = 0
    queries_big: int = 0
    # The same, as the cache gives the page again (the counts above are of the page worked out afresh).
    cached_queries_small: int = 0
    cached_queries_big: int = 0
    # Worked out afresh (the cache emptied before each request): what a change to the data costs the next view.
    afresh_p50_ms: float = 0.0
    afresh_p95_ms: float = 0.0
    small_case: str = ""
    big_case: str = ""
    ratio: float = 0.0
    baseline_p95_ms: float = 0.0
    slowest: list[tuple[float, str]] = field(default_factory=list)
    counts_in_result: bool = True

    @property
    def queries_grow(self) -> bool:
        grow = self.queries_big > self.queries_small or self.cached_queries_big > self.cached_queries_small
        return self.measured and self.counts_in_result and grow


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


class Timer:
    """Times GETs, each followed by a GET of the baseline (the bare one-query view, signed in as the auditor), so
    that both see the same load on the machine; a page's ratio is to the baseline samples taken alongside it."""

    BASELINE = "/__bench__/baseline"

    def __init__(self, baseline_client, requests: int) -> None:  # type: ignore[no-untyped-def]
        self.baseline_client, self.requests = baseline_client, requests
        self.baseline_samples: list[float] = []

    @staticmethod
    def _get_ms(client, url: str) -> float:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        check(response, url)
        return elapsed

    def time(self, client, url: str, result: "PageResult", warm_up: int = 3) -> None:  # type: ignore[no-untyped-def]
        for _ in range(warm_up):
            self._get_ms(client, url)
            self._get_ms(self.baseline_client, self.BASELINE)
        page, baseline = [], []
        for _ in range(self.requests):
            page.append(self._get_ms(client, url))
            baseline.append(self._get_ms(self.baseline_client, self.BASELINE))
        self.baseline_samples += baseline
        result.p50_ms, result.p95_ms = statistics.median(page), percentile(page, 0.95)
        result.baseline_p95_ms = percentile(baseline, 0.95)
        result.ratio = result.p95_ms / result.baseline_p95_ms

    def time_afresh(self, client, url: str, result: "PageResult") -> None:  # type: ignore[no-untyped-def]
        """The page worked out afresh: the cache (report figures, rendered parts) emptied before each request."""
        from django.core.cache import cache

        samples = []
        for _ in range(max(5, self.requests // 2)):
            cache.clear()
            samples.append(self._get_ms(client, url))
        result.afresh_p50_ms, result.afresh_p95_ms = statistics.median(samples), percentile(samples, 0.95)


def check(response, url: str) -> None:  # type: ignore[no-untyped-def]
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}, not 200")


def count_queries(client, url: str, *, cached: bool = False) -> tuple[int, list[tuple[float, str]]]:  # type: ignore[no-untyped-def]
    """The page's queries worked out afresh (the cache emptied first), or as the cache gives it again."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if cached:
        check(client.get(url), url)
    else:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        check(client.get(url), url)
    slowest = sorted(((float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries), reverse=True)[:3]
    return len(captured.captured_queries), slowest


def measure_page(  # type: ignore[no-untyped-def]
    timer: Timer,
    clients: tuple,
    label: str,
    url_name: str,
    big: tuple[dict, str, str],
    small: tuple[dict, str, str],
) -> PageResult:
    """`clients`: (big case's, small case's). `big` and `small`: (URL kwargs, query string, what the case is).
    Times the big case; counts the queries of both."""
    result = PageResult(label, url_name)
    big_path, small_path = url_or_none(url_name, **big[0]), url_or_none(url_name, **small[0])
    if big_path is None or small_path is None:
        result.note = f"not measured: {url_name} does not exist"
        return result
    big_url, small_url = big_path + big[1], small_path + small[1]
    result.queries_big, result.slowest = count_queries(clients[0], big_url)
    result.queries_small, _ = count_queries(clients[1], small_url)
    result.cached_queries_big, _ = count_queries(clients[0], big_url, cached=True)
    result.cached_queries_small, _ = count_queries(clients[1], small_url, cached=True)
    timer.time(clients[0], big_url, result)
    timer.time_afresh(clients[0], big_url, result)
    result.small_case, result.big_case = small[2], big[2]
    result.measured = True
    return result


@dataclass
class Cases:
    big_alert: str
    big_alert_orgs: int
    small_alert: str
    small_alert_orgs: int
    busy_org: str
    busy_org_alerts: int
    quiet_org: str
    quiet_org_alerts: int
    index_last_page: int
    index_last_page_alerts: int
    region_code: str
    first_entry_on: date


def choose_cases() -> Cases:
    from django.db.models import Count, Min, Q

    from respond.alerts.models import Alert
    from respond.organisations.models import Organisation, Region
    from respond.reports.views import ALERTS_PER_PAGE
    from respond.responses.models import Response, ResponseEntry

    sizes = list(
        Alert.objects.filter(response_required=True)
        .annotate(n=Count("organisations"))
        .order_by("-n", "-published_at")
        .values_list("threat_id", "n")
    )
    big = sizes[0]
    small = min(sizes, key=lambda size: (abs(size[1] - 150), size[0]))
    # Both with an open "unable to implement" exception, so that the page lists exceptions in both cases.
    open_exception = Q(responses__status="unable_to_implement", responses__alert__status="published")
    per_org = sorted(
        Organisation.objects.annotate(n=Count("responses"), exceptions=Count("responses", filter=open_exception))
        .filter(n__gt=0)
        .values_list("ods_code", "n", "exceptions"),
        key=lambda row: (row[2] == 0, -row[1], row[0]),
    )
    with_exceptions = [row for row in per_org if row[2]] or per_org
    quiet = min(with_exceptions, key=lambda size: (abs(size[1] - 30), size[0]))
    released = Alert.objects.released().filter(response_required=True).count()
    last_page = max(1, -(-released // ALERTS_PER_PAGE))
    region = Region.objects.filter(code__startswith="Y").order_by("code").values_list("code", flat=True).first() or ""
    first = ResponseEntry.objects.aggregate(first=Min("created_at"))["first"]
    del Response
    return Cases(
        big[0],
        big[1],
        small[0],
        small[1],
        per_org[0][0],
        per_org[0][1],
        quiet[0],
        quiet[1],
        last_page,
        released - (last_page - 1) * ALERTS_PER_PAGE,
        region,
        first.date() if first else date.today(),
    )


def measure_pages(users: dict[str, int], cases: Cases, requests: int) -> tuple[PageResult, list[PageResult]]:
    auditor = signed_in_client(users["auditor"])
    baseline_client = signed_in_client(users["auditor"])
    lead, small_user = signed_in_client(users["lead"]), signed_in_client(users["small"])
    timer = Timer(baseline_client, requests)
    both = (auditor, auditor)
    pages = [
        measure_page(
            timer,
            both,
            "Per-alert report",
            "reports:alert",
            ({"threat_id": cases.big_alert}, "", f"{cases.big_alert}, {cases.big_alert_orgs} orgs"),
            ({"threat_id": cases.small_alert}, "", f"{cases.small_alert}, {cases.small_alert_orgs} orgs"),
        ),
        measure_page(
            timer,
            both,
            "Per-organisation report",
            "reports:organisation",
            ({"ods_code": cases.busy_org}, "", f"{cases.busy_org}, {cases.busy_org_alerts} alerts"),
            ({"ods_code": cases.quiet_org}, "", f"{cases.quiet_org}, {cases.quiet_org_alerts} alerts"),
        ),
        # The same page for the lead organisation's user and for a user of 20 of its organisations.
        measure_page(
            timer,
            (lead, small_user),
            f"Your alerts ({LEAD_ORGANISATIONS} organisations)",
            "home",
            ({}, "", f"{LEAD_ORGANISATIONS} orgs"),
            ({}, "", f"{SMALL_USER_ORGANISATIONS} orgs"),
        ),
        measure_page(
            timer,
            both,
            "Reports: all alerts",
            "reports:index",
            ({}, "", "page 1, 20 alerts"),
            ({}, f"?page={cases.index_last_page}", f"last page, {cases.index_last_page_alerts} alerts"),
        ),
        measure_page(
            timer,
            both,
            "Reports: over time",
            "reports:over_time",
            ({}, "", "all regions, 12 months"),
            ({}, f"?region={cases.region_code}", f"region {cases.region_code}"),
        ),
    ]
    # Not a goal: what the NHS.UK layout costs on its own, to read the ratios against.
    static = measure_page(
        timer, both, "(Static page in the layout, no data)", "accessibility", ({}, "", ""), ({}, "", "")
    )
    static.counts_in_result = False
    pages.append(static)
    baseline = PageResult("Baseline: bare view, one query", "bench_baseline", measured=True, ratio=1.0)
    samples = timer.baseline_samples
    baseline.p50_ms, baseline.p95_ms = statistics.median(samples), percentile(samples, 0.95)
    baseline.queries_big = baseline.queries_small = count_queries(auditor, Timer.BASELINE)[0]
    baseline.cached_queries_big = baseline.cached_queries_small = baseline.queries_big
    return baseline, pages


@dataclass
class ExportResult:
    fmt: str
    measured: bool = False
    note: str = ""
    rows: int = 0
    seconds: float = 0.0
    bytes: int = 0
    peak_rss_mb: float = 0.0
    rss_before_mb: float = 0.0

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def measure_export(fmt: str, database_url: str, date_from: date, date_to: date) -> ExportResult:
    """Streams the whole history export in a child process, which reports its own peak RSS (VmHWM: since its exec;
    wait4's ru_maxrss would count the pages of this big parent process the child had before its exec)."""
    result = ExportResult(fmt)
    if url_or_none("exports:history", fmt=fmt) is None:
        result.note = "not measured: exports:history does not exist"
        return result
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--export-child",
        fmt,
        "--from",
        date_from.isoformat(),
        "--to",
        date_to.isoformat(),
    ]
    env = {**os.environ, "DATABASE_URL": database_url}
    child = subprocess.run(command, stdout=subprocess.PIPE, env=env, cwd=ROOT, check=False)  # noqa: S603 - this script
    if child.returncode != 0:
        result.note = f"not measured: the export child failed ({child.returncode})"
        return result
    report = json.loads(child.stdout.decode().strip().splitlines()[-1])
    if report.get("error"):
        result.note = f"not measured: {report['error']}"
        return result
    result.measured = True
    result.rows, result.seconds, result.bytes = report["rows"], report["seconds"], report["bytes"]
    result.rss_before_mb = report["rss_before_kb"] / 1024
    result.peak_rss_mb = report["peak_rss_kb"] / 1024
    return result


def export_child(fmt: str, date_from: str, date_to: str) -> None:
    """In the child: GET the export as the auditor, consume the streamed body, print what it took as JSON."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from respond.accounts.models import User
    from respond.responses.models import ResponseEntry

    auditor = User.objects.get(email="auditor@bench.invalid")
    client = signed_in_client(auditor.pk)
    url = reverse("exports:history", kwargs={"fmt": fmt}) + "?" + urlencode({"from": date_from, "to": date_to})
    expected = ResponseEntry.objects.filter(created_at__date__gte=date_from, created_at__date__lte=date_to).count()
    rss_before = _rss_kb()
    started = time.perf_counter()
    response = client.get(url)
    if response.status_code != 200:
        print(json.dumps({"error": f"GET {url} answered {response.status_code}"}))
        return
    size = lines = 0
    chunks = response.streaming_content if response.streaming else [response.content]
    for chunk in chunks:
        size += len(chunk)
        if fmt == "csv":
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    rows = max(0, lines - 1) if fmt == "csv" else expected
    report = {"rows": rows, "expected": expected, "seconds": seconds, "bytes": size}
    print(json.dumps({**report, "rss_before_kb": rss_before, "peak_rss_kb": _rss_kb("VmHWM")}))


def _rss_kb(field: str = "VmRSS") -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    return 0


# Output ------------------------------------------------------------------------------------------------------------


def print_report(
    generated: Generated, baseline: PageResult, pages: list[PageResult], exports: list[ExportResult]
) -> None:
    print()
    print(f"Data: {generated.orgs} organisations ({generated.real_orgs} real), {generated.alerts} alerts, ", end="")
    print(f"{generated.responses} responses, {generated.history_rows} history entries")
    print()
    header = f"{'page':38} {'p50 ms':>8} {'p95 ms':>8} {'base p95':>8} {'x base':>7} {'afresh p50/p95':>15}"
    header += f" {'queries small -> big':>21}  cases (small / big)"
    print(header)
    print("-" * len(header))
    for page in [baseline, *pages]:
        if not page.measured:
            print(f"{page.label:38} {page.note}")
            continue
        queries = f"{page.queries_small} -> {page.queries_big}"
        if (page.cached_queries_small, page.cached_queries_big) != (page.queries_small, page.queries_big):
            queries += f" ({page.cached_queries_small} -> {page.cached_queries_big})"
        flag = "  GROWS" if page.queries_grow else ""
        over = " !" if page.ratio > GOAL_RATIO and page.counts_in_result else ""
        cases = f"{page.small_case} / {page.big_case}" if page.small_case else ""
        base = page.baseline_p95_ms or page.p95_ms
        afresh = f"{page.afresh_p50_ms:7.1f}/{page.afresh_p95_ms:<7.1f}" if page.afresh_p95_ms else f"{'':15}"
        times = f"{page.p50_ms:8.1f} {page.p95_ms:8.1f} {base:8.1f} {page.ratio:6.2f}{over:1} {afresh}"
        print(f"{page.label:38} {times} {queries:>21}{flag}  {cases}")
    print(
        "p50 and p95 as pages are viewed again (report figures and rendered parts come from the cache until the data "
        "they show changes);\nafresh: the cache emptied before each request, as for the first view after a change. "
        "Queries afresh (again, in brackets, where different)."
    )
    print()
    print(f"{'export':34} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'MB out':>7} {'RSS MB':>7} {'(at start)':>10}")
    for export in exports:
        label = f"History, all dates, {export.fmt.upper()}"
        if not export.measured:
            print(f"{label:34} {export.note}")
            continue
        print(
            f"{label:34} {export.rows:9d} {export.seconds:8.1f} {export.rows_per_s:9.0f} "
            f"{export.bytes / 1e6:7.1f} {export.peak_rss_mb:7.0f} {export.rss_before_mb:10.0f}"
        )
    missed = [p for p in pages if p.measured and p.counts_in_result and (p.ratio > GOAL_RATIO or p.queries_grow)]
    if missed:
        print()
        print("Pages missing a goal (p95 over 3x the baseline, or queries growing), slowest queries on the big case:")
        for page in missed:
            print(f"  {page.label}:")
            for ms, sql in page.slowest:
                print(f"    {ms:8.1f} ms  {sql[:300]}")
    print()


def result_line(generated: Generated, pages: list[PageResult], exports: list[ExportResult]) -> str:
    measured = [p for p in pages if p.measured and p.counts_in_result]
    ratio = f"{max(p.ratio for p in measured):.2f}" if measured else "n/a"
    grow = "yes" if any(p.queries_grow for p in measured) else "no"
    done = [e for e in exports if e.measured]
    if done and len(done) == len(exports):
        rate = f"{min(e.rows_per_s for e in done):.0f}"
        rss = f"{max(e.peak_rss_mb for e in done):.0f}"
    else:
        rate = rss = "n/a"
    return (
        f"RESULT orgs={generated.orgs} alerts={generated.alerts} history_rows={generated.history_rows} "
        f"page_p95_ratio_max={ratio} queries_grow={grow} export_rows_per_s={rate} export_peak_rss_mb={rss}"
    )


def counts() -> Generated:
    from respond.alerts.models import Alert
    from respond.organisations.models import Organisation
    from respond.responses.models import Response, ResponseEntry

    return Generated(
        orgs=Organisation.objects.count(),
        real_orgs=Organisation.objects.exclude(ods_code__startswith="ZB").count(),
        alerts=Alert.objects.count(),
        responses=Response.objects.count(),
        history_rows=ResponseEntry.objects.count(),
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 10,000 organisations, 1,000 alerts, ~1M entries")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page, after 3 warm-up ones")
    parser.add_argument("--reuse", action="store_true", help="keep the data of an earlier run at the same scale")
    parser.add_argument("--no-exports", action="store_true", help="skip the export measurements")
    parser.add_argument("--export-child", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    parser.add_argument("--from", dest="date_from", help=argparse.SUPPRESS)
    parser.add_argument("--to", dest="date_to", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 0.001 <= args.scale <= 10:
        parser.error("--scale must be between 0.001 and 10")
    if args.requests < 5:
        parser.error("--requests must be 5 or more")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.export_child:
        set_up_django(os.environ["DATABASE_URL"])
        export_child(args.export_child, args.date_from, args.date_to)
        return
    database_url = bench_database_url(os.environ.get("DATABASE_URL", ""))
    marker = f"bench_reports scale={args.scale:g} seed={SEED}"
    print(f"Database: {urlsplit(database_url)._replace(netloc=urlsplit(database_url).hostname or '').geturl()}")
    reuse = args.reuse and database_comment(database_url) == marker
    if not reuse:
        recreate_database(database_url)
    set_up_django(database_url)
    from django.db import connection
    from django.utils import timezone

    if reuse:
        print("Reusing the data generated earlier at this scale.")
        generated = counts()
    else:
        print(f"Generating the data set at scale {args.scale:g}:", flush=True)
        generated = generate(args.scale, timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(f'COMMENT ON DATABASE "{connection.settings_dict["NAME"]}" IS %s', [marker])
        print(f"Generated in {generated.seconds:.0f} s.", flush=True)
    from respond.accounts.models import User

    users = {
        "auditor": User.objects.get(email="auditor@bench.invalid").pk,
        "lead": User.objects.get(email="lead@bench.invalid").pk,
        "small": User.objects.get(email="small@bench.invalid").pk,
    }
    cases = choose_cases()
    print("Measuring pages...", flush=True)
    baseline, pages = measure_pages(users, cases, args.requests)
    exports = []
    if not args.no_exports:
        print("Measuring exports...", flush=True)
        today = timezone.localdate()
        exports = [measure_export(fmt, database_url, cases.first_entry_on, today) for fmt in ("csv", "xlsx")]
    print_report(generated, baseline, pages, exports)
    print(result_line(generated, pages, exports))


if __name__ == "__main__":
    main()
