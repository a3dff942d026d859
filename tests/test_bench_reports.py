"""The reports benchmark (scripts/bench_reports.py): its arguments, the database it will drop, and the response
histories it generates. Timings are not tested: `make bench-reports` measures them."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from respond.responses.models import EntryAction, ResponseStatus
from tests.support.scripts import load_script

bench = load_script("bench_reports")


def test_scale_and_requests_are_checked():
    assert bench.parse_args(["--scale", "0.1"]).scale == 0.1
    assert bench.parse_args([]).scale == 1.0
    for wrong in (["--scale", "0"], ["--scale", "100"], ["--requests", "2"]):
        with pytest.raises(SystemExit):
            bench.parse_args(wrong)


def test_it_only_ever_drops_a_respond_bench_database_on_postgresql():
    assert bench.bench_database_url("") == "postgres://postgres@127.0.0.1:5432/respond_bench"
    assert bench.bench_database_url("postgres://u@db:5432/respond") == "postgres://u@db:5432/respond_bench"
    assert bench.bench_database_url("postgresql://u@db/respond_bench_2") == "postgresql://u@db/respond_bench_2"
    with pytest.raises(SystemExit, match="needs PostgreSQL"):
        bench.bench_database_url("sqlite:///var/db.sqlite3")


def test_generated_histories_are_what_the_services_would_write():
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    maker = bench.HistoryMaker(random.Random(1), now, extra_mean=2.0)
    published = now - timedelta(days=200)
    statuses = set()
    for _ in range(500):
        entries = maker.history(
            first_at=maker.first_at(published), user=1, first_by=1, bulk_id=None, published_alert=True
        )
        statuses.update(entry.status for entry in entries)
        assert all(entry.at <= now for entry in entries)
        assert [entry.at for entry in entries] == sorted(entry.at for entry in entries)
        if entries:
            first = entries[0]
            assert first.action in (EntryAction.ACKNOWLEDGED, EntryAction.UPDATED)
            assert first.status != ResponseStatus.NOT_ACKNOWLEDGED
            assert all(entry.action != EntryAction.ACKNOWLEDGED for entry in entries[1:])
    assert statuses == {
        ResponseStatus.IN_PROGRESS,
        ResponseStatus.COMPLETE,
        ResponseStatus.NOT_APPLICABLE,
        ResponseStatus.UNABLE_TO_IMPLEMENT,
    }
