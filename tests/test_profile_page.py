"""The page profiler (scripts/profile_page.py): its arguments and the pages it knows. What it prints is read off
the benchmark's data (`make bench-reports`), which the suite does not generate."""

import pytest

from tests.support.scripts import load_script

profiler = load_script("profile_page")


def test_arguments_are_checked():
    args = profiler.parse_args(["home"])
    assert (args.page, args.requests, args.again, args.queries, args.profile) == ("home", 40, False, False, False)
    assert profiler.parse_args(["alert", "--profile", "--top", "10"]).top == 10
    for wrong in (["nowhere"], ["home", "--requests", "4"], ["home", "--queries", "--profile"], []):
        with pytest.raises(SystemExit):
            profiler.parse_args(wrong)


@pytest.mark.parametrize(
    ("page", "email", "url"),
    [
        ("home", "lead@bench.invalid", "/"),
        ("static", "auditor@bench.invalid", "/accessibility-statement/"),
        ("index", "auditor@bench.invalid", "/reports/"),
        ("over-time", "auditor@bench.invalid", "/reports/over-time/"),
    ],
)
def test_pages_without_a_case_are_the_benchmarks(page, email, url):
    assert profiler.page_url(page) == (email, url)


def test_it_refuses_a_database_the_benchmark_did_not_generate(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/respond_bench_none")
    monkeypatch.setattr(profiler, "database_comment", lambda url: None)
    with pytest.raises(SystemExit, match="make bench-reports"):
        profiler.main(["home"])
