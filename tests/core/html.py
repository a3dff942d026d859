"""A small HTML reader for assertions: find elements by id, tag or class, and read their text."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: "Element | None" = None
    children: list["Element | str"] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return self.attrs.get(name)

    def has(self, name: str) -> bool:
        return name in self.attrs

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", self._raw_text()).strip()

    def _raw_text(self) -> str:
        return "".join(child if isinstance(child, str) else child._raw_text() for child in self.children)

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, class_: str | None = None, **attrs: str) -> list["Element"]:
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and (class_ is None or class_ in element.classes)
            and all(element.get(name.rstrip("_").replace("_", "-")) == value for name, value in attrs.items())
        ]

    def find(self, tag: str | None = None, class_: str | None = None, **attrs: str) -> "Element":
        found = self.find_all(tag, class_, **attrs)
        assert found, f"no <{tag or '*'}> with class {class_!r} and {attrs} in the page"
        return found[0]

    def by_id(self, id_: str) -> "Element":
        found = [element for element in self.iter() if element.get("id") == id_]
        assert len(found) == 1, f"expected one element with id {id_!r}, found {len(found)}"
        return found[0]

    def ids(self) -> list[str]:
        return [element.attrs["id"] or "" for element in self.iter() if element.get("id")]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), parent=self.current)
        self.current.children.append(element)
        if tag not in VOID_TAGS:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, dict(attrs), parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str | bytes) -> Element:
    builder = _TreeBuilder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    return builder.root
