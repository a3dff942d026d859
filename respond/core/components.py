"""NHS.UK frontend components that pages repeat hundreds of times, written in Python with the markup of
nhsuk-frontend's own Jinja macros. A macro call costs about 45 µs, mostly in its attribute helper: a lead
organisation's start page has 150 tags and a 200-option select, which was 16 ms of a 60 ms page."""

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from markupsafe import Markup, escape

ONCE_KEPT = 1000
_ONCE: dict[object, Markup] = {}


def once(key: object, render: Callable[[], Markup]) -> Markup:
    """Markup that depends on `key` alone (a macro's parameters, say, never data), rendered once for each key in
    each process: at most ONCE_KEPT kept, then all forgotten at once."""
    markup = _ONCE.get(key)
    if markup is None:
        markup = render()
        if len(_ONCE) >= ONCE_KEPT:
            _ONCE.clear()
        _ONCE[key] = markup
    return markup


def datetime_text(value: Any, fmt: str = "%-d %B %Y, %-I:%M%p") -> str:
    """A moment in London's time, as pages write it (the `datetime` filter): "2 March 2026, 9:30am"."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return local.strftime(fmt).replace("AM", "am").replace("PM", "pm")


def date_text(value: Any) -> str:
    """A date as pages write it (the `date` filter): "2 March 2026"."""
    return value.strftime("%-d %B %Y") if value else ""


TAG_COLOURS = ("white", "grey", "green", "aqua-green", "blue", "purple", "pink", "red", "orange", "yellow")
TAG_PARAMS = {"text", "colour", "classes", "id"}


def tag(params: Mapping[str, Any]) -> Markup:
    """nhsuk-frontend's tag(params), for text, colour, classes and id."""
    if unsupported := set(params) - TAG_PARAMS:
        raise ValueError(f"tag() does not support {', '.join(sorted(unsupported))}: use the nhsuk macro")
    classes = ["nhsuk-tag"]
    extra = params.get("classes") or ""
    colour = params.get("colour")
    if colour in TAG_COLOURS and not any(f"nhsuk-tag--{name}" in extra for name in TAG_COLOURS):
        classes.append(f"nhsuk-tag--{colour}")
    if extra:
        classes.append(extra)
    identifier = f' id="{escape(params["id"])}"' if params.get("id") else ""
    # The macro's whitespace around the text too: text next to a tag stays a separate word. Escaped piece by
    # piece: Markup.format costs several times as much, and pages have hundreds of tags.
    text = escape(params.get("text") or "")
    return Markup(f'<strong class="{escape(" ".join(classes))}"{identifier}>\n  {text}\n</strong>')  # noqa: S704


SUMMARY_LIST_PARAMS = {"rows", "classes"}
SUMMARY_ROW_PARAMS = {"key", "value"}


def _summary_cell(cell: Mapping[str, Any] | str) -> str:
    if isinstance(cell, str):
        cell = {"html": cell} if isinstance(cell, Markup) else {"text": cell}
    if cell.get("html"):
        return str(cell["html"]).strip()
    return str(escape(str(cell.get("text") or "").strip()))


def summary_list(params: Mapping[str, Any]) -> Markup:
    """nhsuk-frontend's summaryList(params), for rows of a key and a value (text or html) and the list's classes:
    the report pages show eight rows of figures, 2 ms through the macro."""
    if unsupported := set(params) - SUMMARY_LIST_PARAMS:
        raise ValueError(f"summary_list() does not support {', '.join(sorted(unsupported))}: use the nhsuk macro")
    classes = " ".join(["nhsuk-summary-list", *([params["classes"]] if params.get("classes") else [])])
    rows = []
    for row in params.get("rows") or []:
        if not isinstance(row, Mapping):
            continue  # the macro skips what is not a mapping (a row left out with `if`)
        if unsupported := set(row) - SUMMARY_ROW_PARAMS:
            raise ValueError(f"summary_list() rows do not support {', '.join(sorted(unsupported))}")
        rows.append(
            '  <div class="nhsuk-summary-list__row">\n'
            f'    <dt class="nhsuk-summary-list__key">\n      {_summary_cell(row["key"])}\n    </dt>\n'
            f'    <dd class="nhsuk-summary-list__value">\n      {_summary_cell(row["value"])}\n    </dd>\n'
            "  </div>"
        )
    return Markup(f'<dl class="{escape(classes)}">\n' + "\n".join(rows) + "\n</dl>")  # noqa: S704 - escaped


