"""Markdown is rendered to HTML that is safe anywhere: no raw HTML, no script, links only to web and mail."""

import pytest

from respond.core.markdown import markdown_problems, render_markdown


def test_markdown_renders_to_html():
    html = render_markdown("**Patch** now: see [the advisory](https://example.com/a).\n\n- one\n- two")
    assert "<strong>Patch</strong>" in html
    assert '<a href="https://example.com/a" rel="noopener noreferrer">the advisory</a>' in html
    assert "<li>one</li>" in html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](jav&#x61;script:alert(1))",
        "<javascript:alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "[x](vbscript:msgbox)",
        "<svg onload=alert(1)>",
        "<style>body{display:none}</style>",
        "![x](https://tracker.example/pixel.png)",
    ],
)
def test_attacks_are_neutralised(attack):
    html = str(render_markdown(attack)).lower()
    assert "<script" not in html
    assert "<img" not in html
    assert "<svg" not in html
    assert "<style" not in html
    assert "onerror" not in html or "&lt;" in html
    assert 'href="javascript' not in html
    assert 'href="vbscript' not in html


def test_raw_html_is_shown_as_text_not_markup():
    assert str(render_markdown("<b>bold?</b>")) == "<p>&lt;b&gt;bold?&lt;/b&gt;</p>\n"


def test_code_can_show_html_safely():
    assert markdown_problems("Look for `<script src=evil.js>` in pages") == []
    assert "<code>&lt;script src=evil.js&gt;</code>" in render_markdown("Look for `<script src=evil.js>`")


def test_tables_get_the_nhs_table_style():
    assert '<table class="nhsuk-table">' in render_markdown("| IP | Port |\n|---|---|\n| 192.0.2.1 | 443 |")


def test_problems_say_what_to_change():
    assert markdown_problems("Hi <b>there</b> [x](javascript:alert(1))") == [
        "Remove the HTML “<b>”: use Markdown instead, or put code in `backticks` to show it as text",
        "Remove the HTML “</b>”: use Markdown instead, or put code in `backticks` to show it as text",
        "Change the link “javascript:alert(1)”: links must start with https://, http:// or mailto:",
    ]
    assert markdown_problems("[ok](https://example.com) and <mailto:csoc@example.nhs.uk>") == []
