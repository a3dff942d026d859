"""A query's statement as Django writes it, kept and run again with other values.

Building and compiling a queryset costs Django 1 to 4 ms for a query that runs in under 1 ms (the organisation's
figures; the three queries of "Your alerts" cost Django 7 ms of a 17 ms page worked out afresh). A kept statement
is built once for each shape and database, from stand-in values (absurd ones, which no real parameter equals);
each run puts its own values where the stand-ins are, prepared as Django prepares them, and reads the rows with
the compiler's converters. The queryset stays the one definition of the query: the statement is what Django wrote
for it.

A list of values is one parameter only where the any_of lookup writes it as one array (PostgreSQL): elsewhere IN
has a placeholder for each value, so a statement with lists is written afresh there on every run. So is a shape in
whose statement a value appears in another form than given (a time compared as a date). A value changed into
something unlike its stand-in would be missed: in the tests, every run is checked against the statement Django
writes afresh for its values (settings.KEPT_STATEMENTS_CHECKED)."""

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

STAND_IN_ID = -4_000_000_001
STAND_IN_TIME = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)


def _stand_in(value: Any, index: int) -> Any:
    if isinstance(value, datetime):
        return STAND_IN_TIME + timedelta(seconds=index)
    if isinstance(value, str):
        return f"\x00stand-in {index}\x00"
    if isinstance(value, list):
        return [STAND_IN_ID - index]
    if isinstance(value, int) and not isinstance(value, bool):
        return STAND_IN_ID - index
    raise TypeError(f"No stand-in for {value!r}: kept statements take ids, lists of ids, strings and times")


def _prepared(value: Any) -> Any:
    """A value as Django passes it to the driver."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


@dataclass(frozen=True)
class _Written:
    sql: str
    params: list[Any]
    slots: list[list[int]]  # for each value, where it goes in params (nowhere, if this shape does not use it)
    compiler: SQLCompiler  # for its converters (SQLite's dates and booleans, for instance)


class KeptStatement:
    """`build(shape, *values)` gives the queryset (a values_list() one): `shape` says what changes its SQL (a
    filter given or not), `values` only what it compares with. Where shapes are many (a page's LIMIT and OFFSET
    are written into its SQL), `most_shapes` bounds how many are kept: past it, the one used longest ago goes."""

    def __init__(self, build: Callable[..., QuerySet[Any]], *, most_shapes: int | None = None) -> None:
        self.build = build
        self.most_shapes = most_shapes
        self._written: dict[tuple[str, Hashable], _Written | None] = {}

    def rows(self, shape: Hashable, *values: Any) -> list[tuple[Any, ...]]:
        if connection.vendor != "postgresql" and any(isinstance(value, list) for value in values):
            return list(self.build(shape, *values))
        key = (connection.alias, shape)
        if key in self._written:
            if self.most_shapes is not None:  # now the one used last
                self._written[key] = self._written.pop(key)
        else:
            if self.most_shapes is not None and len(self._written) >= self.most_shapes:
                del self._written[next(iter(self._written))]
            self._written[key] = self._write(shape, values)
        written = self._written[key]
        if written is None:
            return list(self.build(shape, *values))
        params = list(written.params)
        for value, slots in zip(values, written.slots, strict=True):
            for slot in slots:
                params[slot] = _prepared(value)
        if settings.KEPT_STATEMENTS_CHECKED:
            self._check(written, shape, values, params)
        with connection.cursor() as cursor:
            cursor.execute(written.sql, params)
            results = cursor.fetchall()
        return [tuple(row) for row in written.compiler.results_iter([results], tuple_expected=True)]

    def _check(self, written: _Written, shape: Hashable, values: Sequence[Any], params: list[Any]) -> None:
        try:
            sql, fresh = self.build(shape, *values).query.get_compiler(connection=connection).as_sql()
        except EmptyResultSet:  # Django would not run it (an empty list): the kept statement finds nothing
            return
        if sql != written.sql or list(fresh) != params:
            raise AssertionError(f"A kept statement differs from Django's:\n{written.sql}\n{params}\n{sql}\n{fresh}")

    def is_kept(self, shape: Hashable) -> bool:
        return self._written.get((connection.alias, shape)) is not None

    def _write(self, shape: Hashable, values: Sequence[Any]) -> _Written | None:
        """The statement, or None where a value is in it in another form than given (a list written out as
        several parameters, a time as a date): that shape is written afresh on every run."""
        stand_ins = [_stand_in(value, index) for index, value in enumerate(values)]
        compiler = self.build(shape, *stand_ins).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = [[at for at, param in enumerate(params) if param == _prepared(stand_in)] for stand_in in stand_ins]
        placed = {at for found in slots for at in found}
        for at, param in enumerate(params):
            if at not in placed and _looks_like_a_stand_in(param):
                return None
        return _Written(sql, params, slots, compiler)


class Pages[Row]:
    """A kept statement's rows a page at a time, as a paginator slices them (Paginator(Pages(...)).get_page()): the
    page's start and stop end the shape, `shape` and `values` are the rest of the statement's, and `build` makes
    the page's rows from the statement's. The paginator's one empty page (0 to 0) asks for no statement: Django would
    not write one."""

    def __init__(
        self,
        statement: KeptStatement,
        shape: Hashable,
        *values: Any,
        build: Callable[[list[tuple[Any, ...]]], list[Row]],
    ) -> None:
        self.statement, self.shape, self.values, self.build = statement, shape, values, build

    def __getitem__(self, page: slice) -> list[Row]:
        if page.stop <= page.start:
            return []
        return self.build(self.statement.rows((self.shape, page.start, page.stop), *self.values))


def _looks_like_a_stand_in(param: Any) -> bool:
    if isinstance(param, int) and not isinstance(param, bool):
        return param <= STAND_IN_ID + 1000
    if isinstance(param, list):
        return any(_looks_like_a_stand_in(value) for value in param)
    return str(STAND_IN_TIME.year) in str(param) or "stand-in" in str(param)


def in_model_order(model: type[Model], names: tuple[str, ...]) -> tuple[str, ...]:
    """Fields named in the order of the model's fields: Model.from_db takes the values of the fields it is given
    in that order, as a kept statement's rows are built into models."""
    order = [field.attname for field in model._meta.concrete_fields]
    return tuple(sorted(names, key=order.index))
