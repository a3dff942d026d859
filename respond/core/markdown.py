"""Markdown for long text written by staff: rendered to HTML that is safe to show anywhere, including email.

`render_markdown` never trusts its input: raw HTML is escaped by the parser and the output is cleaned again
with an allow-list (nh3). `markdown_problems` explains what a writer should change, for forms to show.
"""

from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
ALLOWED_LINK_SCHEMES = {"https", "http", "mailto"}
LINK_REL = "noopener noreferrer"

# Raw HTML is off: a writer's "<script>" becomes the text "<script>". Images are off: they would load from
# other sites in recipients' browsers and mail clients.
_renderer = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")

# For finding problems: HTML on, and every link accepted, so that both show up as tokens.
_inspector = MarkdownIt("commonmark", {"html": True}).enable("table").disable("image")
_inspector.validateLink = lambda url: True  # type: ignore[method-assign]


def render_markdown(text: str | None) -> Markup:
    """Markdown to sanitised HTML: no raw HTML, no scripts, links only to http(s) and mailto, with rel set."""
    if not text:
        return Markup("")
    html = _renderer.render(text)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_LINK_SCHEMES,
        link_rel=LINK_REL,
        set_tag_attribute_values={"table": {"class": "nhsuk-table"}},
        strip_comments=True,
    )
    return Markup(cleaned)  # noqa: S704 - cleaned by nh3 with an allow-list just above


def _tokens(tokens: list[Token]) -> list[Token]:
    flat: list[Token] = []
    for token in tokens:
        flat.append(token)
        if token.children:
            flat.extend(_tokens(token.children))
    return flat


def _link_allowed(href: str) -> bool:
    scheme = urlsplit(href.strip()).scheme.lower()
    return scheme in ALLOWED_LINK_SCHEMES


def markdown_problems(text: str | None) -> list[str]:
    """What in this Markdown would not survive rendering: HTML tags, and links that are not http(s) or mailto."""
    if not text:
        return []
    problems: list[str] = []
    for token in _tokens(_inspector.parse(text)):
        if token.type in {"html_inline", "html_block"}:
            snippet = " ".join(token.content.split())[:40]
            problems.append(
                f"Remove the HTML “{snippet}”: use Markdown instead, or put code in `backticks` to show it as text"
            )
        elif token.type == "link_open":
            href = str(token.attrGet("href") or "")
            if not _link_allowed(href):
                problems.append(f"Change the link “{href[:60]}”: links must start with https://, http:// or mailto:")
    return list(dict.fromkeys(problems))
