from datetime import date
from typing import Any

from django import forms


class DateInputWidget(forms.MultiWidget):
    """Three text boxes, named `<field>_day`, `<field>_month` and `<field>_year`, for the NHS.UK date input."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({part: forms.TextInput() for part in ("day", "month", "year")}, attrs)

    def decompress(self, value: Any) -> list[str | None]:
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_day" if id_ else ""
