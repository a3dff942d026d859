"""The database cache (the cache without Redis), with a set() in one statement.

Django's DatabaseCache.set counts the whole table, then reads the key and updates or inserts it in a transaction
of its own: five round trips to the database for every value stored. A report worked out afresh stores its
rendered content, so each first view after a change paid them. Here set() is one upsert, and the table is
counted (and culled past MAX_ENTRIES, as Django does) every CULL_CHECK_EVERY sets rather than every one, so it
may hold that many entries a process more than MAX_ENTRIES for a while. add(), touch() and the rest are Django's.
"""

import base64
import pickle
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router
from django.utils.timezone import now as tz_now

CULL_CHECK_EVERY = 100


class DatabaseCache(DjangoDatabaseCache):
    def __init__(self, table: str, params: dict[str, Any]) -> None:
        super().__init__(table, params)
        self._sets_since_cull_check = 0

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)  # type: ignore[attr-defined]
        if timeout is None:
            expires = datetime.max
        else:
            expires = datetime.fromtimestamp(timeout, tz=UTC if settings.USE_TZ else None)
        expires = expires.replace(microsecond=0)
        # A string column: the value pickled, then base64 (as Django's own set() stores it).
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        with connection.cursor() as cursor:
            self._sets_since_cull_check += 1
            if self._sets_since_cull_check >= CULL_CHECK_EVERY:
                self._sets_since_cull_check = 0
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - the table's name is configured
                count = cursor.fetchone()[0]
                if count > self._max_entries:
                    self._cull(db, cursor, tz_now().replace(microsecond=0), count)  # type: ignore[attr-defined]
            # PostgreSQL and SQLite (3.24 and later) alike.
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "  # noqa: S608 - as above
                "ON CONFLICT (cache_key) DO UPDATE SET value = EXCLUDED.value, expires = EXCLUDED.expires",
                [key, encoded, connection.ops.adapt_datetimefield_value(expires)],
            )
