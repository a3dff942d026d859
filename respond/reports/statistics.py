"""The figures every report shares: acknowledgement and status counts, and median times, worked out in SQL.

Definitions (the same on every page):
- In scope: the organisations an alert was sent to for a response (fixed at publication).
- Acknowledged within the window / late: the first acknowledgement, before or after the alert's deadline.
- Not acknowledged: in scope with no acknowledgement (also when its response row is missing).
- Time to acknowledge: first acknowledgement minus publication.
- Time to complete: for responses now complete, when they were recorded as closed minus publication
  (`Response.closed_at`, the first closing entry since the response last reopened).
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from respond.responses.models import Response, ResponseStatus


class Median(Aggregate):
    """PostgreSQL's continuous median, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY ...); works on intervals."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = DurationField()


def deadline_expression(alert: str = "alert__") -> ExpressionWrapper:
    """The alert's deadline (Alert.deadline_at: the window from when organisations were asked, publication or a
    raise to high severity), in SQL on SQLite and PostgreSQL."""
    window = ExpressionWrapper(
        Cast(f"{alert}response_window_hours", IntegerField()) * Value(timedelta(hours=1)),
        output_field=DurationField(),
    )
    asked_at = Coalesce(f"{alert}responses_asked_at", f"{alert}published_at")
    return ExpressionWrapper(asked_at + window, output_field=DateTimeField())


@dataclass(frozen=True)
class Acknowledgements:
    in_scope: int = 0
    within_window: int = 0
    late: int = 0

    @property
    def acknowledged(self) -> int:
        return self.within_window + self.late

    @property
    def not_acknowledged(self) -> int:
        return self.in_scope - self.acknowledged

    @property
    def within_window_percent(self) -> int | None:
        return percent(self.within_window, self.in_scope)

    def __add__(self, other: "Acknowledgements") -> "Acknowledgements":
        return Acknowledgements(
            in_scope=self.in_scope + other.in_scope,
            within_window=self.within_window + other.within_window,
            late=self.late + other.late,
        )


@dataclass(frozen=True)
class StatusCounts:
    """Current statuses; organisations with no response row count as not yet acknowledged."""

    in_scope: int = 0
    in_progress: int = 0
    complete: int = 0
    not_applicable: int = 0
    unable_to_implement: int = 0

    @property
    def not_acknowledged(self) -> int:
        return self.in_scope - self.in_progress - self.complete - self.not_applicable - self.unable_to_implement

    def items(self) -> list[tuple[str, str, int]]:
        """(status, label, count), in the order a response moves through them."""
        counts = [
            (ResponseStatus.NOT_ACKNOWLEDGED, self.not_acknowledged),
            (ResponseStatus.IN_PROGRESS, self.in_progress),
            (ResponseStatus.COMPLETE, self.complete),
            (ResponseStatus.NOT_APPLICABLE, self.not_applicable),
            (ResponseStatus.UNABLE_TO_IMPLEMENT, self.unable_to_implement),
        ]
        return [(status.value, status.label, count) for status, count in counts]

    def __add__(self, other: "StatusCounts") -> "StatusCounts":
        return StatusCounts(
            in_scope=self.in_scope + other.in_scope,
            in_progress=self.in_progress + other.in_progress,
            complete=self.complete + other.complete,
            not_applicable=self.not_applicable + other.not_applicable,
            unable_to_implement=self.unable_to_implement + other.unable_to_implement,
        )


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def share(part: int, whole: int) -> str:
    """ "12 (40%)": the part and its percentage of the whole (the reports' share macro, in Python), or
    the part alone when there is no whole."""
    return f"{part} ({percent(part, whole)}%)" if whole else str(part)


def count_annotations(response: str, count_field: str = "pk") -> dict[str, Count]:
    """Conditional counts over rows joined to their response (`response` is the path to it, "" for Response)."""

    def count(**condition: Any) -> Count:
        return Count(count_field, filter=Q(**{f"{response}{name}": value for name, value in condition.items()}))

    return {
        "in_scope": Count(count_field),
        "acknowledged": count(acknowledged_at__isnull=False),
        "late": count(acknowledged_within_window=False),
        "in_progress": count(status=ResponseStatus.IN_PROGRESS),
        "complete": count(status=ResponseStatus.COMPLETE),
        "not_applicable": count(status=ResponseStatus.NOT_APPLICABLE),
        "unable_to_implement": count(status=ResponseStatus.UNABLE_TO_IMPLEMENT),
    }


