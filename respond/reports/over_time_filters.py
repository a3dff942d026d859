"""What compliance over time is asked for (filters) and how its figures are keyed, shared by the two ways of working
them out (respond.reports.over_time from the responses, respond.reports.over_time_summaries from the summaries)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from respond.alerts.models import RELEASED_STATUSES

ALL, BY_REGION, BY_TYPE = "all", "region", "type"
# (grouping, month, region name or organisation type; None for ALL and for organisations without a region)
Key = tuple[str, date, str | None]


@dataclass(frozen=True)
class OverTimeFilters:
    date_from: date | None = None
    date_to: date | None = None
    severity: str = ""
    organisation_type: str = ""
    region_code: str = ""

    def q(self) -> Q:
        """The in-scope pairs (alert, organisation) these filters keep: paths from the alert-organisation link
        and from Response alike."""
        condition = Q(alert__status__in=RELEASED_STATUSES, alert__response_required=True)
        if self.date_from:
            condition &= Q(alert__published_at__gte=london_midnight(self.date_from))
        if self.date_to:
            condition &= Q(alert__published_at__lt=london_midnight(self.date_to + timedelta(days=1)))
        if self.severity:
            condition &= Q(alert__severity=self.severity)
        if self.organisation_type:
            condition &= Q(organisation__organisation_type=self.organisation_type)
        if self.region_code:
            condition &= Q(organisation__region__code=self.region_code)
        return condition


def london_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def month_start(value: Any) -> date:
    """TruncMonth gives an aware datetime in London on both databases (a date on some): the first of the month."""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return date(value.year, value.month, 1)
