#!/usr/bin/env python
"""Where one page's time goes, on the reports benchmark's data: `make profile-page PAGE=home`.

Run `make bench-reports` once first: this reads the database it generated (respond_bench, or the respond_bench*
that DATABASE_URL names) and never changes its data. Signed in as the benchmark does, with Django's test client:

  timing (the default)  p50/p95 of --requests requests, each followed by one of the bare baseline view, as the
                        benchmark times them: afresh (the cache emptied before each request) or, with --again, as
                        the cache gives the page again;
  --queries             each statement of one request afresh, with the milliseconds it spent in the database
                        driver (the rest of a request's time is Python's);
  --profile             cProfile over --requests requests afresh: the --top functions by cumulative time.

This machine's speed can vary by a factor of two within minutes: compare ratios to the baseline, and alternate
runs of the code before and after a change rather than trusting one run of each.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the benchmark's parts, beside it

from benchreports import LEAD_ORGANISATIONS
from benchreports.database import bench_database_url, database_comment, set_up_django
from benchreports.pages import Timer, check, choose_cases, percentile, signed_in_client

PAGES = {
    "alert": "the per-alert report of the alert sent to most organisations",
    "organisation": "the per-organisation report of the organisation with most alerts",
    "home": f"Your alerts for the user of {LEAD_ORGANISATIONS} organisations",
    "index": "Reports: all alerts, first page",
    "over-time": "Reports: over time, all regions",
    "static": "a page in the layout with no data (the accessibility statement)",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "page", choices=sorted(PAGES), help="; ".join(f"{name}: {what}" for name, what in PAGES.items())
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=40,
        help="requests profiled, or timed as the benchmark times them (afresh: half as many), after 3 to warm up",
    )
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--again", action="store_true", help="time the page as the cache gives it again")
    shown.add_argument("--queries", action="store_true", help="list one request's statements and their times")
    shown.add_argument("--profile", action="store_true", help="profile the requests with cProfile")
    parser.add_argument("--top", type=int, default=40, help="functions --profile lists")
    args = parser.parse_args(argv)
    if args.requests < 5:
        parser.error("--requests must be 5 or more")
    return args


def page_url(page: str) -> tuple[str, str]:
    """Who views the page (the benchmark's user's email) and its URL, for the benchmark's big cases."""
    from django.urls import reverse

    if page == "home":
        return "lead@bench.invalid", reverse("home")
    if page == "static":
        return "auditor@bench.invalid", reverse("accessibility")
    if page in ("index", "over-time"):
        return "auditor@bench.invalid", reverse(f"reports:{page.replace('-', '_')}")
    cases = choose_cases()
    if page == "alert":
        return "auditor@bench.invalid", reverse("reports:alert", args=[cases.big_alert])
    return "auditor@bench.invalid", reverse("reports:organisation", args=[cases.busy_org])


def afresh_get(client, url: str) -> None:  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    cache.clear()
    check(client.get(url), url)


def print_timing(timer: Timer, client, url: str, args: argparse.Namespace) -> None:  # type: ignore[no-untyped-def]
    from benchreports.pages import PageResult

    result = PageResult(args.page, url)
    if args.again:
        timer.time(client, url, result)
        p50, p95, ratio = result.p50_ms, result.p95_ms, result.ratio
    else:
        for _ in range(3):
            afresh_get(client, url)
        timer.time_afresh(client, url, result)
        p50, p95, ratio = result.afresh_p50_ms, result.afresh_p95_ms, result.afresh_ratio
    base = timer.baseline_samples
    print(f"{url} {'again' if args.again else 'afresh'}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"baseline alongside: p50 {statistics.median(base):.1f} ms, p95 {percentile(base, 0.95):.1f} ms")
    print(f"RESULT page={args.page} p50_ms={p50:.1f} p95_ms={p95:.1f} p95_ratio={ratio:.2f}")


def print_queries(client, url: str) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    spent: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(((time.perf_counter() - started) * 1000, " ".join(sql.split())))

    from django.core.cache import cache

    afresh_get(client, url)
    cache.clear()
    started = time.perf_counter()
    with connection.execute_wrapper(timed):
        check(client.get(url), url)
    total = (time.perf_counter() - started) * 1000
    for ms, sql in spent:
        print(f"{ms:7.2f} ms  {sql[:200]}")
    in_driver = sum(ms for ms, _ in spent)
    print(f"{len(spent)} statements, {in_driver:.1f} ms in the driver, of {total:.1f} ms for the request")


def print_profile(client, url: str, args: argparse.Namespace) -> None:  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    for _ in range(3):
        afresh_get(client, url)
    profile = cProfile.Profile()
    for _ in range(args.requests):
        cache.clear()
        profile.enable()
        response = client.get(url)
        profile.disable()
        check(response, url)
    print(f"{args.requests} requests of {url} afresh (the cache is emptied outside the profile):")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    database_url = bench_database_url(os.environ.get("DATABASE_URL", ""))
    if not (database_comment(database_url) or "").startswith("bench_reports"):
        raise SystemExit(f"No benchmark data in {database_url}: run `make bench-reports` first.")
    set_up_django(database_url)
    from respond.accounts.models import User

    email, url = page_url(args.page)
    client = signed_in_client(User.objects.get(email=email).pk)
    if args.queries:
        print_queries(client, url)
    elif args.profile:
        print_profile(client, url, args)
    else:
        baseline_client = signed_in_client(User.objects.get(email="auditor@bench.invalid").pk)
        print_timing(Timer(baseline_client, args.requests), client, url, args)


if __name__ == "__main__":
    main()
