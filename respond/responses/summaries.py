"""Keeping the summary rows (respond.responses.summary_models) right: every write of responses adds, in its own
transaction, what it changed (the figures after, less the figures before, of each response it wrote); rebuild()
works them all out again from the responses themselves, and differences() says where the two disagree.

Each change is added with INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n, which PostgreSQL applies to the
row as it is when the statement reaches it (waiting for a concurrent writer of the row to commit), so concurrent
writers never lose each other's increments; rows are written in key order, so two writers never deadlock.

What decides a response's figures besides its own fields (its alert's publication, its organisation's type and
region, whether it is in scope) is read in the same query as its fields after the write. An alert's publication
time is set once, before its responses exist (only the demo data moves it, through alert_figures_change). An
organisation's type and region are read from its SummaryPlacement, where its figures are counted, kept when its
figures are first written: an ODS import that moves organisations to another type or region changes only them,
and a scheduled task (respond.responses.tasks.move_organisations_figures) then moves the figures of those alone,
with move_organisations. Whatever else changes what an alert's responses count for (its withdrawal, organisations
leaving its scope, responses deleted) is made inside alert_figures_change, which moves the alert's figures from
where they were counted to where they now are."""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, models, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.utils import timezone

from respond.alerts.models import RELEASED_STATUSES, Alert
from respond.responses import month_medians, summary_sql
from respond.responses.models import Response
from respond.responses.statuses import ResponseStatus
from respond.responses.summary_models import (
    AlertCounts,
    AlertDelays,
    DelayKind,
    Grouping,
    MonthCounts,
    MonthDelays,
    MonthMedians,
    SummaryPlacement,
)

COUNT_FIELDS = (
    "in_scope",
    "acknowledged",
    "late",
    "in_progress",
    "complete",
    "not_applicable",
    "unable_to_implement",
)
KEYS: dict[type[models.Model], tuple[str, ...]] = {
    AlertCounts: ("alert_id", "organisation_type", "region_key"),
    AlertDelays: ("alert_id", "kind", "minutes"),
    MonthCounts: ("month", "grouping", "group_key"),
    MonthDelays: ("month", "grouping", "group_key", "kind", "minutes"),
    MonthMedians: ("month", "grouping", "group_key", "kind"),
}
MONTH_COUNT_FIELDS = ("in_scope", "acknowledged", "late")
AMOUNTS: dict[type[models.Model], tuple[str, ...]] = {
    AlertCounts: COUNT_FIELDS,
    MonthCounts: MONTH_COUNT_FIELDS,
    MonthMedians: ("total", "below", "low", "high"),
}
# In this order every write locks the rows it adds to (each summary's in key order), so writers never deadlock.
SUMMARIES = tuple(KEYS)
# {model: {key: {field: amount}}}
Figures = dict[type[models.Model], dict[tuple[Any, ...], Counter[str]]]


@dataclass(frozen=True)
class ResponseFacts:
    """What a response's figures are worked out from: its own fields..."""

    status: str
    acknowledged_at: datetime | None
    acknowledged_within_window: bool | None
    closed_at: datetime | None

    @classmethod
    def of(cls, response: Response) -> "ResponseFacts":
        return cls(response.status, response.acknowledged_at, response.acknowledged_within_window, response.closed_at)


@dataclass(frozen=True)
class Context:
    """...and its alert's and organisation's."""

    alert_id: int
    published_at: datetime | None
    organisation_type: str
    region_key: int
    in_scope: bool
    reported: bool  # the alert is released and asks for a response: compliance over time counts it
    region_group: int  # the first region of the organisation's region's name (0 for none)


STATE_FIELDS = ("status", "acknowledged_at", "acknowledged_within_window", "closed_at")
CONTEXT_FIELDS = (
    "alert_id",
    "alert__published_at",
    "placed_type",
    "placed_region",
    "in_scope",
    "reported",
    "region_group",
)


def _place(where: str, params: list[Any]) -> None:
    """Keeps where the organisations `where` (a condition of summary_sql) are now as where their figures are
    counted, for those not kept yet: before their figures are first written (so two writers count the same)."""
    with connection.cursor() as cursor:
        cursor.execute(summary_sql.place(where), params)


