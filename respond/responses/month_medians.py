# ruff: noqa: S608 - only table and column names from the models go into the statements; values are parameters
"""Keeping each month's group's middle delays (MonthMedians) right as its delays (MonthDelays) change, in the same
transaction: a write moves the middles from where they were, reading only the minutes between, rather than
counting every delay again.

A series (month, grouping, group key, kind) keeps how many delays it has (total), the low middle one (the
((total - 1) // 2)th in order, counting from 0), how many come before it (below), and the high middle one (the
(total // 2)th). After a write's changes to the series' minutes are added to MonthDelays, update():

1. adds the change in number to each series' row and reads the row (INSERT ... ON CONFLICT DO UPDATE ... RETURNING,
   in key order): this locks it until the transaction ends, so the writers of a series take turns here;
2. works out how many delays now come before the old low middle (below, plus the write's own changes below it),
   reads a few minutes either side of it (one statement for every series), and walks from there to the new
   middles, reading further only if they moved further;
3. writes the new middles.

Why that is exact under concurrent writers (PostgreSQL, READ COMMITTED): every write to a series' MonthDelays
updates its row here before it commits, and holds the row's lock from step 1 to its commit. So a row as step 1
reads it (the latest committed, after waiting for any writer holding it) describes exactly the committed minutes,
and each later statement of the transaction sees the committed minutes plus its own changes: the row's figures
plus the write's own changes. A writer that has changed minutes but waits here has not committed them: the
lock holder neither sees nor counts them, and the waiter adds them itself once it holds the row."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection

from respond.responses.summary_models import MonthDelays, MonthMedians

Series = tuple[int, str, str, str]  # month, grouping, group key, kind
SERIES_COLUMNS = ("month", "grouping", "group_key", "kind")
AROUND = 3  # minutes read either side of the old middle, beyond what the write changed
FURTHER = 200  # minutes read at a time when the middles moved further


@dataclass
class Window:
    """Consecutive minutes of a series that have delays, in order, with how many delays come before the first."""

    series: Series
    minutes: list[tuple[int, int]]  # (minutes, count)
    before_first: int
    nothing_below: bool
    nothing_above: bool

    def find(self, rank: int) -> tuple[int, int] | None:
        """(minutes, delays before them) of the rank-th delay (from 0), if within the window."""
        before = self.before_first
        for minutes, count in self.minutes:
            if before <= rank < before + count:
                return minutes, before
            before += count
        return None

    def widen(self, rank: int) -> None:
        """Reads more minutes towards the rank-th delay."""
        below = rank < self.before_first
        if (self.nothing_below if below else self.nothing_above) or not self.minutes:
            raise LookupError(f"Delay {rank} of {self.series} is not in MonthDelays: MonthMedians disagrees with it")
        self.add(_read([(self.series, self.minutes[0 if below else -1][0], "<" if below else ">", FURTHER)])[0], below)

    def add(self, minutes: list[tuple[int, int]], below: bool, limit: int = FURTHER) -> None:
        """Adds minutes read below the window (nearest first) or above it."""
        if below:
            self.minutes = minutes[::-1] + self.minutes
            self.before_first -= sum(count for _minutes, count in minutes)
            self.nothing_below = len(minutes) < limit
        else:
            self.minutes += minutes
            self.nothing_above = len(minutes) < limit


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _read(requests: list[tuple[Series, int | None, str, int]]) -> list[list[tuple[int, int]]]:
    """For each (series, edge, direction, limit): up to `limit` minutes with delays, nearest the edge first, below
    it ("<"), from it on (">=") or above it (">"); from the shortest when `edge` is None. One statement for all."""
    parts: list[str] = []
    params: list[int | str] = []
    for number, (series, edge, direction, limit) in enumerate(requests):
        conditions = " AND ".join(f"{connection.ops.quote_name(column)} = %s" for column in SERIES_COLUMNS)
        if edge is not None:
            conditions += f" AND minutes {direction} %s"
        order = "DESC" if direction == "<" else "ASC"
        parts.append(
            f"SELECT * FROM (SELECT {number} AS request, minutes, count FROM {_table(MonthDelays)} "
            f"WHERE {conditions} AND count > 0 ORDER BY minutes {order} LIMIT {int(limit)}) part{number}"
        )
        params += [*series, *([] if edge is None else [edge])]
    found: list[list[tuple[int, int]]] = [[] for _ in requests]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for request, minutes, count in cursor.fetchall():
            found[request].append((minutes, count))
    for number, (_series, _edge, direction, _limit) in enumerate(requests):
        found[number].sort(reverse=direction == "<")
    return found


def _lock_and_count(changes: Mapping[Series, Mapping[int, int]]) -> dict[Series, tuple[int, int, int | None]]:
    """Adds each series' change in number to its row (made if missing), in key order, and gives the row as it now
    is: (total, below, low)."""
    ordered = sorted(changes)
    quote = connection.ops.quote_name
    table = _table(MonthMedians)
    columns = ", ".join(quote(column) for column in (*SERIES_COLUMNS, "total", "below"))
    keys = ", ".join(quote(column) for column in SERIES_COLUMNS)
    values = ", ".join(["(%s, %s, %s, %s, %s, 0)"] * len(ordered))
    params = [value for series in ordered for value in (*series, sum(changes[series].values()))]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT ({keys}) "
            f"DO UPDATE SET total = {table}.total + excluded.total RETURNING {keys}, total, below, low",
            params,
        )
        return {tuple(row[:4]): tuple(row[4:]) for row in cursor.fetchall()}  # type: ignore[misc]


def update(delays: Mapping[tuple[Any, ...], Mapping[str, int]]) -> None:
    """Moves the middles of every series whose minutes the write changed: `delays` is what it added to MonthDelays
    ({(month, grouping, group key, kind, minutes): {"count": change}}), already written."""
    changes: dict[Series, dict[int, int]] = defaultdict(dict)
    for (month, grouping, group_key, kind, minutes), amounts in delays.items():
        if amounts.get("count"):
            changes[(month, grouping, group_key, kind)][minutes] = amounts["count"]
    if not changes:
        return
    rows = _lock_and_count(changes)
    windows: dict[Series, Window] = {}
    requests: list[tuple[Series, int | None, str, int]] = []
    befores: dict[Series, int] = {}
    for series, (total, below, low) in sorted(rows.items()):
        if total == 0:
            continue
        own = changes[series]
        befores[series] = 0 if low is None else below + sum(n for minutes, n in own.items() if minutes < low)
        limit = AROUND + min(sum(abs(n) for n in own.values()), FURTHER)
        if low is not None:
            requests.append((series, low, "<", limit))
        requests.append((series, low, ">=", limit))
    found = _read(requests) if requests else []
    for (series, edge, direction, limit), minutes in zip(requests, found, strict=True):
        window = windows.setdefault(series, Window(series, [], befores[series], edge is None, False))
        window.add(minutes, direction == "<", limit)
    middles: list[tuple[int | str | None, ...]] = []
    for series, (total, _below, _low) in sorted(rows.items()):
        if total == 0:
            middles.append((*series, 0, 0, None, None))
            continue
        window = windows[series]
        while (low_middle := window.find((total - 1) // 2)) is None:
            window.widen((total - 1) // 2)
        while (high_middle := window.find(total // 2)) is None:
            window.widen(total // 2)
        middles.append((*series, total, low_middle[1], low_middle[0], high_middle[0]))
    _write(middles)


def _write(middles: list[tuple[int | str | None, ...]]) -> None:
    quote = connection.ops.quote_name
    table = _table(MonthMedians)
    columns = ", ".join(quote(column) for column in (*SERIES_COLUMNS, "total", "below", "low", "high"))
    keys = ", ".join(quote(column) for column in SERIES_COLUMNS)
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(middles))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT ({keys}) "
            "DO UPDATE SET below = excluded.below, low = excluded.low, high = excluded.high",
            [value for row in middles for value in row],
        )
