"""Version numbers of data, for caching figures that are costly to work out from it.

A cached value is stored under the versions of the data it was worked out from, read before that data; whoever
changes the data bumps the versions in the same transaction. So a reader never gets a value older than what it
could read from the database itself: a change either committed before the reader read the versions (and so is in
the value it works out), or commits a new version with it (and the next reader works the value out again).

The numbers live in the database, not in the cache: they commit or roll back with the data, and are never
evicted (an evicted counter could come back at a number some stale value is cached under). Every cached value
also expires, in case something changed its data without bumping (see each caller).

Why these versions, and the rendered-fragment cache (respond.core.fragments) under them, are still here: the
compliance figures no longer need them to be fast. Every response write keeps summary rows up to date in its
own transaction (respond.responses.summaries), and the alert report, the reports list and compliance over time
read those, however the data changed a moment ago. What still leans on the cache is rendering: the "Your alerts"
dashboard of someone responding for hundreds of organisations and an organisation's history are worked out from
the responses themselves, and cost several times a cached view. Until those read summaries of their own, the
cache stays, with the rule it has always had: the responses' services (the only writers of responses), the
alerts' services and the ODS import raise the versions of what they change, in the same transaction. That rule is
not yet enforced by construction (no database trigger raises a version on its own): a new writer must call
bump(). Removing the cache, or replacing the calls with one trigger per table, is the next step.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Sum

from respond.core.models import DataVersion


def bump(names: Iterable[str]) -> None:
    """Adds one to each version, in the current transaction. Concurrent bumps of a version queue on its row until
    the first commits: so call this last in the transaction, as its row stays locked until then."""
    ordered = sorted(set(names))  # always in the same order, so that two transactions never deadlock
    if not ordered:
        return
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    rows = ", ".join(["(%s, 1)"] * len(ordered))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, number) VALUES {rows} "  # noqa: S608 - the table's name, and placeholders
            f"ON CONFLICT (name) DO UPDATE SET number = {table}.number + 1",
            ordered,
        )


def current(names: Iterable[str]) -> dict[str, int]:
    """Each version's number: 0 until first bumped."""
    wanted = set(names)
    found = dict(DataVersion.objects.filter(name__in=wanted).values_list("name", "number"))
    return {name: found.get(name, 0) for name in wanted}


def combined(names: Iterable[str]) -> int:
    """One number for a set of versions: their sum, which every bump of one of them raises (numbers only go up),
    so it changes whenever any of them does. For a key over many versions, in one row rather than one each."""
    total = DataVersion.objects.filter(name__in=set(names)).aggregate(total=Sum("number"))["total"]
    return total or 0
