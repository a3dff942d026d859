"""Times one bulk response for many organisations: `make bench-bulk ORGS=500`.

Sets up ORGS organisations (real NHS names from data/ods/ first, then made-up ones), one published alert sent to
all of them and one person who responds for all of them; then times respond.responses.services.bulk_response_submit
acknowledging the alert for every organisation (its emails written to the outbox with it), and counts its SQL
queries, in a process readied as a web process is (respond.operations.warm_up). The last line printed is
`RESULT orgs=<n> seconds=<s> queries=<n> single_write_ms=<median> single_write_queries=<n>`: after the bulk
response, it also times single submissions (response_update, one organisation each), the median of --singles.

It never touches the configured database: it runs on a new SQLite file under var/bench/, or, when DATABASE_URL
names a PostgreSQL server, on a database called <name>_bench on that server, dropped and created afresh.
"""

import argparse
import csv
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
ODS_FILES = ("etr.csv", "ect.csv", "eccg.csv")


def throwaway_database_url(configured: str) -> str:
    """A fresh database of the configured kind: SQLite by default, or PostgreSQL."""
    if configured.startswith(("postgres://", "postgresql://")):
        import psycopg
        from psycopg import sql

        parts = urlsplit(configured)
        name = f"{parts.path.lstrip('/') or 'respond'}_bench"
        maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        with psycopg.connect(maintenance, autocommit=True) as server:
            server.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return urlunsplit(parts._replace(path=f"/{name}"))
    if configured and not configured.startswith("sqlite"):
        raise SystemExit("bench_bulk runs on SQLite or PostgreSQL: DATABASE_URL names neither.")
    path = ROOT / "var" / "bench" / "bench.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def ods_names() -> list[tuple[str, str]]:
    """(ODS code, name) of the real organisations shipped in data/ods/."""
    found: dict[str, str] = {}
    for file_name in ODS_FILES:
        with (ROOT / "data" / "ods" / file_name).open(newline="", encoding="utf-8-sig") as source:
            for row in csv.reader(source):
                if len(row) > 1 and row[0].strip():
                    found.setdefault(row[0].strip().upper(), row[1].strip().title())
    return sorted(found.items())


def set_up(how_many: int):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from respond.accounts.models import GlobalRole, Membership, Role, User
    from respond.alerts.models import Alert, AlertStatus, Severity, Tlp
    from respond.organisations.models import Organisation, OrganisationType

    real = ods_names()[:how_many]
    made_up = [(f"ZB{number:04d}", f"Benchmark NHS Trust {number}") for number in range(1, how_many - len(real) + 1)]
    Organisation.objects.bulk_create(
        Organisation(ods_code=code, name=name, organisation_type=OrganisationType.NHS_TRUST, mandated=True)
        for code, name in [*real, *made_up]
    )
    organisations = list(Organisation.objects.order_by("ods_code"))
    lead = Organisation.objects.create(ods_code="ZBLEAD", name="Benchmark CSU", organisation_type=OrganisationType.CSU)
    responder = User.objects.create_user("lead@bench.invalid", full_name="Lee Lead", organisation=lead)
    Membership.objects.bulk_create(
        Membership(user=responder, organisation=organisation, role=Role.RESPONDER) for organisation in organisations
    )
    author = User.objects.create_user("csoc@bench.invalid", full_name="Casey CSOC", global_role=GlobalRole.CSOC)
    alert = Alert.objects.create(
        threat_id="CC-99999",
        title="Benchmark: critical vulnerability in Example VPN",
        severity=Severity.HIGH,
        tlp=Tlp.CLEAR,
        short_summary="A critical vulnerability.",
        summary="A critical vulnerability.",
        status=AlertStatus.PUBLISHED,
        published_at=timezone.now(),
        created_by=author,
        published_by=author,
    )
    alert.organisations.set(organisations)
    return responder, alert, organisations, len(real)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=500, help="how many organisations (default 500)")
    parser.add_argument("--singles", type=int, default=100, help="how many single submissions to time (default 100)")
    arguments = parser.parse_args()
    how_many = arguments.orgs
    if how_many < 1:
        parser.error("--orgs must be 1 or more")

    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = throwaway_database_url(os.environ.get("DATABASE_URL", ""))
    # Tasks (delivering the emails the bulk response writes to the outbox) are queued in the benchmark database,
    # never on a shared Redis queue.
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("APP_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from respond.core.audit import Auditor
    from respond.operations.warm_up import warm_up
    from respond.responses.answers import Answers
    from respond.responses.models import ResponseStatus
    from respond.responses.services import ACKNOWLEDGE, bulk_response_submit

    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)  # as `make migrate` does: delivery's chains keep their slots there
    # Ready as a web process is before it answers anyone (the URLconf and its views imported, the templates
    # compiled), so that the time is the write's, not the process's first reverse() or template.
    warm_up()
    responder, alert, organisations, real = set_up(how_many)
    print(f"Set up {len(organisations)} organisations ({real} with real ODS names), one alert, one responder.")

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        entries = bulk_response_submit(
            user=responder,
            alert=alert,
            organisations=organisations,
            status=ACKNOWLEDGE,
            answers=Answers(),
            auditor=Auditor.for_user(responder),
        )
        seconds = time.perf_counter() - started
    acknowledged = alert.responses.filter(status=ResponseStatus.IN_PROGRESS).count()
    if len(entries) != how_many or acknowledged != how_many:
        raise SystemExit(f"Expected {how_many} responses, got {len(entries)} entries and {acknowledged} acknowledged")
    single_ms, single_queries = _single_writes(responder, alert, arguments.singles)
    print(
        f"RESULT orgs={how_many} seconds={seconds:.3f} queries={len(queries.captured_queries)} "
        f"single_write_ms={single_ms:.2f} single_write_queries={single_queries}"
    )


def _single_writes(responder, alert, how_many: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """The median time of one person's single submission (complete, with its answers), and its query count."""
    import statistics

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from respond.core.audit import Auditor
    from respond.responses.answers import Answers
    from respond.responses.models import Response, ResponseStatus
    from respond.responses.services import response_update

    answers = Answers(completed_on=timezone.localdate(), completion_summary="Patched every appliance.")
    timings, queries = [], 0
    for response in Response.objects.filter(alert=alert).select_related("alert", "organisation")[:how_many]:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response_update(
                response=response,
                user=responder,
                version=response.version,
                status=ResponseStatus.COMPLETE,
                answers=answers,
                auditor=Auditor.for_user(responder),
            )
            timings.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    return 1000 * statistics.median(timings), queries


if __name__ == "__main__":
    main()