def _states(responses: models.QuerySet[Response]) -> Iterator[tuple[int, ResponseFacts, Context]]:
    """Each response's facts and context (its organisation's as SummaryPlacement keeps it), in one query."""
    link = Alert.organisations.through.objects.filter(
        alert_id=OuterRef("alert_id"), organisation_id=OuterRef("organisation_id")
    )
    placed = SummaryPlacement.objects.filter(organisation_id=OuterRef("organisation_id"))
    rows = (
        responses.annotate(
            in_scope=Exists(link),
            reported=ExpressionWrapper(
                Q(alert__status__in=RELEASED_STATUSES, alert__response_required=True), output_field=BooleanField()
            ),
            placed_type=Subquery(placed.values("organisation_type")),
            placed_region=Subquery(placed.values("region_key")),
            region_group=Subquery(placed.values("region_group")),
        )
        .values_list("pk", *STATE_FIELDS, *CONTEXT_FIELDS)
        .order_by()
    )
    for pk, status, acknowledged_at, within, closed_at, alert_id, *rest in rows:
        published_at, organisation_type, region_key, in_scope, reported, region_group = rest
        if organisation_type is None:
            raise LookupError(f"Response {pk}'s organisation has no SummaryPlacement: call _place first")
        context = Context(
            alert_id=alert_id,
            published_at=published_at,
            organisation_type=organisation_type,
            region_key=region_key,
            in_scope=in_scope,
            reported=bool(reported),
            region_group=region_group,
        )
        yield pk, ResponseFacts(status, acknowledged_at, within, closed_at), context


def _minutes(since: datetime, until: datetime) -> int:
    return (until - since) // timedelta(minutes=1)


def month_number(moment: datetime) -> int:
    """The month (in London) as MonthDelays counts it: year * 12 + month - 1."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return local.year * 12 + local.month - 1


def _add(figures: Figures, facts: ResponseFacts, context: Context, sign: int) -> None:
    """Adds (sign 1) or takes away (sign -1) one response's figures."""
    if not context.in_scope:
        return
    counts = Counter({"in_scope": sign})
    if facts.acknowledged_at is not None:
        counts["acknowledged"] = sign
    if facts.acknowledged_within_window is False:
        counts["late"] = sign
    if facts.status in COUNT_FIELDS:
        counts[facts.status] += sign
    delays: list[tuple[str, int]] = []
    published = context.published_at
    if published is not None and facts.acknowledged_at is not None:
        delays.append((DelayKind.ACKNOWLEDGE, _minutes(published, facts.acknowledged_at)))
    if published is not None and facts.status == ResponseStatus.COMPLETE and facts.closed_at is not None:
        delays.append((DelayKind.COMPLETE, _minutes(published, facts.closed_at)))
    group = (context.organisation_type, context.region_key)
    figures[AlertCounts][(context.alert_id, *group)].update(counts)
    for kind, minutes in delays:
        figures[AlertDelays][(context.alert_id, kind, minutes)]["count"] += sign
    if not context.reported or published is None:
        return
    month = month_number(published)
    month_counts = Counter({name: amount for name, amount in counts.items() if name in MONTH_COUNT_FIELDS})
    for grouping, key in ((Grouping.ALL, ""), (Grouping.REGION, str(context.region_group)), (Grouping.TYPE, group[0])):
        figures[MonthCounts][(month, grouping, key)].update(month_counts)
        for kind, minutes in delays:
            figures[MonthDelays][(month, grouping, key, kind, minutes)]["count"] += sign


def _amounts(model: type[models.Model]) -> tuple[str, ...]:
    return AMOUNTS.get(model, ("count",))


def _empty() -> Figures:
    return {model: defaultdict(Counter) for model in SUMMARIES}


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    assert field.column
    return field.column


def _write(figures: Figures) -> None:
    """Adds the figures to the summary rows: one statement a summary, rows in key order; then moves the middle
    delays of the months' groups whose delays changed (respond.responses.month_medians)."""
    for model, rows in figures.items():
        changed = sorted((key, amounts) for key, amounts in rows.items() if any(amounts.values()))
        if not changed:
            continue
        keys = KEYS[model]
        amounts = _amounts(model)
        columns = [_column(model, name) for name in (*keys, *amounts)]
        key_columns = columns[: len(keys)]
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        for start in range(0, len(changed), 500):
            batch = changed[start : start + 500]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(batch))
            params = [value for key, counts in batch for value in (*key, *(counts[name] for name in amounts))]
            updates = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in columns[len(keys) :])
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) VALUES {placeholders} "  # noqa: S608 - names from the models
                    f"ON CONFLICT ({', '.join(quote(c) for c in key_columns)}) DO UPDATE SET {updates}",
                    params,
                )
    month_medians.update(figures[MonthDelays])


def record(response_ids: Iterable[int], *, before: Mapping[int, ResponseFacts | None]) -> None:
    """Adds what a write changed: `before` holds each written response's facts before it (None for a response
    it created); the facts after are read here. Call it in the write's transaction, after the write, with the
    responses' rows locked (or just created)."""
    ids = sorted(set(response_ids))
    if not ids:
        return
    _place(summary_sql.responses_organisations("id", len(ids)), ids)
    figures = _empty()
    for pk, facts, context in _states(Response.objects.filter(pk__in=ids)):
        previous = before.get(pk)
        if previous is not None:
            _add(figures, previous, context, -1)
        _add(figures, facts, context, 1)
    _write(figures)


