from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString, mark_safe
from markupsafe import Markup

from respond.core.forms.rendering import NhsukBoundField, reveal_map


class NhsukFormMixin:
    """Every field renders with `as_nhsuk()`; a field revealed by a choice is required only when that choice
    is selected, and is cleaned to empty (so never saved) when it is not."""

    bound_field_class: type[BoundField] | None = NhsukBoundField
    revealed_by: dict[str, tuple[str, str]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.revealed_by = reveal_map(self.fields)  # type: ignore[attr-defined]

    def full_clean(self) -> None:
        form: Any = self
        if form.is_bound:
            for name in self.revealed_by:
                if form[name].hidden_by_choice:
                    form.fields[name].required = False
        super().full_clean()  # type: ignore[misc]

    def as_nhsuk(self) -> SafeString:
        """Every field in order; revealed fields appear inside the choice that reveals them."""
        form: Any = self
        rendered = (form[name].as_nhsuk() for name in form.fields if name not in self.revealed_by)
        return mark_safe(Markup("\n").join(rendered))  # noqa: S308 - each part is already escaped


class NhsukForm(NhsukFormMixin, forms.Form):
    pass


class NhsukModelForm(NhsukFormMixin, forms.ModelForm):
    pass
