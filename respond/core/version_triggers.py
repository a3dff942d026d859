"""Database triggers that raise data versions (respond.core.versions) whenever rows of a table change: a
migration operation, RaiseVersions, that adds them (one migration per table), on SQLite and on PostgreSQL.

A trigger names the versions a changed row raises: fixed ones ("alerts"), or one per value of a column
("responses-of-alert:" followed by the row's alert_id). On an update, both the row before and after raise theirs.
PostgreSQL runs one trigger per statement, reading the statement's changed rows (its transition tables), so a bulk
write of many rows raises each version once, in name order (two writers never deadlock on versions they share).
SQLite has only triggers for each row: each row raises its versions once (writes to SQLite are serial anyway).
"""

import re
from collections.abc import Sequence
from typing import Any

from django.db import migrations
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

VERSIONS_TABLE = "core_dataversion"
TRIGGER_PREFIX = "respond_versions_"
OPERATIONS = ("insert", "update", "delete")
# Each row a statement of the operation changed, as the trigger sees it: (SQLite, PostgreSQL).
ROWS = {
    "insert": (("NEW",), ("new_rows",)),
    "update": (("OLD", "NEW"), ("old_rows", "new_rows")),
    "delete": (("OLD",), ("old_rows",)),
}
SAFE_TEXT = re.compile(r"^[a-z0-9_:-]+$")

# A version a row raises: (the name, or the start of it, and the column whose value ends it, if any).
Version = tuple[str, str | None]


def _name_sql(version: Version, row: str) -> str:
    prefix, column = version
    return f"'{prefix}' || {row}.{column}" if column else f"'{prefix}'"


def _sqlite(table: str, versions: Sequence[Version], quote: Any) -> list[str]:
    statements = []
    for operation in OPERATIONS:
        rows = ROWS[operation][0]
        names = {_name_sql(version, row) for version in versions for row in rows}
        values = ", ".join(f"({name}, 1)" for name in sorted(names))
        statements.append(
            f"CREATE TRIGGER {TRIGGER_PREFIX}{table}_{operation} AFTER {operation.upper()} ON {quote(table)} "  # noqa: S608 - plain names (SAFE_TEXT)
            f"FOR EACH ROW BEGIN INSERT INTO {quote(VERSIONS_TABLE)} (name, number) VALUES {values} "
            "ON CONFLICT (name) DO UPDATE SET number = number + 1; END"
        )
    return statements


def _postgresql(table: str, versions: Sequence[Version], quote: Any) -> list[str]:
    function = f"{TRIGGER_PREFIX}{table}"
    branches = []
    for operation in OPERATIONS:
        changed = " UNION ".join(
            f"SELECT {_name_sql(version, 'r')} AS name FROM {rows} r"  # noqa: S608 - plain names (SAFE_TEXT)
            for version in versions
            for rows in ROWS[operation][1]
        )
        branches.append(
            f"IF TG_OP = '{operation.upper()}' THEN "  # noqa: S608 - plain names (SAFE_TEXT)
            f"INSERT INTO {quote(VERSIONS_TABLE)} AS version (name, number) "
            f"SELECT DISTINCT name, 1 FROM ({changed}) AS changed ORDER BY name "
            "ON CONFLICT (name) DO UPDATE SET number = version.number + 1; END IF;"
        )
    statements = [
        f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        + " ".join(branches)
        + " RETURN NULL; END $$"
    ]
    referencing = {
        "insert": "NEW TABLE AS new_rows",
        "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "delete": "OLD TABLE AS old_rows",
    }
    for operation in OPERATIONS:
        statements.append(
            f"CREATE TRIGGER {TRIGGER_PREFIX}{table}_{operation} AFTER {operation.upper()} ON {quote(table)} "
            f"REFERENCING {referencing[operation]} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    return statements


def create_statements(connection: BaseDatabaseWrapper, table: str, versions: Sequence[Version]) -> list[str]:
    for text in [table, *(part for version in versions for part in version if part)]:
        if not SAFE_TEXT.match(text):
            raise ValueError(f"Not a plain name: {text!r}")
    if connection.vendor == "postgresql":
        return _postgresql(table, versions, connection.ops.quote_name)
    if connection.vendor == "sqlite":
        return _sqlite(table, versions, connection.ops.quote_name)
    raise NotImplementedError(f"No version triggers for {connection.vendor}")


def drop_statements(connection: BaseDatabaseWrapper, table: str) -> list[str]:
    if connection.vendor == "postgresql":
        return [f"DROP FUNCTION IF EXISTS {TRIGGER_PREFIX}{table}() CASCADE"]  # and its triggers
    return [f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}{table}_{operation}" for operation in OPERATIONS]


def tables_raising_versions(connection: BaseDatabaseWrapper) -> set[str]:
    """The tables with version triggers for every operation."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE %s",
                [TRIGGER_PREFIX + "%"],
            )
        else:
            cursor.execute(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [TRIGGER_PREFIX + "%"],
            )
        found = cursor.fetchall()
    by_table: dict[str, set[str]] = {}
    for table, trigger in found:
        by_table.setdefault(table, set()).add(trigger)
    expected = {table: {f"{TRIGGER_PREFIX}{table}_{operation}" for operation in OPERATIONS} for table in by_table}
    return {table for table, triggers in by_table.items() if triggers == expected[table]}


class RaiseVersions(migrations.operations.base.Operation):
    """Adds the triggers that raise `versions` whenever a row of `table` is inserted, updated or deleted."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, table: str, versions: Sequence[Version]) -> None:
        self.table = table
        self.versions = [tuple(version) for version in versions]

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__name__, [], {"table": self.table, "versions": self.versions}

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # no change to the models

    def database_forwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: Any, to_state: Any
    ) -> None:
        for statement in create_statements(schema_editor.connection, self.table, self.versions):  # type: ignore[arg-type]
            schema_editor.execute(statement, params=None)

    def database_backwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: Any, to_state: Any
    ) -> None:
        for statement in drop_statements(schema_editor.connection, self.table):
            schema_editor.execute(statement, params=None)

    def describe(self) -> str:
        return f"Raise data versions on every write to {self.table}"