@contextmanager
def alert_figures_change(alert: Alert) -> Iterator[None]:
    """Around a change to the alert that its responses' figures depend on (its publication time, its status, its
    scope, responses deleted): moves them from where they were counted to where they now are. Locks the alert's
    responses, so that no response write runs meanwhile; the alert's row must already be locked."""
    responses = Response.objects.filter(alert_id=alert.pk)
    list(responses.select_for_update().values_list("pk", flat=True))
    _place(summary_sql.responses_organisations("alert_id", 1), [alert.pk])
    figures = _empty()
    for _pk, facts, context in _states(responses):
        _add(figures, facts, context, -1)
    yield
    for _pk, facts, context in _states(responses):
        _add(figures, facts, context, 1)
    _write(figures)


def computed() -> Figures:
    """Every summary worked out from the responses themselves, by the database (respond.responses.summary_sql)."""
    figures = _empty()
    for model, keys in KEYS.items():
        amounts = _amounts(model)
        with connection.cursor() as cursor:
            cursor.execute(*summary_sql.select(model))
            for row in cursor.fetchall():
                counts = Counter(dict(zip(amounts, row[len(keys) :], strict=True)))
                if any(counts.values()):
                    figures[model][tuple(row[: len(keys)])] = counts
    return figures


def stored() -> Figures:
    """Every summary row there is (rows counting nothing left out)."""
    figures = _empty()
    for model, keys in KEYS.items():
        amounts = _amounts(model)
        for row in model._default_manager.values_list(*keys, *amounts).iterator(chunk_size=5000):
            counts = Counter(dict(zip(amounts, row[len(keys) :], strict=True)))
            if any(counts.values()):
                figures[model][tuple(row[: len(keys)])] = counts
    return figures


def _nonzero(figures: Figures) -> dict[str, dict[tuple[Any, ...], dict[str, int]]]:
    return {
        model.__name__: {
            key: {name: value for name, value in counts.items() if value}
            for key, counts in rows.items()
            if any(counts.values())
        }
        for model, rows in figures.items()
    }


def differences() -> list[str]:
    """Where the summary rows differ from what the responses add up to: empty when they agree."""
    found, expected = _nonzero(stored()), _nonzero(computed())
    problems = []
    for name in expected:
        for key in sorted(set(found[name]) | set(expected[name]), key=repr):
            if found[name].get(key) != expected[name].get(key):
                problems.append(f"{name} {key}: stored {found[name].get(key)}, worked out {expected[name].get(key)}")
    return problems


@transaction.atomic
def rebuild() -> None:
    """Works out every summary again from the responses, and counts every organisation where it is now. On
    PostgreSQL the summaries are locked first, so a response write either committed before (and is in what is
    worked out) or waits, and then adds its change: meanwhile, every response write waits, so this is for a restore
    or a bulk load, not for organisations that moved (move_organisations)."""
    locked: tuple[type[models.Model], ...] = (*SUMMARIES, SummaryPlacement)
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in locked)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(SummaryPlacement._meta.db_table)}")  # noqa: S608
        cursor.execute(summary_sql.place(""))
        for model in SUMMARIES:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            sql, params = summary_sql.select(model)
            columns = ", ".join(
                connection.ops.quote_name(_column(model, name)) for name in (*KEYS[model], *_amounts(model))
            )
            cursor.execute(f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) {sql}", params)


MOVE_BATCH = 100  # organisations moved in one transaction


def move_organisations() -> int:
    """Moves the figures of every organisation that has moved (another type, region or region name) since its
    figures were counted to where it is now, MOVE_BATCH organisations a transaction. Each batch locks its
    placements, then its responses (as a response write does, so the two never cross), and costs those
    organisations' responses only. Returns how many organisations moved."""
    with connection.cursor() as cursor:
        cursor.execute(summary_sql.moved_organisations())
        moved = [row[0] for row in cursor.fetchall()]
    for start in range(0, len(moved), MOVE_BATCH):
        batch = moved[start : start + MOVE_BATCH]
        with transaction.atomic():
            list(SummaryPlacement.objects.select_for_update().filter(pk__in=batch).order_by("pk").values_list("pk"))
            responses = Response.objects.filter(organisation_id__in=batch)
            list(responses.select_for_update().order_by("pk").values_list("pk", flat=True))
            figures = _empty()
            for _pk, facts, context in _states(responses):
                _add(figures, facts, context, -1)
            SummaryPlacement.objects.filter(pk__in=batch).delete()
            _place("organisation.id IN (" + ", ".join(["%s"] * len(batch)) + ")", batch)
            for _pk, facts, context in _states(responses):
                _add(figures, facts, context, 1)
            _write(figures)
    return len(moved)
