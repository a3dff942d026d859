#!/usr/bin/env python
"""Fault test: `make fault-test` (RECIPIENTS=5000; SCENARIOS= a comma-separated subset).

Starts everything on loopback, all its own: a PostgreSQL server (initdb in a temporary folder, on a free port) and
a Redis server it can stop and start, the project's local Notify server, and the production process set through
its entry points (scripts/process.sh): two web processes (gunicorn, two workers each), two RQ workers, two
schedulers (one active, one standby), with a supervisor that restarts a worker or scheduler that exits, as
compose would (never a web process). In each scenario CSOC publishes an alert to RECIPIENTS people over HTTP;
mid-fan-out the fault is injected while responders record their organisations' responses through the web
processes and a probe opens /readyz and a public page on each web process twice a second:

  worker_kill         SIGKILL a task worker (and its work horse) holding claims; a new one starts
  web_worker_kill     SIGKILL a gunicorn worker of a web process (gunicorn starts another)
  postgres_restart    PostgreSQL stopped for DOWN_SECONDS, then started
  redis_restart       Redis stopped for DOWN_SECONDS, then started
  notify_outage       Notify answers 503 for OUTAGE_SECONDS (60), then 429 for 20 s, then recovers
  notify_timeouts     Notify accepts one send in five and never answers it, for 30 s
  scheduler_failover  SIGKILL the scheduler holding the lock; the standby takes over

Then it checks: every message sent exactly once (lost, duplicates, from what Notify received against the
outbox), every response the web said it saved is in the database once and whole, pages answered or gave the
clean 503 page (errors: anything else; dropped: no answer, from a killed process), and recovered_s: from the
fault's end until every web process's /readyz is 200 again and Notify receives this alert's messages again. It is
bounded: each scenario gives up after --drain-minutes. One line per scenario,
RESULT scenario=… expected=… sent=… lost=… late=… duplicates=… recovered_s=… responses_saved=… responses_lost=…
half_written=… errors=… dropped=…
(lost: given up on, or marked sent and never received; late: still waiting when the scenario's time ran out) and a
last line with the totals. Exits non-zero when a goal is missed (0 lost, late or duplicated, 0 responses lost or
half-written, 0 errors, every scenario recovered).
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

LEASE_SECONDS = 20  # shorter than production's 30 s, so that a run takes minutes

SCENARIOS = [
    "worker_kill",
    "web_worker_kill",
    "postgres_restart",
    "redis_restart",
    "notify_outage",
    "notify_timeouts",
    "scheduler_failover",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=int(os.environ.get("RECIPIENTS") or 5000))
    parser.add_argument("--scenarios", default=os.environ.get("SCENARIOS") or ",".join(SCENARIOS))
    parser.add_argument("--down-seconds", type=float, default=float(os.environ.get("DOWN_SECONDS") or 10))
    parser.add_argument("--outage-seconds", type=float, default=float(os.environ.get("OUTAGE_SECONDS") or 60))
    parser.add_argument("--rate-limited-seconds", type=float, default=20)
    parser.add_argument("--timeouts-seconds", type=float, default=30)
    parser.add_argument("--responders", type=int, default=4, help="people responding during each scenario")
    parser.add_argument("--lease-seconds", type=float, default=LEASE_SECONDS, help="NOTIFY_LEASE_SECONDS")
    parser.add_argument("--drain-minutes", type=float, default=10, help="longest a scenario may take")
    args = parser.parse_args()
    unknown = set(args.scenarios.split(",")) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))} (known: {', '.join(SCENARIOS)})")
    return args


def set_up_django(database_url: str) -> None:
    os.environ.update(DATABASE_URL=database_url, APP_ENV="development", DEBUG="0", LOG_LEVEL="WARNING")
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()


def build_world(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from faulttest.world import Supervisor, World, notify_timeout_seconds, process_env, start_processes

    from tests.support.notify_server import NotifyServer
    from tests.support.processes import ProcessSet
    from tests.support.servers import PostgresServer, RedisServer

    work = Path(tempfile.mkdtemp(prefix="respond-fault-"))
    postgres = PostgresServer().start()
    redis = RedisServer().start()
    # Notify's "no answer" outlasts the workers' request timeout.
    notify = NotifyServer(timeout_seconds=notify_timeout_seconds(args.lease_seconds) + 3).start()
    database_url = postgres.create_database("respond_fault")
    env = process_env(database_url, redis, notify, lease=args.lease_seconds)
    print(f"PostgreSQL on port {postgres.port}, Redis on port {redis.port}, Notify at {notify.url}; logs in {work}")
    migrate = ProcessSet(env, work / "logs").start("migrate")
    assert migrate.popen is not None
    if migrate.popen.wait(timeout=600) != 0:
        raise SystemExit(f"Migrations failed:\n{migrate.output()[-3000:]}")
    set_up_django(database_url)
    from loadtest.dataset import build_people

    build_people(args.recipients)
    print(f"{args.recipients} people in {(args.recipients + 99) // 100} organisations", flush=True)
    processes, webs, workers, schedulers = start_processes(env, work / "logs")
    supervisor = Supervisor([*workers, *schedulers]).start()
    print(f"Process set up: webs {[web.url for web in webs]}, 2 RQ workers, 2 schedulers (1 standby)", flush=True)
    return World(work, postgres, redis, notify, database_url, processes, webs, workers, schedulers, supervisor)


def main() -> None:
    args = parse_args()
    started = time.monotonic()
    world = build_world(args)
    from faulttest.scenario import Outcome, run_scenario, totals_line

    outcomes: list[Outcome] = []
    try:
        web_pids = [web.pid for web in world.webs]
        options = {
            "down_seconds": args.down_seconds,
            "outage_seconds": args.outage_seconds,
            "rate_limited_seconds": args.rate_limited_seconds,
            "timeouts_seconds": args.timeouts_seconds,
        }
        for name in args.scenarios.split(","):
            outcome = run_scenario(world, name, dict(options), responders=args.responders, drain=args.drain_minutes)
            outcomes.append(outcome)
            print(outcome.result_line(), flush=True)
        web_restarts = sum(
            1 for web, pid in zip(world.webs, web_pids, strict=True) if not web.alive() or web.pid != pid
        )
        crashed = list(world.supervisor.crashed)
    finally:
        world.stop()
    if crashed:
        print(f"Processes that exited by themselves (restarted by the supervisor): {', '.join(crashed)}")
    line, met = totals_line(
        outcomes, web_restarts=web_restarts, crashed=len(crashed), seconds=time.monotonic() - started
    )
    print(line)
    if not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
