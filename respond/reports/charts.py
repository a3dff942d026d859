"""Charts drawn on the server as SVG: no JavaScript, readable by screen readers, not relying on colour alone.

Each chart is an <svg role="img"> named by its <title> and described by its <desc>; the page puts a table with
the same figures next to it. Bars carry their value as text; the parts of a stacked bar differ in pattern as well
as colour, with a legend. Every colour has at least 3:1 contrast with the white background (WCAG 2.2 1.4.11),
parts are separated by white gaps, and text is the NHS.UK text colour. Only SVG presentation attributes are used:
the content security policy forbids inline styles.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from markupsafe import Markup, escape

WIDTH = 720
ROW_HEIGHT = 34
BAR_HEIGHT = 22
FONT_SIZE = 14
CHAR_WIDTH = 7.6  # roughly, for Arial at FONT_SIZE: enough to lay out labels
VALUE_WIDTH = 110
TEXT_COLOUR = "#212b32"
AXIS_COLOUR = "#4c6272"
FONT = "Frutiger W01, Arial, sans-serif"
MAX_LABEL_CHARS = 34

# NHS.UK colours with at least 3:1 contrast against white.
BLUE = "#005eb8"
GREEN = "#007f3b"
PINK = "#ae2573"
GREY = "#4c6272"
PURPLE = "#330072"
RED = "#d5281b"


@dataclass(frozen=True)
class Series:
    """One part of a stacked bar: its label, colour and a pattern, so that it is not told by colour alone."""

    key: str
    label: str
    colour: str
    pattern: str = "solid"  # "solid", "stripes", "dots" or "crosshatch"


ACKNOWLEDGEMENT_SERIES = (
    Series("within_window", "Acknowledged within the window", GREEN, "solid"),
    Series("late", "Acknowledged late", PURPLE, "stripes"),
    Series("not_acknowledged", "Not acknowledged", GREY, "dots"),
)


class _Counts(Protocol):
    @property
    def within_window(self) -> int: ...
    @property
    def late(self) -> int: ...
    @property
    def not_acknowledged(self) -> int: ...


class _Group(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def acknowledgements(self) -> _Counts: ...


def _text(x: float, y: float, content: str, *, anchor: str = "start", weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}" '
        f'text-anchor="{anchor}" font-weight="{weight}" dominant-baseline="middle">{escape(content)}</text>'
    )


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1].rstrip() + "…"


def _label_width(labels: Sequence[str]) -> float:
    longest = max((len(_short(label)) for label in labels), default=0)
    return min(max(longest * CHAR_WIDTH + 12, 60), 280)


def _pattern(chart_id: str, series: Series) -> str:
    """A <pattern> filling with the colour, marked in white: stripes, dots or a cross-hatch."""
    pattern_id = f"{chart_id}-{series.key}"
    marks = {
        "stripes": '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#ffffff" stroke-width="2"/>',
        "dots": '<circle cx="4" cy="4" r="1.6" fill="#ffffff"/>',
        "crosshatch": '<path d="M0,0 l8,8 M8,0 l-8,8" stroke="#ffffff" stroke-width="1.5"/>',
    }.get(series.pattern, "")
    return (
        f'<pattern id="{pattern_id}" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="{series.colour}"/>{marks}</pattern>'
    )


def _fill(chart_id: str, series: Series) -> str:
    return series.colour if series.pattern == "solid" else f"url(#{chart_id}-{series.key})"


def _svg(chart_id: str, title: str, description: str, height: float, body: str, defs: str = "") -> Markup:
    # Every text in the chart is escaped; the rest is numbers and fixed markup.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" focusable="false" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" width="100%" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"{f'<defs>{defs}</defs>' if defs else ''}{body}</svg>"
    )


def horizontal_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[tuple[str, float | None]],
    unit: str = "",
    max_value: float | None = None,
    colour: str = BLUE,
) -> Markup:
    """One bar per (label, value), the value (and `unit`, "%" say) written after the bar. `max_value` fixes the
    scale (100 for percentages); bars without a value show "No data"."""
    label_width = _label_width([label for label, _ in bars])
    area = WIDTH - label_width - VALUE_WIDTH
    scale_max = max_value or max((value or 0 for _, value in bars), default=0) or 1
    parts = []
    for index, (label, value) in enumerate(bars):
        y = index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        middle = y + BAR_HEIGHT / 2
        length = 0.0 if value is None else max(area * min(value, scale_max) / scale_max, 0)
        parts.append(_text(label_width - 8, middle, _short(label), anchor="end"))
        if length:
            parts.append(
                f'<rect x="{label_width:.1f}" y="{y:.1f}" width="{length:.1f}" height="{BAR_HEIGHT}" fill="{colour}"/>'
            )
        parts.append(_text(label_width + length + 6, middle, "No data" if value is None else f"{value:g}{unit}"))
    height = max(len(bars), 1) * ROW_HEIGHT
    axis = (
        f'<line x1="{label_width:.1f}" y1="0" x2="{label_width:.1f}" y2="{height}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1"/>'
    )
    return _svg(chart_id, title, description, height, "".join(parts) + axis)


def stacked_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, Sequence[int]]],
    series: Sequence[Series] = ACKNOWLEDGEMENT_SERIES,
    share_text: str = "on time",
) -> Markup:
    """One 100% bar per (label, counts), each count a part in the order of `series`, followed by the first
    part's share as text ("60% on time"); a legend underneath names each pattern."""
    label_width = _label_width([label for label, _ in rows])
    area = WIDTH - label_width - VALUE_WIDTH
    parts = []
    for index, (label, counts) in enumerate(rows):
        y = index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        middle = y + BAR_HEIGHT / 2
        total = sum(counts)
        parts.append(_text(label_width - 8, middle, _short(label), anchor="end"))
        x = label_width
        for item, count in zip(series, counts, strict=True):
            if not total or not count:
                continue
            length = area * count / total
            # A white gap between parts: each part then borders white, which every colour contrasts with.
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(length - 2, 1):.1f}" height="{BAR_HEIGHT}" '
                f'fill="{_fill(chart_id, item)}"/>'
            )
            x += length
        share = f"{round(100 * counts[0] / total)}% {share_text}" if total else "None"
        parts.append(_text(label_width + area + 6, middle, share))
    legend_top = max(len(rows), 1) * ROW_HEIGHT + 10
    x, y = 0.0, float(legend_top)
    for item in series:
        width = 24 + len(item.label) * CHAR_WIDTH + 24
        if x and x + width > WIDTH:
            x, y = 0.0, y + 28
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="18" height="18" fill="{_fill(chart_id, item)}" '
            f'stroke="{TEXT_COLOUR}" stroke-width="1"/>'
        )
        parts.append(_text(x + 24, y + 9, item.label))
        x += width
    defs = "".join(_pattern(chart_id, item) for item in series if item.pattern != "solid")
    return _svg(chart_id, title, description, y + 28, "".join(parts), defs)


def acknowledgement_chart(*, chart_id: str, title: str, description: str, groups: Sequence[_Group]) -> Markup:
    """Within the window, late and not acknowledged, one bar per group (an organisation type, a region...)."""
    rows = [
        (
            group.label,
            [
                group.acknowledgements.within_window,
                group.acknowledgements.late,
                group.acknowledgements.not_acknowledged,
            ],
        )
        for group in groups
    ]
    return stacked_bar_chart(chart_id=chart_id, title=title, description=description, rows=rows)
