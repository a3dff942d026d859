"""Form fields that render as NHS.UK components. `hint` is shown under the label (it is Django's help_text)."""

import os
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.boundfield import BoundField

from respond.core.forms.dates import check_date_parts, format_date
from respond.core.forms.rendering import NhsukBoundField
from respond.core.forms.widgets import DateInputWidget

DateBound = date | Callable[[], date] | None


def _with_hint(kwargs: dict[str, Any], hint: str | None) -> dict[str, Any]:
    if hint is not None:
        kwargs["help_text"] = hint
    return kwargs


class CharField(forms.CharField):
    """A text input."""

    bound_field_class = NhsukBoundField

    def __init__(self, *, hint: str | None = None, **kwargs: Any) -> None:
        super().__init__(**_with_hint(kwargs, hint))


class TextareaField(CharField):
    """A textarea, for answers longer than a line."""

    widget = forms.Textarea


class _ChoiceFieldOptions:
    """Radios and checkboxes: `reveals` maps a choice to the names of fields shown when it is selected;
    `choice_hints` maps a choice to a hint shown under it."""

    reveals: Mapping[str, Sequence[str]]
    choice_hints: Mapping[str, str]

    def __init__(
        self,
        *,
        hint: str | None = None,
        reveals: Mapping[str, Sequence[str]] | None = None,
        choice_hints: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.reveals = {str(choice): list(names) for choice, names in (reveals or {}).items()}
        self.choice_hints = {str(choice): hint for choice, hint in (choice_hints or {}).items()}
        super().__init__(**_with_hint(kwargs, hint))  # type: ignore[call-arg]

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> BoundField:
        if self.reveals and not hasattr(form, "revealed_by"):
            raise ImproperlyConfigured(
                f"{field_name!r} reveals fields: its form must be an NhsukForm or NhsukModelForm."
            )
        return NhsukBoundField(form, self, field_name)  # type: ignore[arg-type]


class RadioField(_ChoiceFieldOptions, forms.ChoiceField):
    """Radios: one choice. Without JavaScript, every conditional reveal is shown."""

    widget = forms.RadioSelect


class CheckboxesField(_ChoiceFieldOptions, forms.MultipleChoiceField):
    """Checkboxes: any number of choices."""

    widget = forms.CheckboxSelectMultiple


class SelectField(forms.ChoiceField):
    """A select. Prefer radios for fewer than about 8 choices."""

    widget = forms.Select
    bound_field_class = NhsukBoundField

    def __init__(self, *, hint: str | None = None, **kwargs: Any) -> None:
        super().__init__(**_with_hint(kwargs, hint))


def _resolve(bound: DateBound) -> date | None:
    return bound() if callable(bound) else bound


class DateField(forms.MultiValueField):
    """Day, month and year boxes that clean to a `datetime.date`.

    `subject` names the date in error messages ("Date of the fix must include a year"). `min_date` and
    `max_date` are dates or callables returning one (`timezone.localdate` for "today").
    """

    widget = DateInputWidget
    bound_field_class = NhsukBoundField
    default_error_messages = {
        "required": "Enter a date",
        "incomplete": "%(subject)s must include a %(missing)s",
        "invalid": "%(subject)s must be a real date",
        "year_length": "Year must include 4 numbers",
        "before_min": "%(subject)s must be the same as or after %(date)s",
        "after_max": "%(subject)s must be the same as or before %(date)s",
    }

    def __init__(
        self,
        *,
        hint: str | None = None,
        subject: str = "Date",
        min_date: DateBound = None,
        max_date: DateBound = None,
        **kwargs: Any,
    ) -> None:
        self.subject = subject
        self.min_date = min_date
        self.max_date = max_date
        parts = (forms.CharField(required=False), forms.CharField(required=False), forms.CharField(required=False))
        super().__init__(parts, require_all_fields=False, **_with_hint(kwargs, hint))

    def clean(self, value: Any) -> date | None:
        if self.disabled and not isinstance(value, list | tuple):
            value = cast(DateInputWidget, self.widget).decompress(value)
        typed = list(value) if isinstance(value, list | tuple) else []
        day, month, year = [*typed, None, None, None][:3]
        check = check_date_parts(day, month, year)
        if check.problem == "empty":
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        if check.problem is not None:
            raise ValidationError(
                self.error_messages[check.problem],
                code=check.problem,
                params={"subject": self.subject, "missing": " and ".join(check.parts)},
            )
        assert check.value is not None
        self.run_validators(check.value)
        self._check_bounds(check.value)
        return check.value

    def _check_bounds(self, value: date) -> None:
        earliest, latest = _resolve(self.min_date), _resolve(self.max_date)
        if earliest is not None and value < earliest:
            params = {"subject": self.subject, "date": format_date(earliest)}
            raise ValidationError(self.error_messages["before_min"], code="before_min", params=params)
        if latest is not None and value > latest:
            params = {"subject": self.subject, "date": format_date(latest)}
            raise ValidationError(self.error_messages["after_max"], code="after_max", params=params)

    def compress(self, data_list: list[Any]) -> date | None:
        return check_date_parts(*[*data_list, None, None, None][:3]).value


def _size_text(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:g}{unit}"
    return f"{size} bytes"


class FileField(forms.FileField):
    """A file upload, with the NHS.UK error messages for a missing, empty, wrong or oversized file."""

    bound_field_class = NhsukBoundField
    default_error_messages = {
        "required": "Select a file",
        "empty": "The selected file is empty",
        "wrong_type": "The selected file must be a %(types)s",
        "too_big": "The selected file must be smaller than %(size)s",
    }

    def __init__(
        self,
        *,
        hint: str | None = None,
        allowed_extensions: Sequence[str] = (),
        max_size: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.allowed_extensions = [ext.lower().lstrip(".") for ext in allowed_extensions]
        self.max_size = max_size
        super().__init__(**_with_hint(kwargs, hint))

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if isinstance(upload, UploadedFile):
            extension = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
            if self.allowed_extensions and extension not in self.allowed_extensions:
                types = " or ".join(ext.upper() for ext in self.allowed_extensions)
                raise ValidationError(self.error_messages["wrong_type"], code="wrong_type", params={"types": types})
            if self.max_size is not None and upload.size is not None and upload.size > self.max_size:
                params = {"size": _size_text(self.max_size)}
                raise ValidationError(self.error_messages["too_big"], code="too_big", params=params)
        return upload
