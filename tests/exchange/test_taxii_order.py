"""A collection's pages are ordered by sort_key in SQL and continued from a `next` key compared in Python, so the
database must order sort keys as Python does (by code point), whatever the database's own collation."""

import pytest
from django.db import connection
from django.utils import timezone

from respond.exchange.models import KeptStixObject
from tests.responses.conftest import make_alert

pytestmark = pytest.mark.django_db

# Ordered differently by a language's collation (punctuation before digits, digits before letters) and by code point.
KEYS = ["2026-12-07T10:00:00.000Z|1", "2026-12-07T10:00:00.000Z1", "2026-12-07T10:00:00.000Za", "2026-12-07T10:00:00"]


def keep(keys: list[str]) -> None:
    alert = make_alert(organisations=[])
    KeptStixObject.objects.bulk_create(
        KeptStixObject(
            alert=alert,
            object_id=f"indicator--{number}",
            object_type="indicator",
            date_added="2026-12-07T10:00:00.000Z",
            added_at=timezone.now(),
            version="1",
            sort_key=key,
            stix_object={},
        )
        for number, key in enumerate(keys)
    )


def test_the_database_orders_sort_keys_by_code_point_as_python_does():
    keep(KEYS)
    ordered = list(KeptStixObject.objects.order_by("sort_key").values_list("sort_key", flat=True))
    assert ordered == sorted(KEYS)
    after = sorted(KEYS)[1]
    assert list(
        KeptStixObject.objects.filter(sort_key__gt=after).order_by("sort_key").values_list("sort_key", flat=True)
    ) == [key for key in sorted(KEYS) if key > after]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite compares text by code point (BINARY) always")
def test_on_postgresql_the_column_orders_by_byte_whatever_the_database_collation():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'exchange_keptstixobject' AND column_name = 'sort_key'"
        )
        assert cursor.fetchone() == ("C",)
        # The keys above are ones a language's collation orders otherwise, so the test would catch the difference.
        keep(KEYS)
        cursor.execute('SELECT sort_key FROM exchange_keptstixobject ORDER BY sort_key COLLATE "und-x-icu"')
        assert [row[0] for row in cursor.fetchall()] != sorted(KEYS)
