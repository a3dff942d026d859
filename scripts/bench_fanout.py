#!/usr/bin/env python
"""Fan-out benchmark: publish an alert to RECIPIENTS people and time its sending through a local Notify.

    make bench-fanout RECIPIENTS=10000

Builds a fresh database (SQLite in var/bench/, or PostgreSQL with --database-url) with that many registered
users across mandated organisations, starts the local Notify server from the tests (every request takes
--latency, 50 ms by default) and two worker processes (`manage.py db_worker`; `rqworker` with --redis-url),
then publishes an approved alert by POSTing the CSOC publish page as a signed-in CSOC user: respond.publication's
`alert_publish` writes the notifications through `notifications_for_alert`. It measures:

- publish_ms: the publish request, outbox rows included (goal under 300 ms);
- send_seconds: from publication until every message is sent;
- rate_fraction: sustained requests a minute to Notify, as a fraction of the configured limit (goal 0.95 of
  3,000 a minute); a first run with a much higher limit (--raw-limit) shows raw throughput;
- duplicates and lost: from the local Notify's record, against the outbox (both goals 0).

The last line is machine-readable:
RESULT recipients=<n> publish_ms=<ms> send_seconds=<s> rate_fraction=<0..1> duplicates=<n> lost=<n>

With --kill, one run only: a fifth of the way through, the first worker is killed (SIGKILL) while it holds claims,
and a replacement is started at once (as a process manager would). It measures how long the killed worker's
claimed messages took to go out after the kill (their lease must run out first: NOTIFY_LEASE_SECONDS, --lease),
and that every message still went exactly once:
RESULT scenario=kill recipients=<n> lease_seconds=<s> orphaned=<n> orphaned_out_seconds=<s> send_seconds=<s>
duplicates=<n> lost=<n>
"""

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
sys.path.insert(0, str(BASE_DIR))


@dataclass
class Result:
    recipients: int
    messages: int
    limit: int
    publish_ms: float
    send_seconds: float
    requests: int
    rate_per_minute: float
    duplicates: int
    lost: int
    rate_limited: int
    orphaned: int = 0
    orphaned_out_seconds: float = 0.0

    @property
    def rate_fraction(self) -> float:
        return self.rate_per_minute / self.limit


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=int(os.environ.get("RECIPIENTS") or 10000))
    parser.add_argument("--limit", type=int, default=3000, help="NOTIFY_RATE_LIMIT_PER_MINUTE for the main run")
    parser.add_argument("--raw-limit", type=int, default=600_000, help="a limit high enough to measure raw speed")
    parser.add_argument("--no-raw", action="store_true", help="skip the raw-throughput run")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds each Notify request takes")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=10, help="NOTIFY_SEND_CONCURRENCY: sends at once a worker")
    parser.add_argument("--redis-url", default="", help="use RQ and a Redis token bucket (a Redis database of its own)")
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL database instead of SQLite: its name must contain 'bench', as it is dropped and made afresh",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="give up after this many seconds a run")
    parser.add_argument("--kill", action="store_true", help="kill a worker holding claims mid-run (one run only)")
    parser.add_argument("--lease", type=float, default=30, help="NOTIFY_LEASE_SECONDS")
    return parser.parse_args()


def prepare_environment(args: argparse.Namespace) -> dict[str, str]:
    if BENCH_DIR.exists():
        shutil.rmtree(BENCH_DIR)
    BENCH_DIR.mkdir(parents=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("NOTIFY_") and key != "REDIS_URL"}
    env.update(
        APP_ENV="development",
        DEBUG="false",  # no query log growing in long-running processes
        DJANGO_SETTINGS_MODULE="tests.support.notify_settings",
        DATABASE_URL=fresh_postgres(args.database_url)
        if args.database_url
        else f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}",
        LOG_LEVEL="WARNING",
    )
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    os.environ.clear()
    os.environ.update(env)
    return env


def fresh_postgres(url: str) -> str:
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    if not url.startswith(("postgres://", "postgresql://")) or "bench" not in name:
        raise SystemExit("--database-url must be a PostgreSQL URL whose database name contains 'bench'")
    with psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url