def option_tags(items: Iterable[Mapping[str, Any]]) -> Markup:
    """The <option>s of nhsuk-frontend's select(params) for `items` of value, text and selected."""
    return Markup(  # noqa: S704 - every value and text escaped
        "\n".join(
            f'<option value="{escape(item["value"])}"{" selected" if item["selected"] else ""}>{escape(item["text"])}'
            "</option>"
            for item in items
        )
    )


CHOICE_ITEM_PARAMS = {"id", "value", "text", "checked", "hint"}
# {kind}: "checkboxes" or "radios"; {type}: "checkbox" or "radio".
CHOICE_ITEM = (
    '<div class="nhsuk-{kind}__item">\n'
    '  <input class="nhsuk-{kind}__input" id="{id}" name="{name}" type="{type}" value="{value}"'
    "{checked}{described}>\n"
    '  <label class="nhsuk-label nhsuk-{kind}__label" for="{id}">\n    {text}\n  </label>{hint}\n'
    "</div>"
)
CHOICE_HINT = '\n  <div class="nhsuk-hint nhsuk-{kind}__hint" id="{id}">\n    {text}\n  </div>'
CHOICE_TYPES = {"checkboxes": "checkbox", "radios": "radio"}


def plain_choice_items(items: list[Mapping[str, Any]]) -> bool:
    """True when choice_items() can write these items: no reveals, dividers or behaviours, only text hints."""
    return all(
        set(item) <= CHOICE_ITEM_PARAMS and set(item.get("hint") or {}) <= {"text"} and item.get("id") for item in items
    )


def choice_items(kind: str, name: str, items: Iterable[Mapping[str, Any]]) -> Markup:
    """The items of nhsuk-frontend's checkboxes(params) or radios(params) (`kind`) inside a fieldset, for `items`
    of id, value, text, checked and a text hint: a bulk response offers a checkbox for each of 200 organisations,
    200 ms through the macro, and a filter's four radios cost 1.5 ms through it, 0.03 ms here."""
    written = []
    for item in items:
        item_id = escape(item["id"])
        hint_id = f"{item_id}-item-hint"
        hint_text = (item.get("hint") or {}).get("text")
        written.append(
            CHOICE_ITEM.format(
                kind=kind,
                type=CHOICE_TYPES[kind],
                id=item_id,
                name=escape(name),
                value=escape(item["value"]),
                checked=" checked" if item.get("checked") else "",
                described=f' aria-describedby="{hint_id}"' if hint_text else "",
                text=escape(item.get("text") or ""),
                hint=CHOICE_HINT.format(kind=kind, id=hint_id, text=escape(hint_text)) if hint_text else "",
            )
        )
    return Markup("\n".join(written))  # noqa: S704 - every value escaped above


def indent(text: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    """Jinja's `indent` filter, with the same output, on plain strings: on markup it builds a Markup object for
    every line, and nhsuk-frontend's macros indent their nested markup at every level (a date input was 5 ms)."""
    indention = width if isinstance(width, str) else " " * width
    lines = (str(text) + "\n").splitlines()
    if blank:
        result = ("\n" + indention).join(lines)
    else:
        result = lines[0]
        if len(lines) > 1:
            result += "\n" + "\n".join(indention + line if line else line for line in lines[1:])
    if first:
        result = indention + result
    return Markup(result) if isinstance(text, Markup) else result  # noqa: S704 - it was markup already


def html_attributes(attributes: Mapping[str, Any] | None) -> Markup:
    """` name="value"` for each attribute, as nhsuk-frontend's nhsukAttributes writes plain values."""
    if not attributes:
        return Markup("")
    return Markup("").join(Markup(' {}="{}"').format(name, value) for name, value in attributes.items())


@lru_cache(maxsize=8192)
def _reverse(name: str, args: tuple[Any, ...], prefix: str, urlconf: str | None) -> str:
    return reverse(name, args=args or None, urlconf=urlconf)


def url(name: str, *args: Any) -> str:
    """reverse(name, args), remembered: a report's rows link to hundreds of pages, at ~30 µs a reverse. The
    script prefix and URLconf are in the key, as they change what reverse() answers."""
    return _reverse(name, tuple(str(arg) for arg in args), get_script_prefix(), get_urlconf())
