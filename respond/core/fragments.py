"""Parts of pages rendered once for each state of what they show, then given from the cache.

A fragment's state is everything that decides what it shows: the versions of its data (respond.core.versions),
the query string, and the like (the minute, where it shows times left). Whatever a fragment shows must come from
its state, so that two requests with the same state may share its markup, whoever makes them. Fragments also
expire, so that none outlives a deployment's templates by long.

Fragments are stored compressed: a report's content is 60-80 KB of markup that compresses about nine to one in
0.3 ms (zlib's fastest level), and storing 8 KB rather than 80 KB is what a view worked out afresh waits for.
"""

import hashlib
import zlib
from collections.abc import Callable

from django.core.cache import cache
from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe

FRAGMENTS_EXPIRE_AFTER = 5 * 60


def cached_fragment(kind: str, state: object, render: Callable[[], str]) -> SafeString:
    key = f"fragment-z:{kind}:" + hashlib.sha256(repr(state).encode()).hexdigest()
    stored: bytes | None = cache.get(key)
    if stored is not None:
        return mark_safe(zlib.decompress(stored).decode())  # noqa: S308 - rendered by Jinja2, which escaped it
    html = render()
    cache.set(key, zlib.compress(html.encode(), 1), FRAGMENTS_EXPIRE_AFTER)
    return mark_safe(html)  # noqa: S308 - rendered by Jinja2, which escaped it


def query_state(query: QueryDict) -> list[tuple[str, list[str]]]:
    """The query string as part of a state: the same parameters in any order are the same state."""
    return sorted(query.lists())
