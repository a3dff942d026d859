"""Choosing what to export: a format and, for history and compliance, a period."""

from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone

from respond.core.forms.base import NhsukForm
from respond.core.forms.fields import DateField, RadioField

FORMAT_CHOICES = [("csv", "CSV (comma-separated values)"), ("xlsx", "Excel workbook (XLSX)")]
EARLIEST = date(2000, 1, 1)


class ExportForm(NhsukForm):
    """The page's form: its dates, typed as day, month and year. Valid, it becomes a download address with the
    dates as YYYY-MM-DD."""

    date_from = DateField(
        label="From", subject="From date", hint="For example, 1 4 2026", required=False, min_date=EARLIEST
    )
    date_to = DateField(label="To", subject="To date", hint="For example, 31 3 2027", required=False, min_date=EARLIEST)
    format = RadioField(label="Format", choices=FORMAT_CHOICES, initial="csv")

    def __init__(self, *args: Any, dates_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date_from"].required = dates_required
        self.fields["date_to"].required = dates_required
        self.fields["date_from"].max_date = timezone.localdate  # type: ignore[attr-defined]
        self.fields["date_from"].error_messages["required"] = "Enter the from date"
        self.fields["date_to"].error_messages["required"] = "Enter the to date"
        self.fields["format"].error_messages["required"] = "Select a format"

    def clean(self) -> dict[str, Any]:
        super().clean()
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "To date must be the same as or after the from date")
        return self.cleaned_data

    def query(self) -> str:
        """The download's query string: ?from=YYYY-MM-DD&to=YYYY-MM-DD, either left out when empty."""
        query = QueryDict(mutable=True)
        for key, name in (("from", "date_from"), ("to", "date_to")):
            if self.cleaned_data.get(name):
                query[key] = self.cleaned_data[name].isoformat()
        return query.urlencode()


class PeriodForm(forms.Form):
    """The download address's own dates (YYYY-MM-DD), checked again: the address can be typed or edited."""

    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    end = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def __init__(self, query: QueryDict) -> None:
        super().__init__({"start": query.get("from", ""), "end": query.get("to", "")})

    def clean(self) -> dict[str, Any]:
        super().clean()
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start and end and end < start:
            raise forms.ValidationError("The to date must be the same as or after the from date.")
        return self.cleaned_data
