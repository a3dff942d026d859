"""Driving forms with generated input through the views (the test client: real requests, the real database).

Each example runs in `example()`: a savepoint of the test's transaction, rolled back when the example ends, with
the cache emptied first (the data versions that key cached pages roll back with the data; the cache may be Redis).
"""

import html
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from tests.fuzz import ledger

ERROR_SUMMARY = "nhsuk-error-summary"
# Text no database can store (a NUL) is refused before any view, as the 400 page (respond.core.middleware).
BAD_REQUEST_HEADING = "Sorry, there is a problem with your request"
# Apps whose rows a form can write: the project's, and allauth's e-mail addresses.
WRITTEN_APPS = {"core", "organisations", "accounts", "alerts", "notifications", "responses", "followup", "exports"}


@contextmanager
def example() -> Iterator[None]:
    with transaction.atomic():
        cache.clear()
        yield
        transaction.set_rollback(True)


def database_state() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table a form could write, audit log included."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label in WRITTEN_APPS or model._meta.label == "account.EmailAddress":
            state[model._meta.label] = list(model._base_manager.order_by("pk").values_list())
    return state


def changed_tables(before: Mapping[str, list[Any]], after: Mapping[str, list[Any]]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def page_text(response: Any) -> str:
    """The page as a person reads it: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", " ", response.content.decode()))


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
    before = database_state()
    try:
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
        changed = changed_tables(before, database_state())
        ledger.record(partial_write=bool(changed))
        assert not changed, f"{url}: a rejected form wrote to {changed}"
        assert response.status_code in (200, 400), response.status_code
        return Outcome(response, valid=False)
    ledger.record(valid=True)
    assert response.status_code in accepted, f"{url}: {response.status_code} without an error summary"
    return Outcome(response, valid=True)


def shown_after(client: Client, outcome: Outcome, *values: str) -> None:
    """A valid submission round-trips: the page it leads to shows each value as the person typed it."""
    shown = page_text(client.get(outcome.location))
    for value in values:
        assert value in shown, f"{value!r} is not shown at {outcome.location}"
