"""The database cache's set() in one statement (respond.core.cache): what Django's own set() does, in one query."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from respond.core import cache as database_cache

pytestmark = pytest.mark.django_db


def test_set_stores_and_replaces_a_value_in_one_query():
    with CaptureQueriesContext(connection) as context:
        cache.set("report", {"figures": [1, 2]}, 60)
    assert len(context.captured_queries) == 1
    assert cache.get("report") == {"figures": [1, 2]}
    cache.set("report", "again", 60)
    assert cache.get("report") == "again"


def test_a_value_expires_and_none_means_never():
    cache.set("gone", "x", -1)
    cache.set("kept", "y", None)
    assert cache.get("gone") is None
    assert cache.get("kept") == "y"


def test_add_still_keeps_a_live_value():
    cache.set("code", "used", 60)
    assert cache.add("code", "again", 60) is False
    assert cache.get("code") == "used"


def test_the_table_is_culled_past_its_limit(monkeypatch):
    monkeypatch.setattr(database_cache, "CULL_CHECK_EVERY", 1)
    monkeypatch.setattr(cache, "_max_entries", 6)
    monkeypatch.setattr(cache, "_cull_frequency", 3)
    for number in range(20):
        cache.set(f"key-{number:02d}", number, 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM cache")
        assert cursor.fetchone()[0] <= 7
    assert cache.get("key-19") == 19
