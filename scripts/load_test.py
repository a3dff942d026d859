#!/usr/bin/env python
"""Load test: `make load-test` (USERS=100 MINUTES=10 by default).

Starts the production process set on this machine, on loopback only, through the same entry points as
production (scripts/process.sh): two web processes (gunicorn, two workers each), two task workers (RQ) on a Redis
server of its own, one scheduler, PostgreSQL (a database of its own on DATABASE_URL's server, named as that one with
_load after it — respond_load by default — dropped and made afresh) holding the reports benchmark's national-scale
data set (scripts/benchreports, SCALE of it), and the project's local Notify server answering every request in
50 ms. Then locust (headless, bounded: it stops by itself after MINUTES) plays USERS people (scripts/loadtest/mix.py):
responders opening "Your alerts", alerts and their respond pages, acknowledging and updating responses through the
forms; a lead organisation responding in bulk through the forms; administrators managing access; auditors on
reports, exports and the API; a CSOC analyst adding threat updates; members of a closed incident group reading,
posting and replying; integrations on the REST API (alerts, recording a response, bulk) and TAXII with their
tokens; anonymous readers of the public pages, feed, JSON API and STIX; and a bare Django view, the floor. A form or
an API call counts as an error unless the service saved it. One minute in, CSOC publishes a major-incident alert to
RECIPIENTS people (email and SMS) while the load runs; the test waits until the outbox has drained (or gives up
after --drain-minutes), then counts what Notify received.

Last line:
RESULT users=… minutes=… requests=… errors=… p95_ms_max=… p95_ratio_max=… notifications_expected=… sent=… lost=…
duplicates=…
where p95_ratio_max is the worst page type's p95 over the floor's p95.
"""

import argparse
import csv
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

STARTED = time.monotonic()


def say(text: str) -> None:
    """A step of the run, with the seconds since it started."""
    print(f"[{time.monotonic() - STARTED:5.0f} s] {text}", flush=True)


GOALS = {"errors": 0, "lost": 0, "duplicates": 0, "p95_ratio_max": 3.0}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("USERS") or 100))
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("MINUTES") or 10))
    parser.add_argument("--scale", type=float, default=float(os.environ.get("SCALE") or 1), help="of the data set")
    parser.add_argument("--recipients", type=int, default=int(os.environ.get("RECIPIENTS") or 10_000))
    parser.add_argument("--publish-after", type=float, default=60, help="seconds into the run")
    parser.add_argument("--drain-minutes", type=float, default=15, help="longest wait for the outbox to drain")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/respond"
    )
    return parser.parse_args()


def load_database_url(configured: str) -> str:
    """A database of the load test's own beside DATABASE_URL's (its name with _load after it), dropped and made
    afresh: never the configured database itself, and not another branch's or CI's load database."""
    parts = urlsplit(configured)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit("The load test needs PostgreSQL (DATABASE_URL=postgres://…).")
    name = parts.path.lstrip("/") or "respond"
    return urlunsplit(parts._replace(path=f"/{name.removesuffix('_load')}_load"))


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), autocommit=True) as server:
        name = sql.Identifier(parts.path.lstrip("/"))
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        server.execute(sql.SQL("CREATE DATABASE {}").format(name))


