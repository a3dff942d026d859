"""Times the REST API through the whole Django stack (token authentication, JSON, ETags): `make bench-api`.

Sets up ORGS organisations (as bench_bulk does), ALERTS published alerts each sent to all of them, and one person
who responds for all of them. Then:
- alerts list: GET /api/v1/alerts (a page of 20) with a token for 10 of the organisations, --requests times;
  the 95th percentile in milliseconds, and a check that the query count is the same for 1 alert as for them all;
- bulk: one POST /api/v1/alerts/<id>/responses acknowledging the first alert for all ORGS organisations, with a
  read-and-respond token for all of them: seconds and SQL queries.
- TAXII: --taxii-alerts more alerts (each with CVEs, indicators and steps) read through one token's TAXII
  collection, first with no objects built, then again (scripts/bench_taxii.py's `measure`).
The last line printed is `RESULT alerts_list_p95_ms=… bulk_500_seconds=… bulk_500_queries=… taxii_objects_per_s=…`
then the other figures: alerts_list_cpu_p95_ms and bulk_500_cpu_seconds (the CPU time this process spent, which on
a busy machine is closer to what a request costs than the time it took), taxii_cold_objects_per_s (the first read,
every alert's objects built), taxii_queries (the most of any TAXII request) and the counts behind them. The names
say 500; with another --orgs the figures are for that many.

Like bench_bulk, it never touches the configured database: a new SQLite file under var/bench/, or a database
<name>_bench on the PostgreSQL server DATABASE_URL names, dropped and created afresh.
"""

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_bulk import set_up, throwaway_database_url  # noqa: E402 - after the path is set
from bench_taxii import measure as measure_taxii  # noqa: E402


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=500, help="organisations answered for in bulk (default 500)")
    parser.add_argument("--alerts", type=int, default=30, help="published alerts (default 30)")
    parser.add_argument("--requests", type=int, default=100, help="list requests to time (default 100)")
    parser.add_argument("--taxii-alerts", type=int, default=300, help="alerts read through TAXII (default 300)")
    arguments = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = throwaway_database_url(os.environ.get("DATABASE_URL", ""))
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("APP_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The benchmark measures the API, not the rate limit.
    os.environ["API_REQUESTS_PER_MINUTE"] = "1000000"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from respond.accounts.api_tokens import api_token_create
    from respond.accounts.models import ApiTokenAccess
    from respond.core.audit import Auditor
    from respond.responses.models import ResponseStatus
    from respond.responses.services import open_missing_responses

    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    responder, alert, organisations, _ = set_up(arguments.orgs)
    _more_alerts(alert, organisations, arguments.alerts)
    first = alert
    open_missing_responses()
    print(f"Set up {len(organisations)} organisations, {arguments.alerts} alerts, one responder.")

    def token(chosen: list, access: str) -> dict[str, str]:
        _, secret = api_token_create(
            user=responder,
            name=f"bench {access}",
            organisations=chosen,
            access=access,
            valid_days=1,
            auditor=Auditor.for_user(responder),
        )
        return {"Authorization": f"Bearer {secret}"}

    client = Client()
    reader = token(organisations[:10], ApiTokenAccess.READ)
    client.get("/api/v1/alerts", headers=reader)  # warm up; the token's last use is written once a minute
    timings, cpu_timings = [], []
    for _ in range(arguments.requests):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get("/api/v1/alerts", headers=reader)
        timings.append(time.perf_counter() - started)
        cpu_timings.append(time.process_time() - cpu_started)
        assert response.status_code == 200, response.content
    with CaptureQueriesContext(connection) as all_alerts:
        body = client.get("/api/v1/alerts", headers=reader).json()
    with CaptureQueriesContext(connection) as one_alert:
        client.get("/api/v1/alerts?limit=1", headers=reader)
    rows = sum(len(item["responses"]) for item in body["items"])
    print(
        f"List: {len(body['items'])} alerts, {rows} responses a page; "
        f"queries {len(all_alerts)} (1 alert: {len(one_alert)})"
    )
    if len(all_alerts) != len(one_alert):
        raise SystemExit("The list's query count grows with the data")

    writer = token(organisations, ApiTokenAccess.RESPOND)
    payload = {"organisations": [o.ods_code for o in organisations], "status": "acknowledge"}
    with CaptureQueriesContext(connection) as queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.post(
            f"/api/v1/alerts/{first.threat_id}/responses",
            json.dumps(payload),
            content_type="application/json",
            headers=writer,
        )
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    assert response.status_code == 200, response.content
    acknowledged = first.responses.filter(status=ResponseStatus.IN_PROGRESS).count()
    if acknowledged != len(organisations) or len(response.json()["results"]) != len(organisations):
        raise SystemExit(f"Expected {len(organisations)} acknowledged, found {acknowledged}")
    taxii = measure_taxii(arguments.taxii_alerts)
    print(
        f"RESULT alerts_list_p95_ms={1000 * percentile(timings, 0.95):.1f} bulk_500_seconds={seconds:.3f} "
        f"bulk_500_queries={len(queries.captured_queries)} taxii_objects_per_s={taxii.pop('taxii_objects_per_s')} "
        f"alerts_list_cpu_p95_ms={1000 * percentile(cpu_timings, 0.95):.1f} bulk_500_cpu_seconds={cpu_seconds:.3f} "
        + " ".join(f"{name}={value}" for name, value in taxii.items())
    )


def _more_alerts(alert, organisations, how_many: int) -> None:  # type: ignore[no-untyped-def]
    """Copies of the benchmark alert, published a minute apart, each sent to every organisation."""
    from datetime import timedelta

    from respond.alerts.models import Alert

    for number in range(1, how_many):
        copy = Alert.objects.create(
            threat_id=f"CC-{90000 + number}",
            title=f"{alert.title} ({number})",
            severity=alert.severity,
            tlp=alert.tlp,
            short_summary=alert.short_summary,
            summary=alert.summary,
            status=alert.status,
            published_at=alert.published_at - timedelta(minutes=number),
            created_by=alert.created_by,
            published_by=alert.published_by,
        )
        copy.organisations.set(organisations)


if __name__ == "__main__":
    main()
