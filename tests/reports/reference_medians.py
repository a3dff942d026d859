"""The median of delays counted by whole minutes, worked out one count at a time: the reference the summaries'
medians are checked against (respond.reports.services.ALERT_MEDIANS_SQL works them out in the database)."""

from collections.abc import Iterable
from datetime import timedelta


def median_of_counts(counts: Iterable[tuple[int, int]]) -> timedelta | None:
    """The median of delays given as (whole minutes, how many took that long), as PERCENTILE_CONT(0.5) would give
    it from the delays themselves: the middle one, or halfway between the two middle ones."""
    ordered = sorted((minutes, count) for minutes, count in counts if count)
    total = sum(count for _, count in ordered)
    if not total:
        return None
    low_rank, high_rank = (total + 1) // 2, total // 2 + 1
    low: int | None = None
    seen = 0
    for minutes, count in ordered:
        seen += count
        if low is None and seen >= low_rank:
            low = minutes
        if seen >= high_rank:
            return timedelta(minutes=((low if low is not None else minutes) + minutes) / 2)
    return None
