"""Times the TAXII objects endpoint: `python scripts/bench_taxii.py --alerts 300`.

Sets up ALERTS published alerts (each with two CVEs, three indicators of compromise and two remediation steps;
TLP:CLEAR, GREEN and AMBER in turn) sent to one organisation, and an API token of one of its people; then reads
that token's TAXII collection page by page (limit 1000) through Django's test client, as a TAXII client would,
and counts the objects served and the SQL queries of each request. The last line printed is
`RESULT taxii_objects_per_s=<n> taxii_cold_objects_per_s=<n> taxii_objects=<n> taxii_queries=<n> taxii_alerts=<n>`:
the first from a second read (each alert's objects kept), the cold one from the first read (all built). `make
bench-api` runs the same measurement (`measure`) after its own, on its database: the names here are its own.

Like bench_bulk, it never touches the configured database (a new SQLite file, or <name>_bench on PostgreSQL).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IOCS = "- `198.51.100.{n}`\n- hxxps://bad{n}.example[.]com/payload\n- `{sha}`"


def set_up(how_many: int) -> str:
    from django.utils import timezone

    from respond.accounts.api_tokens import api_token_create
    from respond.accounts.models import ApiTokenAccess, GlobalRole, Membership, Role, User
    from respond.alerts.models import Alert, AlertStatus, RemediationStep, Severity, Tlp
    from respond.core.audit import Auditor
    from respond.organisations.models import Organisation, OrganisationType

    trust = Organisation.objects.create(
        ods_code="ZT0001", name="TAXII Benchmark NHS Trust", organisation_type=OrganisationType.NHS_TRUST, mandated=True
    )
    reader = User.objects.create_user("taxii-soc@bench.invalid", full_name="Sam SOC", organisation=trust)
    Membership.objects.create(user=reader, organisation=trust, role=Role.RESPONDER)
    author = User.objects.create_user("taxii-csoc@bench.invalid", full_name="Casey CSOC", global_role=GlobalRole.CSOC)
    tlps = [Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER]
    now = timezone.now()
    for number in range(how_many):
        alert = Alert.objects.create(
            threat_id=f"CC-{70000 + number}",
            title=f"TAXII benchmark alert {number}",
            severity=Severity.HIGH,
            tlp=tlps[number % 3],
            short_summary="A critical vulnerability.",
            summary="A critical vulnerability in Example VPN.",
            indicators_of_compromise=IOCS.format(n=number % 250, sha=f"{number:064x}"),
            cve_ids=[f"CVE-2024-{10000 + number}", f"CVE-2024-{20000 + number}"],
            status=AlertStatus.PUBLISHED,
            published_at=now,
            created_by=author,
            published_by=author,
        )
        alert.organisations.set([trust])
        RemediationStep.objects.bulk_create(
            RemediationStep(alert=alert, position=position, step_type="Upgrade", step=f"Upgrade to 9.{position}.")
            for position in (1, 2)
        )
    _token, secret = api_token_create(
        user=reader, name="bench", organisations=[trust], access=ApiTokenAccess.READ, valid_days=1,
        auditor=Auditor.for_user(reader),
    )  # fmt: skip
    return secret


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=300, help="how many alerts (default 300)")
    arguments = parser.parse_args()
    if arguments.alerts < 1:
        parser.error("--alerts must be 1 or more")

    sys.path.insert(0, str(ROOT))
    from scripts.bench_bulk import throwaway_database_url

    os.environ["DATABASE_URL"] = throwaway_database_url(os.environ.get("DATABASE_URL", ""))
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("APP_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    figures = measure(arguments.alerts)
    print("RESULT " + " ".join(f"{name}={value}" for name, value in figures.items()))


def measure(how_many: int) -> dict[str, int]:
    """Sets up HOW_MANY alerts and reads the token's collection twice; the figures of the RESULT line."""
    from django.test import Client

    secret = set_up(how_many)
    client = Client(HTTP_ACCEPT="application/taxii+json;version=2.1", HTTP_AUTHORIZATION=f"Bearer {secret}")
    collections = client.get("/taxii2/alerts/collections/").json()["collections"]
    objects_url = f"/taxii2/alerts/collections/{collections[1]['id']}/objects/"
    client.get("/taxii2/alerts/collections/")  # the token's first use is written down once

    cold_served, cold_seconds, cold_queries = read_collection(client, objects_url)
    served, seconds, queries = read_collection(client, objects_url)
    print(f"TAXII, first read (objects built): {cold_served} objects in {cold_seconds:.2f} s; queries: {cold_queries}")
    print(
        f"TAXII, again (objects kept): {served} objects in {len(queries)} requests, {seconds:.2f} s; queries: {queries}"
    )
    return {
        "taxii_objects_per_s": round(served / seconds),
        "taxii_cold_objects_per_s": round(cold_served / cold_seconds),
        "taxii_objects": served,
        "taxii_queries": max(queries + cold_queries),
        "taxii_alerts": how_many,
    }


def read_collection(client, objects_url: str) -> tuple[int, float, list[int]]:  # type: ignore[no-untyped-def]
    """Pages through a collection as a TAXII client does: objects served, seconds, queries per request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    served, queries, params = 0, [], {"limit": 1000}
    started = time.perf_counter()
    while True:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(objects_url, params)
        if response.status_code != 200:
            raise SystemExit(f"The objects endpoint answered {response.status_code}: {response.content[:300]!r}")
        envelope = response.json()
        served += len(envelope.get("objects", []))
        queries.append(len(captured.captured_queries))
        if not envelope.get("more"):
            return served, time.perf_counter() - started, queries
        params = {"limit": 1000, "next": envelope["next"]}


if __name__ == "__main__":
    main()