def acknowledgements_of(row: Mapping[str, Any]) -> Acknowledgements:
    return Acknowledgements(in_scope=row["in_scope"], within_window=row["acknowledged"] - row["late"], late=row["late"])


def statuses_of(row: Mapping[str, Any]) -> StatusCounts:
    return StatusCounts(
        in_scope=row["in_scope"],
        in_progress=row["in_progress"],
        complete=row["complete"],
        not_applicable=row["not_applicable"],
        unable_to_implement=row["unable_to_implement"],
    )


@dataclass(frozen=True)
class Medians:
    acknowledge: timedelta | None = None
    complete: timedelta | None = None


def _median(values: Sequence[timedelta]) -> timedelta | None:
    """The middle value, or halfway between the two middle ones: PERCENTILE_CONT(0.5)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def median_aggregates() -> dict[str, Aggregate]:
    """PERCENTILE_CONT aggregates of the median times to acknowledge and to complete, on PostgreSQL (to add to
    other aggregates of the same responses: see medians_of); none on other databases."""
    if connection.vendor != "postgresql":
        return {}
    published = F("alert__published_at")
    complete = Q(status=ResponseStatus.COMPLETE, closed_at__isnull=False)
    return {
        "median_acknowledge": Median(F("acknowledged_at") - published),
        "median_complete": Median(F("closed_at") - published, filter=complete),
    }


def medians_of(row: Mapping[str, Any]) -> Medians:
    return Medians(row["median_acknowledge"], row["median_complete"])


def grouped_medians(responses: QuerySet[Response], group_by: Sequence[str] = ()) -> dict[tuple[Hashable, ...], Medians]:
    """Median times to acknowledge and to complete for each group of responses (the key is the group_by
    values; () for all). PostgreSQL works them out with PERCENTILE_CONT; other databases (SQLite, for one
    alert or organisation in development) get the timestamps and work them out here."""
    if aggregates := median_aggregates():
        if not group_by:
            return {(): medians_of(responses.aggregate(**aggregates))}
        rows = responses.values(*group_by).annotate(**aggregates).order_by()
        return {tuple(row[name] for name in group_by): medians_of(row) for row in rows}
    timings = responses.filter(acknowledged_at__isnull=False).values_list(
        *group_by, "alert__published_at", "acknowledged_at", "closed_at", "status"
    )
    return medians_in_python(timings.order_by(), len(group_by))


def medians_in_python(rows: Iterable[tuple[Any, ...]], key_length: int) -> dict[tuple[Hashable, ...], Medians]:
    """Medians from rows (*key, published_at, acknowledged_at, closed_at, status) of acknowledged responses."""
    to_acknowledge: dict[tuple[Hashable, ...], list[timedelta]] = defaultdict(list)
    to_complete: dict[tuple[Hashable, ...], list[timedelta]] = defaultdict(list)
    for row in rows:
        key = tuple(row[:key_length])
        published_at, acknowledged_at, closed_at, status = row[key_length:]
        to_acknowledge[key].append(acknowledged_at - published_at)
        if status == ResponseStatus.COMPLETE and closed_at is not None:
            to_complete[key].append(closed_at - published_at)
    return {key: Medians(_median(values), _median(to_complete.get(key, []))) for key, values in to_acknowledge.items()}


def medians(responses: QuerySet[Response]) -> Medians:
    return grouped_medians(responses).get((), Medians())


def duration_text(value: timedelta | None) -> str:
    """ "2 days 4 hours", "3 hours 20 minutes", "45 minutes": precise enough to compare, short enough to read."""
    if value is None:
        return "No data"
    minutes = max(0, int(value.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)

    def unit(number: int, name: str) -> str:
        return f"{number} {name}{'' if number == 1 else 's'}"

    if days:
        return unit(days, "day") + (f" {unit(hours, 'hour')}" if hours else "")
    if hours:
        return unit(hours, "hour") + (f" {unit(minutes, 'minute')}" if minutes else "")
    return unit(minutes, "minute")


def hours(value: timedelta | None) -> float | None:
    """A duration in hours, to one decimal place (exports use it)."""
    return None if value is None else round(value.total_seconds() / 3600, 1)
