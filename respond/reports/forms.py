"""The reports' filters: GET forms whose errors say exactly what to fix, keeping what was typed."""

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from django.utils import timezone

from respond.alerts.models import Severity
from respond.core.forms import DateField, NhsukForm, RadioField, SelectField
from respond.organisations.models import OrganisationType, Region
from respond.reports.over_time import OverTimeFilters
from respond.responses.models import ResponseStatus

DEFAULT_MONTHS = 12
SEVERITY_CHOICES = [("", "Any severity"), *Severity.choices]


def _invalid(message: str) -> dict[str, str]:
    return {"invalid_choice": message}


class AlertFilterForm(NhsukForm):
    severity = SelectField(
        label="Severity", required=False, choices=SEVERITY_CHOICES, error_messages=_invalid("Select a severity")
    )
    year = SelectField(label="Year published", required=False, error_messages=_invalid("Select a year"))

    def __init__(self, *args: Any, years: Callable[[], Sequence[int]], **kwargs: Any) -> None:
        """`years` is only called when the choices are needed: to check a year asked for, or to show the select."""
        super().__init__(*args, **kwargs)

        def choices() -> list[tuple[str, str]]:
            return [("", "Any year"), *((str(year), str(year)) for year in years())]

        self.fields["year"].choices = choices  # type: ignore[attr-defined]


ORGANISATION_CHOICES = [
    ("", "All organisations in scope"),
    ("not_acknowledged", "Not acknowledged"),
    ("late", "Acknowledged late"),
    (ResponseStatus.IN_PROGRESS.value, "In progress"),
    (ResponseStatus.COMPLETE.value, "Complete"),
    (ResponseStatus.NOT_APPLICABLE.value, "Not applicable"),
    (ResponseStatus.UNABLE_TO_IMPLEMENT.value, "Unable to implement"),
]


class AlertOrganisationsFilterForm(NhsukForm):
    show = SelectField(
        label="Show",
        required=False,
        choices=ORGANISATION_CHOICES,
        error_messages=_invalid("Select which organisations to show"),
    )


HISTORY_CHOICES = [("", "All alerts"), ("open", "Open remediations"), ("exceptions", "Unable to implement")]


class HistoryFilterForm(NhsukForm):
    show = RadioField(
        label="Show",
        required=False,
        choices=HISTORY_CHOICES,
        error_messages=_invalid("Select which alerts to show"),
    )


def _months_before(day: date, months: int) -> date:
    """The first day of the month `months` - 1 months before `day`'s: 12 gives a year of whole months."""
    index = day.year * 12 + day.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


class OverTimeFilterForm(NhsukForm):
    date_from = DateField(label="From", subject="From date", hint="For example, 1 4 2026", required=False)
    date_to = DateField(label="To", subject="To date", hint="For example, 31 3 2027", required=False)
    severity = SelectField(
        label="Severity", required=False, choices=SEVERITY_CHOICES, error_messages=_invalid("Select a severity")
    )
    organisation_type = SelectField(
        label="Organisation type",
        required=False,
        choices=[("", "Any type"), *OrganisationType.choices],
        error_messages=_invalid("Select an organisation type"),
    )
    region = SelectField(label="NHS England region", required=False, error_messages=_invalid("Select a region"))

    def __init__(self, *args: Any, regions: Sequence[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Any region"), *((region.code, region.name) for region in regions)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        date_from, date_to = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "To date must be the same as or after the from date")
        return self.cleaned_data

    def filters(self) -> OverTimeFilters:
        """What to report on; without dates, the last 12 months (this one included). Call when the form is
        valid, or not submitted at all."""
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from is None and date_to is None:
            date_from = _months_before(timezone.localdate(), DEFAULT_MONTHS)
        return OverTimeFilters(
            date_from=date_from,
            date_to=date_to,
            severity=data.get("severity") or "",
            organisation_type=data.get("organisation_type") or "",
            region_code=data.get("region") or "",
        )