def set_up_django(database_url: str) -> None:
    os.environ.update(
        DATABASE_URL=database_url,
        APP_ENV="development",
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="tests.support.load_settings",
        LOG_LEVEL="WARNING",
        LOG_FORMAT="json",
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def build(args: argparse.Namespace, database_url: str) -> tuple[int, dict]:
    from benchreports.history import generate
    from django.utils import timezone
    from loadtest.dataset import approved_major_incident, build_people
    from loadtest.plan import plan_people

    say(f"Generating the data set (scale {args.scale}) in {database_url}")
    generated = generate(args.scale, timezone.now())
    print(f"  {generated.orgs} organisations, {generated.alerts} alerts, {generated.history_rows} history rows")
    build_people(args.recipients)
    alert_id = approved_major_incident("Major incident: ransomware spreading through an unpatched SMB flaw")
    print(f"  {args.recipients} people for the major incident (email and SMS each)", flush=True)
    people = plan_people(args.users, random.Random(14), major_incident_id=alert_id)
    say(f"sessions and API tokens for {sum(len(entries) for entries in people.values())} people")
    return alert_id, people


def run_locust(args: argparse.Namespace, hosts: list[str], plan_file: Path, out: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "LOAD_PLAN": str(plan_file), "PYTHONPATH": str(ROOT / "scripts")}
    spawn_rate = max(4, args.users // 10)
    return subprocess.Popen(  # noqa: S603 - our own locustfile, fixed arguments
        [
            str(ROOT / ".venv" / "bin" / "locust"),
            "-f",
            str(ROOT / "scripts" / "loadtest" / "locustfile.py"),
            "--headless",
            "--only-summary",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(spawn_rate),
            "--run-time",
            f"{int(args.minutes * 60)}s",
            "--stop-timeout",
            "10",
            "--host",
            hosts[0],
            "--csv",
            str(out),
            "--exit-code-on-error",
            "0",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def page_stats(csv_prefix: Path) -> tuple[int, int, dict[str, float], set[str]]:
    """Requests, failures, p95 (ms) by request name, and the names of page reads (GETs), from locust's CSV."""
    requests = errors = 0
    p95: dict[str, float] = {}
    reads: set[str] = set()
    with Path(f"{csv_prefix}_stats.csv").open() as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                requests, errors = int(row["Request Count"]), int(row["Failure Count"])
            elif row["95%"] not in ("", "N/A"):
                p95[row["Name"]] = float(row["95%"])
                if row["Type"] == "GET":
                    reads.add(row["Name"])
    with Path(f"{csv_prefix}_exceptions.csv").open() as handle:
        errors += sum(int(row["Count"]) for row in csv.DictReader(handle))  # a person's task that broke
    return requests, errors, p95, reads


def print_failures(csv_prefix: Path) -> None:
    with Path(f"{csv_prefix}_failures.csv").open() as handle:
        failures = list(csv.DictReader(handle))
    if failures:
        print("Failures:")
    for row in failures:
        print(f"  {row['Occurrences']:>5} x {row['Method']} {row['Name']}: {row['Error']}")
    with Path(f"{csv_prefix}_exceptions.csv").open() as handle:
        for row in csv.DictReader(handle):
            print(f"  {row['Count']:>5} x exception in a task: {row['Message']}\n{row['Traceback']}")


def publish(web_url: str, alert_id: int, outcome: dict[str, object]) -> None:
    """Publishes the major incident; any failure is kept in `outcome` (a timer thread cannot raise it)."""
    from loadtest.dataset import publish_over_http

    try:
        outcome["ms"] = publish_over_http(web_url, alert_id)
    except (Exception, SystemExit) as failure:  # reported with the results, as an error
        outcome["failure"] = str(failure)[:500]


def wait_for_outbox(alert_id: int, minutes: float) -> bool:
    from respond.notifications.models import Notification, Status

    rows = Notification.objects.filter(alert_id=alert_id)
    deadline = time.monotonic() + minutes * 60
    while rows.filter(status__in=[Status.QUEUED, Status.SENDING]).exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(2)
    return True


def main() -> None:
    # Stopped (a CI timeout, Ctrl-C), it still stops every process it started: the finally blocks below run.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = parse_args()
    database_url = load_database_url(args.database_url)
    recreate_database(database_url)
    set_up_django(database_url)
    alert_id, people = build(args, database_url)

    from django.conf import settings

    from respond.notifications.models import Notification, Status
    from tests.support.notify_server import NotifyServer
    from tests.support.processes import ProcessSet, process_environment
    from tests.support.servers import RedisServer

    work = Path(tempfile.mkdtemp(prefix="respond-load-"))
    redis = RedisServer().start()
    notify = NotifyServer(latency=0.05).start()
    env = process_environment(
        database=database_url,
        redis=redis.url,
        APP_ENV="development",
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="tests.support.load_settings",
        LOG_LEVEL="WARNING",
        LOG_FORMAT="json",
        **notify.client_environment,
        WEB_CONCURRENCY="2",
        WEB_THREADS="4",
    )
    processes = ProcessSet(env, work / "logs")
    locust: subprocess.Popen | None = None
    timer: threading.Timer | None = None
    try:
        webs = [processes.start("web") for _ in range(2)]
        for _ in range(2):
            processes.start("worker")
        processes.start("scheduler")
        for web in webs:
            web.wait_until_serving()
        hosts = [web.url for web in webs]
        plan_file = work / "plan.json"
        plan_file.write_text(
            json.dumps(
                {
                    "hosts": hosts,
                    "session_cookie": settings.SESSION_COOKIE_NAME,
                    "people": people,
                }
            )
        )
        say(f"Process set up: webs {hosts}, 2 RQ workers on {redis.url}, 1 scheduler; Notify at {notify.url}")
        say(f"locust: {args.users} users for {args.minutes:g} minutes; logs in {work}")
        locust = run_locust(args, hosts, plan_file, work / "locust", work / "locust.log")
        published: dict[str, object] = {}
        timer = threading.Timer(args.publish_after, publish, args=(hosts[0], alert_id, published))
        timer.start()
        locust.wait(timeout=args.minutes * 60 + 120)
        timer.join()
        if "ms" in published:
            say(f"locust finished; the major incident was published in {published['ms']:.0f} ms")
        else:
            say(f"locust finished; publishing the major incident FAILED: {published.get('failure')}")
        drained = wait_for_outbox(alert_id, args.drain_minutes)
        say("The outbox has drained" if drained else f"The outbox did not drain within {args.drain_minutes:g} minutes")
    finally:
        if timer is not None:
            timer.cancel()
        if locust is not None and locust.poll() is None:
            locust.terminate()
            locust.wait(timeout=30)
        processes.stop()
        notify.stop()
        redis.remove()
        say("Process set stopped")

    requests_made, errors, p95, reads = page_stats(work / "locust")
    errors += "ms" not in published  # the major incident not published is an error too
    floor = p95.pop("floor", 0.0)
    pages = {name: value for name, value in p95.items() if name in reads}
    print()
    print(f"{'page type (POST: a form or API call sent)':48} {'p95 ms':>8} {'x floor':>8}")
    for name, value in sorted(p95.items()):
        label = name if name in reads else f"{name} (POST)"
        print(f"{label:48} {value:8.0f} {value / floor if floor else 0:8.2f}")
    print(f"{'floor (bare Django view)':48} {floor:8.0f}")
    print_failures(work / "locust")
    rows = Notification.objects.filter(alert_id=alert_id)
    expected = {str(pk) for pk in rows.values_list("pk", flat=True)}
    references = notify.references()
    duplicates = sum(count - 1 for reference, count in references.items() if reference in expected and count > 1)
    accepted = expected & {reference for reference in references if reference}
    lost = len(expected - accepted) + rows.exclude(status__in=[Status.SENT, Status.DELIVERED]).count()
    p95_max = max(p95.values(), default=0.0)
    ratio = max((value / floor for value in pages.values()), default=0.0) if floor else 0.0
    print(
        f"Goals: 0 errors ({errors}), 0 lost ({lost}), 0 duplicates ({duplicates}), p95 ratio ≤ 3 ({ratio:.2f}); "
        "the ratio counts page reads, not forms or API calls sent"
    )
    print(
        f"RESULT users={args.users} minutes={args.minutes:g} requests={requests_made} errors={errors} "
        f"p95_ms_max={p95_max:.0f} p95_ratio_max={ratio:.2f} notifications_expected={len(expected)} "
        f"sent={len(accepted)} lost={lost} duplicates={duplicates}"
    )


if __name__ == "__main__":
    main()