def build_recipients(count: int) -> None:
    from respond.accounts.models import GlobalRole, Membership, Role, User
    from respond.organisations.models import Organisation, OrganisationType

    per_organisation = 100
    organisations = Organisation.objects.bulk_create(
        Organisation(
            ods_code=f"B{n:04d}",
            name=f"Benchmark Hospitals NHS Trust {n}",
            organisation_type=OrganisationType.NHS_TRUST,
            mandated=True,
        )
        for n in range((count + per_organisation - 1) // per_organisation)
    )
    users = User.objects.bulk_create(
        (User(email=f"person{n}@bench.nhs.uk", full_name=f"Person {n}", password="!") for n in range(count)),
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        (
            Membership(user=user, organisation=organisations[n // per_organisation], role=Role.RESPONDER)
            for n, user in enumerate(users)
        ),
        batch_size=2000,
    )
    for name in ("author", "approver"):
        User.objects.create(email=f"{name}@csoc.bench.nhs.uk", full_name=name, global_role=GlobalRole.CSOC)


def approved_alert(title: str):  # type: ignore[no-untyped-def]
    from respond.accounts.models import User
    from respond.alerts import services
    from respond.alerts.content import AlertContent
    from respond.core.audit import Auditor

    author = User.objects.get(email="author@csoc.bench.nhs.uk")
    approver = User.objects.get(email="approver@csoc.bench.nhs.uk")
    auditor = Auditor.system("fan-out benchmark")
    content = AlertContent(
        title=title,
        severity="high",
        tlp="clear",
        short_summary="A benchmark alert: every mandated organisation is told.",
        summary="Benchmark alert.",
    )
    alert = services.alert_create(content=content, created_by=author, auditor=auditor)
    services.alert_submit_for_approval(alert=alert, submitted_by=author, auditor=auditor)
    services.alert_approve(alert=alert, approved_by=approver, auditor=auditor)
    return alert


def start_workers(args: argparse.Namespace, env: dict[str, str], log: Path, count: int = 0) -> list[subprocess.Popen]:
    count = count or args.workers
    already = log.read_text(errors="replace") if log.exists() else ""
    if args.redis_url:
        command = ["rqworker", "scheduled", "default", "--job-class", "django_tasks_rq.Job", "--with-scheduler"]
        started = "Listening on"
    else:
        command = ["db_worker", "--queue-name", "scheduled,default", "--interval", "0.5", "--no-startup-delay"]
        command += ["--no-reload", "--verbosity", "1"]
        started = "Starting worker"
    workers = [
        subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, "manage.py", *command],
            cwd=BASE_DIR,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a group of its own: rqworker's forked scheduler and work horse die with it
        )
        for _ in range(count)
    ]
    deadline = time.monotonic() + 120
    while log.read_text(errors="replace").count(started) < already.count(started) + count:
        if time.monotonic() > deadline or any(worker.poll() is not None for worker in workers):
            raise SystemExit(f"Workers did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        signal_group(worker, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            signal_group(worker, signal.SIGKILL)


def signal_group(worker: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, sig)


def kill_a_worker_holding_claims(workers: list[subprocess.Popen], rows, total: int, notify) -> tuple[float, list]:  # type: ignore[no-untyped-def]
    """Once a fifth has gone, SIGKILLs the first worker while it holds claims: the worker itself, or (RQ) its work
    horse, which runs in a session of its own. Returns when, and the rows it had claimed."""
    from respond.notifications.models import Status
    from tests.support.processes import claimant_pid, parent_pid

    victim = workers[0]
    deadline = time.monotonic() + 600
    while True:
        if time.monotonic() > deadline:
            raise SystemExit("The first worker never held claims")
        if len(notify.records) >= total // 5:
            claims = rows.filter(status=Status.SENDING).values_list("claimed_by", flat=True)
            senders = {pid for pid in map(claimant_pid, set(claims)) if victim.pid in (pid, parent_pid(pid))}
            if senders:
                break
        time.sleep(0.05)
    for pid in senders:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    signal_group(victim, signal.SIGKILL)
    killed_at = time.time()
    victim.wait(timeout=30)
    time.sleep(0.5)  # a claim being written as it died is committed or not by now
    claims = rows.filter(status=Status.SENDING).values_list("pk", "claimed_by")
    orphaned = [pk for pk, claimed_by in claims if claimant_pid(claimed_by) in senders]
    print(f"[kill] killed worker {victim.pid} holding {len(orphaned)} claims", flush=True)
    return killed_at, orphaned


def csoc_client():  # type: ignore[no-untyped-def]
    """The alert's author, signed in with a second factor, as the publish page requires."""
    from django.test import Client

    from respond.accounts.models import User
    from tests.conftest import sign_in

    return sign_in(Client(), User.objects.get(email="author@csoc.bench.nhs.uk"))


def run(args: argparse.Namespace, env: dict[str, str], notify, client, *, limit: int, label: str) -> Result:  # type: ignore[no-untyped-def]
    from respond.notifications.models import Notification, Status

    alert = approved_alert(f"Fan-out benchmark: {label}")
    worker_env = {
        **env,
        **notify.client_environment,
        "NOTIFY_RATE_LIMIT_PER_MINUTE": str(limit),
        "NOTIFY_SEND_CONCURRENCY": str(args.concurrency),
        "NOTIFY_PARALLEL_TASKS": str(args.workers),
        "NOTIFY_LEASE_SECONDS": str(args.lease),
    }
    os.environ.update({key: value for key, value in worker_env.items() if key.startswith("NOTIFY_")})
    log = BENCH_DIR / f"workers-{label}.log"
    workers = start_workers(args, worker_env, log)
    orphaned: list = []
    killed_at = 0.0
    try:
        client.get(f"/csoc/alerts/{alert.pk}/")  # a warm server: imports and first-request work done
        requests_before = len(notify.requests)
        started = time.perf_counter()
        response = client.post(f"/csoc/alerts/{alert.pk}/publish/")
        publish_ms = (time.perf_counter() - started) * 1000
        published_at = time.time()
        alert.refresh_from_db()
        if response.status_code != 302 or alert.threat_id is None:
            raise SystemExit(f"Publishing failed: {response.status_code}\n{response.content.decode()[:2000]}")
        rows = Notification.objects.filter(alert=alert)
        messages = rows.count()
        print(f"[{label}] published {alert.threat_id} to {messages} addresses in {publish_ms:.0f} ms", flush=True)
        if args.kill:
            killed_at, orphaned = kill_a_worker_holding_claims(workers, rows, messages, notify)
            workers[0:1] = start_workers(args, worker_env, log, count=1)
        deadline = time.monotonic() + args.timeout
        while rows.filter(status__in=[Status.QUEUED, Status.SENDING]).exists():
            if time.monotonic() > deadline:
                raise SystemExit(f"[{label}] gave up: not everything was sent in {args.timeout:.0f} seconds")
            time.sleep(0.5)
        last_sent = max(rows.values_list("sent_at", flat=True))
        send_seconds = last_sent.timestamp() - published_at
        orphaned_out = rows.filter(pk__in=orphaned).values_list("sent_at", flat=True)
        orphaned_out_seconds = max(orphaned_out).timestamp() - killed_at if orphaned else 0.0
    finally:
        stop_workers(workers)

    seen = [request for request in notify.requests[requests_before:] if request.path.startswith("/v2/")]
    references = notify.references()
    expected = {str(pk) for pk in rows.values_list("pk", flat=True)}
    duplicates = sum(count - 1 for reference, count in references.items() if reference in expected and count > 1)
    lost = len(expected - set(references)) + rows.exclude(status=Status.SENT).count()
    return Result(
        recipients=args.recipients,
        messages=messages,
        limit=limit,
        publish_ms=publish_ms,
        send_seconds=send_seconds,
        requests=len(seen),
        rate_per_minute=sustained_rate(sorted(request.at for request in seen)),
        duplicates=duplicates,
        lost=lost,
        rate_limited=sum(1 for request in seen if request.status == 429),
        orphaned=len(orphaned),
        orphaned_out_seconds=orphaned_out_seconds,
    )


def sustained_rate(times: list[float]) -> float:
    """Requests a minute between the 10th and the 90th percentile request: the steady state, without the
    first second's burst from a full token bucket or the last stragglers."""
    if len(times) < 10:
        return 0.0
    first, last = len(times) // 10, len(times) * 9 // 10
    span = times[last] - times[first]
    return (last - first) / span * 60 if span else 0.0


def report(label: str, result: Result) -> None:
    print(
        f"[{label}] {result.messages} messages sent in {result.send_seconds:.1f} s; "
        f"{result.requests} requests to Notify at {result.rate_per_minute:,.0f} a minute "
        f"({result.rate_fraction:.3f} of the {result.limit:,}-a-minute limit); "
        f"{result.rate_limited} answered 429; duplicates {result.duplicates}, lost {result.lost}",
        flush=True,
    )


def main() -> None:
    args = parse_args()
    env = prepare_environment(args)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tests.support.notify_server import NotifyServer

    print(f"Building a database with {args.recipients} recipients in {BENCH_DIR}", flush=True)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    build_recipients(args.recipients)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as a database in use would have

    client = csoc_client()
    if args.kill:
        with NotifyServer(latency=args.latency) as notify:
            result = run(args, env, notify, client, limit=args.limit, label="kill")
        report("kill", result)
        print(
            f"The killed worker's {result.orphaned} claimed messages went out {result.orphaned_out_seconds:.1f} s "
            f"after the kill (lease {args.lease:g} s); everything in {result.send_seconds:.1f} s"
        )
        print(
            f"RESULT scenario=kill recipients={result.recipients} lease_seconds={args.lease:g} "
            f"orphaned={result.orphaned} orphaned_out_seconds={result.orphaned_out_seconds:.1f} "
            f"send_seconds={result.send_seconds:.1f} duplicates={result.duplicates} lost={result.lost}"
        )
        return
    with NotifyServer(latency=args.latency) as notify:
        if not args.no_raw:
            report("raw", run(args, env, notify, client, limit=args.raw_limit, label="raw"))
        result = run(args, env, notify, client, limit=args.limit, label="limited")
        report("limited", result)
    print(
        f"Goals: publish under 300 ms ({result.publish_ms:.0f}), at least 0.95 of the limit "
        f"({result.rate_fraction:.3f}), no duplicates ({result.duplicates}), none lost ({result.lost})"
    )
    print(
        f"RESULT recipients={result.recipients} publish_ms={result.publish_ms:.0f} "
        f"send_seconds={result.send_seconds:.1f} rate_fraction={result.rate_fraction:.3f} "
        f"duplicates={result.duplicates} lost={result.lost}"
    )


if __name__ == "__main__":
    main()
