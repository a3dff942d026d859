"""Driving forms with generated input through the views (the test client: real requests, the real database).

Each example runs in `example()`: a savepoint of the test's transaction, rolled back when the example ends, with
the cache emptied first (the data versions that key cached pages roll back with the data; the cache may be Redis).
"""

import html
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client

from tests.fuzz import ledger
from tests.fuzz.strategies import single_spaced

ERROR_SUMMARY = "nhsuk-error-summary"
# Text no database can store (a NUL) is refused before any view, as the 400 page (respond.core.middleware).
BAD_REQUEST_HEADING = "Sorry, there is a problem with your request"


@contextmanager
def example() -> Iterator[None]:
    with transaction.atomic():
        cache.clear()
        yield
        transaction.set_rollback(True)


def written_tables() -> dict[str, str]:
    """The tables a form could write (the project's apps' and allauth's e-mail addresses), by model label."""
    return {
        model._meta.db_table: model._meta.label
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config.name.startswith("respond.") or model._meta.label == "account.EmailAddress"
    }


def database_state(tables: Iterable[str] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables named (every table a form could write, audit log included, if none are named)."""
    labels = written_tables()
    state = {}
    with connection.cursor() as cursor:
        for table in labels if tables is None else tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            state[labels[table]] = cursor.fetchall()
    return state


def changed_tables(before: Mapping[str, list[Any]], after: Mapping[str, list[Any]]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)', re.IGNORECASE)
# Anything else that may write (a WITH … INSERT, a TRUNCATE) counts as a write to every table.
MAY_WRITE = re.compile(
    r"\s*(?:WITH\b.*\b(?:INSERT|UPDATE|DELETE)|INSERT|UPDATE|DELETE|REPLACE|MERGE|COPY|TRUNCATE|ALTER|DROP|CREATE)\b",
    re.IGNORECASE | re.DOTALL,
)


class Writes:
    """What a piece of code wrote, found cheaply: the statements it sends are watched for writes, and only when
    one wrote to a table of `written_tables` are those tables read, after and then before (the savepoint taken at
    the start rolled back). Reading every table around every example made each one cost more than its request."""

    def __init__(self) -> None:
        self.tables: set[str] = set()
        self.savepoint = transaction.savepoint_create()

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if MAY_WRITE.match(sql):
            match = WRITE.match(sql)
            self.tables.add(match.group(1) if match else "*")
        return execute(sql, params, many, context)

    def changed(self) -> list[str]:
        """The tables whose rows changed. Rolls back what was written: call it once, for a refusal."""
        known = written_tables()
        tables = list(known) if "*" in self.tables else sorted(self.tables & known.keys())
        if not tables:
            transaction.savepoint_rollback(self.savepoint)
            return []
        after = database_state(tables)
        transaction.savepoint_rollback(self.savepoint)
        return changed_tables(database_state(tables), after)


@contextmanager
def watching_writes() -> Iterator[Writes]:
    writes = Writes()
    with connection.execute_wrapper(writes):
        yield writes


def page_text(response: Any) -> str:
    """The page as a person reads it: tags dropped, entities decoded."""
    return html_text(response.content.decode())


def html_text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", " ", markup))


@dataclass
class Outcome:
    response: Any
    valid: bool

    @property
    def location(self) -> str:
        return str(self.response["Location"])


def submit(
    client: Client, url: str, data: Mapping[str, Any], *, method: str = "post", accepted: tuple[int, ...] = (302,)
) -> Outcome:
    """Sends the form. Never a server error; a rejected form shows the error summary (or the 400 page, for a NUL)
    and writes nothing.
    `accepted` are the statuses of a valid submission (a redirect, or 200 for a filter)."""
    try:
        with watching_writes() as writes:
            response = getattr(client, method)(url, data)
    except Exception:
        ledger.record(server_error=True)
        raise
    if response.status_code >= 500:
        ledger.record(server_error=True)
        raise AssertionError(f"{url}: server error {response.status_code}")
    content = response.content.decode() if not response.streaming else ""
    rejected = ERROR_SUMMARY in content or (response.status_code == 400 and BAD_REQUEST_HEADING in content)
    if rejected:
        changed = writes.changed()
        ledger.record(partial_write=bool(changed))
        assert not changed, f"{url}: a rejected form wrote to {changed}"
        assert response.status_code in (200, 400), response.status_code
        return Outcome(response, valid=False)
    ledger.record(valid=True)
    assert response.status_code in accepted, f"{url}: {response.status_code} without an error summary"
    return Outcome(response, valid=True)


def assert_shown(page: str, *values: str, where: str = "the page") -> None:
    """Each value is on the page (as `page_text` reads it) as the person typed it, white space aside: a page
    breaks and joins lines, and a browser shows any run of white space as one space."""
    shown = single_spaced(page)
    for value in values:
        assert single_spaced(value) in shown, f"{value!r} is not shown at {where}"


def shown_after(client: Client, outcome: Outcome, *values: str) -> None:
    """A valid submission round-trips: the page it leads to shows each value as the person typed it."""
    assert_shown(page_text(client.get(outcome.location)), *values, where=outcome.location)


class _HiddenFields(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.fields.append((str(found["name"]), found.get("value") or ""))


def hidden_fields(response: Any) -> dict[str, list[str]]:
    """The hidden fields of a page's forms, as a browser would send them back."""
    parser = _HiddenFields()
    parser.feed(response.content.decode())
    fields: dict[str, list[str]] = {}
    for name, value in parser.fields:
        fields.setdefault(name, []).append(value)
    return fields
