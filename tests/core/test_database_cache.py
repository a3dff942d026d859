"""The database cache's set() in one statement (respond.core.cache): what Django's own set() does, in one query.

The backend is made here on a table of its own, so that these run in the PostgreSQL + Redis suite too, where the
configured cache is Redis."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from respond.core import cache as database_cache

TABLE = "cache_under_test"


@pytest.fixture
def backend(db):
    call_command("createcachetable", TABLE, verbosity=0)
    return database_cache.DatabaseCache(TABLE, {"OPTIONS": {"MAX_ENTRIES": 6, "CULL_FREQUENCY": 3}})


def test_set_stores_and_replaces_a_value_in_one_query(backend):
    with CaptureQueriesContext(connection) as context:
        backend.set("report", {"figures": [1, 2]}, 60)
    assert len(context.captured_queries) == 1
    assert backend.get("report") == {"figures": [1, 2]}
    backend.set("report", "again", 60)
    assert backend.get("report") == "again"


def test_a_value_expires_and_none_means_never(backend):
    backend.set("gone", "x", -1)
    backend.set("kept", "y", None)
    assert backend.get("gone") is None
    assert backend.get("kept") == "y"


def test_add_still_keeps_a_live_value(backend):
    backend.set("code", "used", 60)
    assert backend.add("code", "again", 60) is False
    assert backend.get("code") == "used"


def test_the_table_is_culled_past_its_limit(backend, monkeypatch):
    monkeypatch.setattr(database_cache, "CULL_CHECK_EVERY", 1)
    for number in range(20):
        backend.set(f"key-{number:02d}", number, 60)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        assert cursor.fetchone()[0] <= 7
    assert backend.get("key-19") == 19


def test_the_cache_table_is_unlogged_on_postgresql(backend):
    """createcachetable (respond.core's, over Django's) leaves the table unlogged: no write-ahead log to wait for."""
    backend.set("report", "figures", 60)
    if connection.vendor != "postgresql":
        assert backend.get("report") == "figures"  # SQLite has no unlogged tables: a plain table, as Django makes
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        assert cursor.fetchone() == ("u",)
        cursor.execute(f"ALTER TABLE {TABLE} SET LOGGED")  # as a table made before this command was
    call_command("createcachetable", TABLE, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        assert cursor.fetchone() == ("u",)
    assert backend.get("report") == "figures"
