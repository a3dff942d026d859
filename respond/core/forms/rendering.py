"""Renders a bound form field as an NHS.UK component, through the nhsuk-frontend-jinja macros.

`NhsukBoundField.as_nhsuk()` turns the field (label, hint, errors, submitted value) into the macro's
parameters, then renders `core/fields/<component>.html`, which only calls the macro.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.forms.boundfield import BoundField
from django.forms.widgets import Input
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from markupsafe import Markup

from respond.core.components import choice_items, once, option_tags, plain_choice_items
from respond.core.forms.dates import DATE_PARTS, check_date_parts
from respond.core.forms.widgets import DateInputWidget

LABEL_SIZES = ("s", "m", "l", "xl")
INPUT_WIDTHS = (2, 3, 4, 5, 10, 20, 30)
# Attributes the macros set themselves, or that work against NHS.UK guidance (maxlength cuts text off silently).
UNPASSED_ATTRIBUTES = {"class", "id", "name", "type", "value", "required", "maxlength", "minlength", "cols", "rows"}


@dataclass(frozen=True)
class Display:
    """How a page shows a field: choices a template makes, not the form."""

    label: str | None = None
    label_size: str | None = None
    is_page_heading: bool = False
    hint: str | None = None
    classes: str | None = None
    width: int | None = None
    inline: bool = False
    small: bool = False
    rows: int | None = None
    autocomplete: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.label_size is not None and self.label_size not in LABEL_SIZES:
            raise ValueError(f"label_size must be one of {', '.join(LABEL_SIZES)}")
        if self.width is not None and self.width not in INPUT_WIDTHS:
            raise ValueError(f"width must be one of {', '.join(map(str, INPUT_WIDTHS))}")


def _compact(params: Mapping[str, Any]) -> dict[str, Any]:
    """Leaves out unset options, so the macros fall back to their own defaults."""
    return {key: value for key, value in params.items() if value is not None and value != {}}


def _flat_choices(choices: Iterable[Any]) -> list[tuple[str, str]]:
    flat: list[tuple[str, str]] = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            flat.extend(_flat_choices(label))
        else:
            flat.append((str(value), str(label)))
    return flat


def selected_values(data: Any) -> set[str]:
    if data is None:
        return set()
    if isinstance(data, list | tuple):
        return {str(item) for item in data}
    return {str(data)}


def reveal_map(fields: Mapping[str, forms.Field]) -> dict[str, tuple[str, str]]:
    """{revealed field name: (controlling field name, the choice that reveals it)}, checked for mistakes."""
    revealed: dict[str, tuple[str, str]] = {}
    for controller, form_field in fields.items():
        for choice, names in getattr(form_field, "reveals", {}).items():
            for name in names:
                if name not in fields:
                    raise ImproperlyConfigured(f"{controller!r} reveals {name!r}, which is not a field of this form")
                if name == controller or name in revealed:
                    raise ImproperlyConfigured(f"{name!r} can be revealed by only one choice of one other field")
                revealed[name] = (controller, str(choice))
    for name in revealed:
        seen = {name}
        while name in revealed:
            name = revealed[name][0]
            if name in seen:
                raise ImproperlyConfigured(f"Fields reveal each other in a loop: {sorted(seen)}")
            seen.add(name)
    return revealed


def _shell(component: str, params: dict[str, Any]) -> str:
    """The component's markup without its items (label, hint, error message, fieldset), for the items written in
    Python to go in: it depends on the parameters alone, so it is rendered once for each set of them (a filter's
    label and fieldset cost about 1.5 ms through the macros, on every view of the page)."""

    def render() -> Markup:
        return Markup(render_to_string(f"core/fields/{component}.html", {"params": params}))  # noqa: S704 - escaped

    return str(once((component, repr(params)), render))


class NhsukBoundField(BoundField):
    """A bound field that renders as an NHS.UK component: `{{ form.name.as_nhsuk() }}`."""

    @property
    def nhsuk_id(self) -> str:
        return self.auto_id or self.html_name

    @property
    def error_anchor(self) -> str:
        """The id the error summary links to: the first radio or checkbox, the day box of a date."""
        if isinstance(self.field.widget, DateInputWidget):
            return f"{self.nhsuk_id}_day"
        return self.nhsuk_id

    @property
    def hidden_by_choice(self) -> bool:
        """True when this field sits in a conditional reveal whose choice was not selected."""
        reveal = self._revealed_by()
        if reveal is None or not self.form.is_bound:
            return False
        controller, choice = reveal
        return choice not in selected_values(self.form[controller].data)

    @property
    def data(self) -> Any:
        # What was typed into a hidden reveal was not meant: it is neither validated nor saved.
        if self.hidden_by_choice:
            return None
        return super().data

    def _revealed_by(self) -> tuple[str, str] | None:
        revealed_by: dict[str, tuple[str, str]] | None = getattr(self.form, "revealed_by", None)
        return revealed_by.get(self.name) if revealed_by else None

    def as_nhsuk(self, **options: Any) -> SafeString:
        """Render this field. Options (all optional): see `Display`."""
        display = Display(**options)
        widget = self.field.widget
        if widget.is_hidden:
            return mark_safe(str(self))  # noqa: S308 - Django's own widget rendering, escaped
        component, params = self._component(widget, display)
        if component == "select":
            # The options are written in Python (components.option_tags), inside the macro's empty <select>.
            option_html = option_tags(params.pop("items", []))
            html = _shell(component, params)
            return mark_safe(html.replace("</select>", f"{option_html}</select>", 1))  # noqa: S308 - escaped there
        items = params.get("items", [])
        # A single checkbox (a yes/no field) stays with the macro.
        listed = component == "radios" or (component == "checkboxes" and len(items) > 1)
        if listed and plain_choice_items(items):
            # The items are written in Python (components.choice_items), inside the macro's empty list.
            item_html = choice_items(component, params["name"], params.pop("items"))
            html = _shell(component, params)
            opening = html.index(">", html.index(f'data-module="nhsuk-{component}"')) + 1
            return mark_safe(html[:opening] + str(item_html) + html[opening:])  # noqa: S308 - escaped there
        return mark_safe(render_to_string(f"core/fields/{component}.html", {"params": params}))  # noqa: S308

    def _component(self, widget: forms.Widget, display: Display) -> tuple[str, dict[str, Any]]:
        if isinstance(widget, DateInputWidget):
            return "date-input", self._date_input(display)
        if isinstance(widget, forms.CheckboxSelectMultiple):
            return "checkboxes", self._choices(display, multiple=True)
        if isinstance(widget, forms.RadioSelect):
            return "radios", self._choices(display, multiple=False)
        if isinstance(widget, forms.SelectMultiple):
            raise ImproperlyConfigured("Use checkboxes (CheckboxesField) rather than a multiple select.")
        if isinstance(widget, forms.Select):
            return "select", self._select(display)
        if isinstance(widget, forms.CheckboxInput):
            return "checkboxes", self._single_checkbox(display)
        if isinstance(widget, forms.FileInput):
            return "file-upload", self._file_upload(display)
        if isinstance(widget, forms.Textarea):
            return "textarea", self._textarea(display)
        if isinstance(widget, Input):
            return "input", self._input(widget, display)
        raise ImproperlyConfigured(f"No NHS.UK component renders {type(widget).__name__}.")

    # Parts every component shares.

    def _label(self, display: Display) -> dict[str, Any]:
        return _compact(
            {
                "text": display.label or str(self.label),
                "size": display.label_size,
                "isPageHeading": display.is_page_heading or None,
            }
        )

    def _fieldset(self, display: Display) -> dict[str, Any]:
        return {"legend": self._label(display)}

    def _hint(self, display: Display) -> dict[str, str] | None:
        text = display.hint or self.help_text
        return {"text": str(text)} if text else None

    def _error_message(self) -> dict[str, Any] | None:
        if not self.errors:
            return None
        return {"html": Markup("<br>").join(str(error) for error in self.errors)}

    def _attributes(self, display: Display) -> dict[str, str]:
        attrs = {key: value for key, value in self.field.widget.attrs.items() if key not in UNPASSED_ATTRIBUTES}
        return {**attrs, **display.attributes}

    def _common(self, display: Display) -> dict[str, Any]:
        return {
            "id": self.nhsuk_id,
            "name": self.html_name,
            "hint": self._hint(display),
            "errorMessage": self._error_message(),
            "classes": display.classes,
        }

    # One builder per component.

    def _input(self, widget: Input, display: Display) -> dict[str, Any]:
        render_value = not isinstance(widget, forms.PasswordInput) or widget.render_value
        value = widget.format_value(self.value()) if render_value else None
        attributes = self._attributes(display)
        # The macro writes the type itself; a page may ask for another (type="search").
        input_type = attributes.pop("type", widget.input_type)
        return _compact(
            {
                **self._common(display),
                "label": self._label(display),
                "type": input_type,
                "value": value,
                "width": display.width,
                "autocomplete": display.autocomplete,
                "spellcheck": False if input_type == "email" else None,
                "attributes": attributes,
            }
        )

    def _textarea(self, display: Display) -> dict[str, Any]:
        value = self.value()
        return _compact(
            {
                **self._common(display),
                "label": self._label(display),
                "value": "" if value is None else str(value),
                "rows": display.rows,
                "autocomplete": display.autocomplete,
                "attributes": self._attributes(display),
            }
        )

    def _select(self, display: Display) -> dict[str, Any]:
        widget = self.field.widget
        selected = set(widget.format_value(self.value()))  # type: ignore[attr-defined]
        items = [
            {"value": value, "text": text, "selected": value in selected}
            for value, text in _flat_choices(widget.choices)  # type: ignore[attr-defined]
        ]
        return _compact(
            {**self._common(display), "label": self._label(display), "items": items, "attributes": display.attributes}
        )

    def _choices(self, display: Display, *, multiple: bool) -> dict[str, Any]:
        widget = self.field.widget
        selected = set(widget.format_value(self.value()))  # type: ignore[attr-defined]
        reveals: Mapping[str, Iterable[str]] = getattr(self.field, "reveals", {})
        choice_hints: Mapping[str, str] = getattr(self.field, "choice_hints", {})
        choices = [(value, text) for value, text in _flat_choices(widget.choices) if value != ""]  # type: ignore[attr-defined]
        unknown = (set(map(str, reveals)) | set(map(str, choice_hints))) - {value for value, _ in choices}
        if unknown:
            raise ImproperlyConfigured(
                f"{self.name!r} reveals or hints at choices it does not offer: {sorted(unknown)}"
            )
        items = []
        for index, (value, text) in enumerate(choices):
            revealed = reveals.get(value, ())
            conditional = Markup("").join(self.form[name].as_nhsuk() for name in revealed)  # type: ignore[attr-defined]
            items.append(
                _compact(
                    {
                        "id": self.nhsuk_id if index == 0 else f"{self.nhsuk_id}-{index + 1}",
                        "value": value,
                        "text": text,
                        "checked": value in selected,
                        "hint": {"text": choice_hints[value]} if value in choice_hints else None,
                        "conditional": {"html": conditional} if revealed else None,
                    }
                )
            )
        return _compact(
            {
                **self._common(display),
                "id": None,
                "idPrefix": self.nhsuk_id,
                "fieldset": self._fieldset(display),
                "items": items,
                "small": display.small or None,
                "inline": (display.inline or None) if not multiple else None,
                "attributes": display.attributes,
            }
        )

    def _single_checkbox(self, display: Display) -> dict[str, Any]:
        item = _compact(
            {
                "id": self.nhsuk_id,
                "value": "yes",
                "text": display.label or str(self.label),
                "checked": bool(self.value()),
                "hint": self._hint(display),
            }
        )
        return _compact(
            {
                **self._common(display),
                "id": None,
                "hint": None,
                "idPrefix": self.nhsuk_id,
                "items": [item],
                "small": display.small or None,
            }
        )

    def _file_upload(self, display: Display) -> dict[str, Any]:
        # Browsers never let a page fill in a file input, so a failed form asks for the file again.
        allowed: Iterable[str] = getattr(self.field, "allowed_extensions", ())
        attributes = {**({"accept": ",".join(f".{ext}" for ext in allowed)} if allowed else {}), **display.attributes}
        return _compact({**self._common(display), "label": self._label(display), "attributes": attributes})

    def _date_input(self, display: Display) -> dict[str, Any]:
        widget = self.field.widget
        assert isinstance(widget, DateInputWidget)
        value = self.value()
        typed = value if isinstance(value, list | tuple) else widget.decompress(value)
        parts_with_problem: tuple[str, ...] = ()
        if self.errors and isinstance(value, list | tuple):
            parts_with_problem = check_date_parts(*typed).parts
        items = [
            _compact(
                {
                    "id": f"{self.nhsuk_id}_{part}",
                    "name": f"{self.html_name}_{part}",
                    "label": part.capitalize(),
                    "value": typed[index] or None,
                    "width": 4 if part == "year" else 2,
                    "error": True if part in parts_with_problem else None,
                }
            )
            for index, part in enumerate(DATE_PARTS)
        ]
        return _compact(
            {
                **self._common(display),
                "fieldset": self._fieldset(display),
                "items": items,
                "attributes": display.attributes,
            }
        )
