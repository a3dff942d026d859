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
reports index and over-time pages, as viewed again (what they cache, from the cache), afresh (the cache emptied
before each request: the first view after a change) and under writes (while a thread records about 20 responses a
second through the services: the incident case); counts each page's SQL queries, afresh and again, on a small
and a large case (a 150-organisation alert against the national one, and so on) to show whether the count grows
with the data; and streams the CSV and XLSX exports of all response history in a child process, for rows/s and
the child's peak RSS; and checks that the summaries the writes kept (respond.responses.summaries) are what
rebuild_summaries works out from the responses. Pages or exports that do not exist yet are reported as "not
measured". Each ratio is a p95 over the p95 of the baseline requests made alongside. The last line is:

RESULT orgs=<n> alerts=<n> history_rows=<n> page_p95_ratio_max=<x> afresh_p95_ratio_max=<x>
under_writes_p95_ratio_max=<x> writes_per_s=<x> summaries_agree=<yes|no> queries_grow=<yes|no>
export_rows_per_s=<n> export_peak_rss_mb=<n>

PostgreSQL only: the generator relies on COPY, and figures from the embedded SQLite database would say nothing
about production. --reuse keeps a database generated earlier at the same scale.
"""

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the benchmark's parts, beside it

from benchreports import GOAL_RATIO, SEED
from benchreports.database import bench_database_url, database_comment, recreate_database, set_up_django
from benchreports.exports import ExportResult, export_child, measure_export
from benchreports.history import Generated, HistoryMaker, generate
from benchreports.pages import PageResult, choose_cases, measure_pages

__all__ = ["HistoryMaker", "bench_database_url"]  # what tests/test_bench_reports.py checks


# Output ------------------------------------------------------------------------------------------------------------


def print_report(
    generated: Generated, baseline: PageResult, pages: list[PageResult], exports: list[ExportResult]
) -> None:
    print()
    print(f"Data: {generated.orgs} organisations ({generated.real_orgs} real), {generated.alerts} alerts, ", end="")
    print(f"{generated.responses} responses, {generated.history_rows} history entries")
    print()
    header = f"{'page':38} {'p50 ms':>8} {'p95 ms':>8} {'base p95':>8} {'x base':>7} {'afresh p50/p95':>15}"
    header += f" {'x base':>6} {'writes p50/p95':>15} {'x base':>6} {'queries small -> big':>21}  cases (small / big)"
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
        afresh += f" {page.afresh_ratio:6.2f}" if page.afresh_ratio else f" {'':6}"
        writes = (
            f"{page.under_writes_p50_ms:7.1f}/{page.under_writes_p95_ms:<7.1f}" if page.writes_per_s else f"{'':15}"
        )
        writes += f" {page.under_writes_ratio:6.2f}" if page.writes_per_s else f" {'':6}"
        times = f"{page.p50_ms:8.1f} {page.p95_ms:8.1f} {base:8.1f} {page.ratio:6.2f}{over:1} {afresh} {writes}"
        print(f"{page.label:38} {times} {queries:>21}{flag}  {cases}")
    print(
        "p50 and p95 as pages are viewed again (report figures and rendered parts come from the cache until the data "
        "they show changes);\nafresh: the cache emptied before each request, as for the first view after a change; "
        "writes: while a thread records about 20 responses a second.\nQueries afresh (again, in brackets, where "
        "different)."
    )
    rates = [page.writes_per_s for page in pages if page.writes_per_s]
    if rates:
        print(f"Writes made while timing under writes: {min(rates):.1f} to {max(rates):.1f} a second.")
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


def result_line(
    generated: Generated, pages: list[PageResult], exports: list[ExportResult], summaries_agree: bool
) -> str:
    measured = [p for p in pages if p.measured and p.counts_in_result]

    def most(values: list[float]) -> str:
        return f"{max(values):.2f}" if values else "n/a"

    grow = "yes" if any(p.queries_grow for p in measured) else "no"
    done = [e for e in exports if e.measured]
    if done and len(done) == len(exports):
        rate = f"{min(e.rows_per_s for e in done):.0f}"
        rss = f"{max(e.peak_rss_mb for e in done):.0f}"
    else:
        rate = rss = "n/a"
    writes = [p.writes_per_s for p in measured if p.writes_per_s]
    return (
        f"RESULT orgs={generated.orgs} alerts={generated.alerts} history_rows={generated.history_rows} "
        f"page_p95_ratio_max={most([p.ratio for p in measured])} "
        f"afresh_p95_ratio_max={most([p.afresh_ratio for p in measured])} "
        f"under_writes_p95_ratio_max={most([p.under_writes_ratio for p in measured])} "
        f"writes_per_s={min(writes) if writes else 0:.1f} summaries_agree={'yes' if summaries_agree else 'no'} "
        f"queries_grow={grow} export_rows_per_s={rate} export_peak_rss_mb={rss}"
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
    parser.add_argument(
        "--pages", help="time only these pages: comma-separated words of their URL names or labels (over_time,index)"
    )
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
    marker = f"bench_reports scale={args.scale:g} seed={SEED} summaries"
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
    only = [word.strip() for word in args.pages.split(",") if word.strip()] if args.pages else None
    baseline, pages = measure_pages(users, cases, args.requests, only)
    exports = []
    if not args.no_exports:
        print("Measuring exports...", flush=True)
        today = timezone.localdate()
        exports = [measure_export(fmt, database_url, cases.first_entry_on, today) for fmt in ("csv", "xlsx")]
    from respond.responses import summaries

    differences = summaries.differences()  # after every write the benchmark made
    print(f"Summaries kept by the writes against rebuild_summaries: {len(differences)} rows differ.")
    for difference in differences[:10]:
        print(f"  {difference}")
    print_report(generated, baseline, pages, exports)
    print(result_line(generated, pages, exports, summaries_agree=not differences))


if __name__ == "__main__":
    main()
