"""What people and files can type: Unicode edge cases, control characters (NUL included), very long values,
HTML and Markdown injection, and the characters that make a spreadsheet run a cell as a formula."""

import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# The budget of every generated-input test: `suite` (make test: three examples each, the same ones every run, so
# that tests/fuzz stays well under a minute) or `fuzz` (make fuzz: FUZZ_EXAMPLES each, new ones every run), chosen
# by HYPOTHESIS_PROFILE. Applied test by test (not loaded as hypothesis's global profile), so that other tests
# using hypothesis keep their own settings.
# Each example runs in a savepoint of the test's transaction (see tests.fuzz.harness), so the function-scoped
# database fixtures are shared safely.
_common = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("suite", max_examples=3, derandomize=True, **_common)
settings.register_profile("fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")), **_common)
budget = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

FORMULA_PREFIXES = ["=", "+", "-", "@", "\t", "\r"]
CONTROL_CHARACTERS = [chr(code) for code in [*range(0x00, 0x20), 0x7F]]
UNICODE_EDGES = [
    "\u202e",  # right-to-left override
    "\u200b",  # zero-width space
    "\ufeff",  # byte order mark
    "e\u0301",  # a combining accent
    "\U0001f3e5",  # hospital emoji, outside the Basic Multilingual Plane
    "\U0001d518\U0001d52b",  # mathematical Fraktur
    "\u0130",  # dotted capital I: lower() makes two characters
    "\u00df",  # sharp s: upper() makes two
    "\u0085\u2028\u2029",  # line breaks Python splits on and HTML does not
    "\ufffe\uffff",  # non-characters
    "\u00a0",  # no-break space
    "\u4e2d\u6587",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
]
INJECTIONS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<r>rich text</r>",
    "[click](javascript:alert(1))",
    "![x](https://example.com/x.png)",
    "**bold** _it_ `code`",
    "<!-- comment -->",
    "{{ 7*7 }}{% debug %}",
    "' OR 1=1 --",
    "_x0041_",
    "&amp;&lt;&#10;",
    '=HYPERLINK("https://example.com","x")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1+1)",
    "%s%d%%",
    "\\N",
]

_pieces = st.one_of(
    st.text(max_size=20),
    st.sampled_from(FORMULA_PREFIXES + CONTROL_CHARACTERS + UNICODE_EDGES + INJECTIONS),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=10),
)

# Typed text: mostly short mixtures, sometimes very long.
nasty_text = st.one_of(
    st.lists(_pieces, max_size=6).map("".join),
    st.tuples(st.sampled_from(FORMULA_PREFIXES), st.text(max_size=20)).map("".join),
    st.tuples(st.sampled_from(INJECTIONS), st.integers(1, 5000)).map(lambda pair: pair[0] * pair[1]),
    st.integers(200, 120_000).map(lambda size: "x" * size),
)

# Text a person could well have meant: printable, no control characters, sometimes starting like a formula.
plain_text = (
    st.tuples(
        st.sampled_from(["", *FORMULA_PREFIXES[:4]]),
        st.text(
            alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]),
            min_size=1,
            max_size=40,
        ),
    )
    .map("".join)
    .filter(lambda value: value.strip() != "")
)


# Awkward text a field still accepts: none of the NUL that every form refuses (respond.core.middleware), something
# besides white space, at most `max_size` characters; with Unicode edge cases, control characters, HTML and
# Markdown, formula prefixes, and sometimes the longest value allowed. A valid submission made of it must
# round-trip to what is shown.
_accepted_pieces = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20),
    st.sampled_from(FORMULA_PREFIXES + CONTROL_CHARACTERS[1:] + UNICODE_EDGES + INJECTIONS),
)
_visible = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S"]), min_size=1, max_size=20),
    st.sampled_from([*UNICODE_EDGES[3:8], *INJECTIONS]),
)
# Markdown fields refuse HTML and links other than http(s) and mailto (respond.core.markdown).
_MARKDOWN_REFUSES = ("<", "javascript:")


def accepted_text(max_size: int = 5000, *, markdown: bool = False) -> st.SearchStrategy[str]:
    mixed = st.tuples(st.lists(_accepted_pieces, max_size=3), _visible, st.lists(_accepted_pieces, max_size=3)).map(
        lambda parts: "".join([*parts[0], parts[1], *parts[2]])
    )
    longest = st.sampled_from([*INJECTIONS, *UNICODE_EDGES[3:8], "x"]).map(
        lambda piece: (piece * (max_size // len(piece) + 1))[:max_size]
    )
    text = st.one_of(mixed.map(lambda value: value[:max_size]), longest)
    if markdown:
        text = text.map(lambda value: _without(value, _MARKDOWN_REFUSES))
    return text.filter(lambda value: value.strip() != "")


def _without(value: str, refused: tuple[str, ...]) -> str:
    for each in refused:
        value = value.replace(each, "")
    return value


# Fields no form has, as a tampered or out-of-date page may send: ignored. They also make each valid submission
# new where a form has few valid values: hypothesis never runs an example twice, so a form with two valid answers
# was accepted twice at most, whatever the budget.
STRAY_FIELD_NAMES = ["id", "pk", "is_staff", "is_superuser", "user_id", "organisation_id", "created_by", "approved"]
stray_fields = st.dictionaries(st.sampled_from(STRAY_FIELD_NAMES), accepted_text(100), min_size=1, max_size=3)


# A value a form field may be sent: anything typed, or a choice's value.
def field_value(*choices: str) -> st.SearchStrategy[str]:
    return st.one_of(nasty_text, st.sampled_from(choices)) if choices else nasty_text


emails = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,20}@[a-z0-9]{1,12}\.nhs\.uk", fullmatch=True).filter(
    lambda value: ".." not in value and not value.split("@")[0].endswith(".")
)
mobiles = st.tuples(st.sampled_from(["07700 900", "+447700900", "07700900", "(07700) 900 "]), st.integers(0, 999)).map(
    lambda pair: f"{pair[0]}{pair[1]:03d}"
)


def single_spaced(value: str) -> str:
    return " ".join(value.split())


def submissions(
    meant: st.SearchStrategy[dict[str, Any]],
    anything: dict[str, st.SearchStrategy[Any]] | st.SearchStrategy[dict[str, Any]],
) -> st.SearchStrategy[dict[str, Any]]:
    """Form data: two times in three as a person means it (`meant`, often with stray fields: most of these are
    accepted), else anything (each field of the dictionary drawn on its own). Drawing every field on its own
    between anything and a good value made an accepted submission rare: each further field halved the chance, so
    the round trip of a valid one was hardly ever tested. (Half and half gave some tests under a third accepted:
    hypothesis does not draw its branches evenly in a run.)"""
    with_strays = st.tuples(meant, st.one_of(st.just({}), stray_fields)).map(lambda pair: {**pair[1], **pair[0]})
    if isinstance(anything, dict):
        anything = st.fixed_dictionaries(anything)
    return st.one_of(with_strays, with_strays, anything.map(dict))  # map: a branch of its own, not flattened
