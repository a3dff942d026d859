"""Version numbers of data, for caching what is costly to work out from it.

A cached value is stored under the versions of the data it was worked out from, read before that data. The
database itself raises the versions, by triggers on the tables (respond.core.version_triggers): every insert,
update or delete raises the versions of the rows it changed, in its own transaction, however it was written
(a service, QuerySet.update, bulk_create, a migration, the shell, raw SQL). So a reader never gets a value older
than what it could read from the database itself: a change either committed before the reader read the versions
(and so is in the value it works out), or commits a new version with it (and the next reader works it out again).

The numbers live in the database, not in the cache: they commit or roll back with the data, and are never
evicted (an evicted counter could come back at a number some stale value is cached under).

Which tables raise which versions (one migration per table, named versions_of_<table>):
- responses: "responses-of-alert:<id>" and "responses-of-organisation:<id>" of each row (respond.responses.changes);
- the alerts' summary rows (AlertCounts, AlertDelays): "responses-of-alert:<id>";
- the organisations in scope of each alert (Alert.organisations): the same two as responses;
- alerts: "alerts", and each its own "alert:<id>", which its remediation steps, updates and recorded changes
  (AlertVersion) raise too (respond.alerts.models.ALERT_CONTENT_VERSION: the TAXII objects are kept under it);
- organisations and regions: "organisation-details".
A cached value is keyed on the versions of every table it reads: tests/reports/test_cache_correctness.py finds
which tables the cached fragments and values read while worked out and fails if one of them has no triggers,
then writes to each in every way the ORM allows (and by raw SQL) and checks the pages show it at once.

Why triggers, and not a call to raise versions in each writer (as before) or one write path per model: a call
can be forgotten, and QuerySet.update, bulk_create and bulk_update bypass save() and signals, so no Python write
path is one that everything goes through. A trigger cannot be bypassed. On PostgreSQL the triggers run once per
statement, from the rows it changed (transition tables), raising each version once and in name order: a bulk
response for 500 organisations raises 501 versions in one upsert, as the services' own call did before. SQLite
has only triggers for each row: one small upsert per row written. Timed against the old calls (one process,
alternating, 8 rounds each, on a busy machine), a single response write and a bulk response for 500 organisations
cost the same within noise on both engines (PostgreSQL medians: 242 ms and 3.03 s before, 247 ms and 2.57 s
after; the trigger of the 500-row update takes as long as the upsert the services ran before).
A version's row stays locked from the write until commit, so writers of the same alert's responses queue there;
they already queued on the alert's summary rows, written just after, so this adds little waiting of its own.
One statement locks its versions in name order, and so does every transaction that writes responses: each writes
one alert's responses (a single response, a bulk response, or expire_unable_to_implement, which reopens each
alert's expired exceptions in a transaction of its own) and locks the versions it raises in its first write; the
summary rows and history after it raise only versions it already holds, and missing responses are created in
batches in the versions' name order. So two writers never wait for each other in a circle. One rare case remains:
a bulk response for organisations some of which have no response yet (the pages open them beforehand) locks the
new ones' versions before the others'. expire_unable_to_implement once wrote several alerts' responses in one
transaction, statement by statement, and could deadlock with a single write of the same organisation's response
to a later alert: tests/responses/test_exception_expiry_concurrency.py runs the two at once on PostgreSQL, in
the order that did.

Why the cache (respond.core.fragments) stays at all: the compliance figures no longer need it to be fast, as
every response write keeps summary rows up to date (respond.responses.summaries), but rendering "Your alerts"
for someone responding for hundreds of organisations, and an organisation's history, are still worked out from
the responses and cost several times a cached view. Compliance over time is not versioned: it is worked out at
most every five minutes, and the page says when.
"""

from collections.abc import Iterable

from django.db.models import Expression, IntegerField, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from respond.core.models import DataVersion


def current(names: Iterable[str]) -> dict[str, int]:
    """Each version's number: 0 until first raised."""
    wanted = set(names)
    found = dict(DataVersion.objects.filter(name__in=wanted).values_list("name", "number"))
    return {name: found.get(name, 0) for name in wanted}


def combined(names: Iterable[str]) -> int:
    """One number for a set of versions: their sum, which every raise of one of them raises (numbers only go up),
    so it changes whenever any of them does. For a key over many versions, in one row rather than one each."""
    total = DataVersion.objects.filter(name__any_of=set(names)).aggregate(total=Sum("number"))["total"]
    return total or 0


def number_of(name: str | Expression) -> Coalesce:
    """A version's number in a query (0 until first raised), for reading versions in the statement that reads
    what they are of: `name` may be an expression of the query's rows (an organisation's id, for instance)."""
    named = DataVersion.objects.filter(name=Value(name) if isinstance(name, str) else name).values("number")[:1]
    return Coalesce(Subquery(named), 0, output_field=IntegerField())
