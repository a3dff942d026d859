"""The SVG charts: named and described for screen readers, escaped, readable without colour, and in colours with
enough contrast against the white page."""

import pytest

from respond.reports import charts
from tests.core.html import parse


def contrast(colour: str, background: str = "#ffffff") -> float:
    """WCAG 2.2 contrast ratio."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(colour), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_a_bar_chart_is_an_image_named_by_its_title_and_description():
    svg = charts.horizontal_bar_chart(
        chart_id="c1", title="Statuses", description="How many of each", bars=[("Complete", 3), ("In progress", 1)]
    )
    chart = parse(svg).find("svg")
    assert chart.get("role") == "img"
    assert chart.get("aria-labelledby") == "c1-title c1-desc"
    assert chart.by_id("c1-title").text == "Statuses"
    assert chart.by_id("c1-desc").text == "How many of each"
    assert [text.text for text in chart.find_all("text")] == ["Complete", "3", "In progress", "1"]
    complete, in_progress = (float(rect.get("width") or 0) for rect in chart.find_all("rect"))
    assert complete == pytest.approx(3 * in_progress, abs=0.5)


def test_bars_without_a_value_say_so_and_percentages_keep_their_scale():
    svg = charts.horizontal_bar_chart(
        chart_id="c2", title="T", description="D", bars=[("May", None), ("June", 50)], max_value=100, unit="%"
    )
    chart = parse(svg).find("svg")
    assert [text.text for text in chart.find_all("text")] == ["May", "No data", "June", "50%"]
    (bar,) = chart.find_all("rect")
    width = float(chart.get("viewbox").split()[2])
    assert float(bar.get("width") or 0) < width / 2


def test_text_is_escaped():
    svg = charts.horizontal_bar_chart(chart_id="c3", title="<b>T</b>", description="D & E", bars=[("<script>", 1)])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "&lt;b&gt;T&lt;/b&gt;" in svg


def test_stacked_parts_differ_by_pattern_and_have_a_legend():
    svg = charts.stacked_bar_chart(chart_id="c4", title="T", description="D", rows=[("London", [3, 1, 1])])
    chart = parse(svg).find("svg")
    patterns = {pattern.get("id") for pattern in chart.find_all("pattern")}
    assert patterns == {"c4-late", "c4-not_acknowledged"}
    fills = [rect.get("fill") for rect in chart.find_all("rect") if rect.parent and rect.parent.tag == "svg"]
    # Three parts, then three legend keys, each filled alike: a colour, then two different patterns.
    assert fills == ["#007f3b", "url(#c4-late)", "url(#c4-not_acknowledged)"] * 2
    texts = [text.text for text in chart.find_all("text")]
    assert texts == ["London", "60% on time", "Acknowledged within the window", "Acknowledged late", "Not acknowledged"]


def test_a_group_with_no_organisations_draws_no_bar():
    svg = charts.stacked_bar_chart(chart_id="c5", title="T", description="D", rows=[("Empty", [0, 0, 0])])
    assert "None" in [text.text for text in parse(svg).find_all("text")]


@pytest.mark.parametrize("colour", [charts.BLUE, charts.GREEN, charts.PINK, charts.GREY, charts.PURPLE, charts.RED])
def test_colours_contrast_with_the_page_by_at_least_3_to_1(colour):
    assert contrast(colour) >= 3


def test_text_contrasts_with_the_page_by_at_least_4_5_to_1():
    assert contrast(charts.TEXT_COLOUR) >= 4.5
