"""Indicators of compromise typed into a post, one a line: what each is, and a CSV of a group's indicators.

The same indicators as a STIX 2.1 bundle are built by respond.exchange.group_stix (the exchange app builds STIX
and sits above groups) from `indicator_rows`.
"""

import csv
import io
import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db.models import QuerySet

from respond.core.spreadsheets import spreadsheet_text
from respond.groups.models import Indicator, IndicatorType

MAX_INDICATORS = 500
HASH_TYPES = {32: IndicatorType.MD5, 40: IndicatorType.SHA1, 64: IndicatorType.SHA256}
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)([a-zA-Z0-9-]{1,63}(?<!-)\.)+[a-zA-Z]{2,63}$")


@dataclass(frozen=True)
class ParsedIndicator:
    indicator_type: str
    value: str


class IndicatorErrors(ValueError):
    """Lines that are not indicators, each with its line number."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def classify(value: str) -> str | None:
    """The IndicatorType of one value, or None when it is none of them."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        pass
    else:
        return IndicatorType.IPV4 if address.version == 4 else IndicatorType.IPV6
    if _HEX.match(value) and len(value) in HASH_TYPES:
        return HASH_TYPES[len(value)]
    parts = urlsplit(value)
    if parts.scheme.lower() in {"http", "https", "ftp"} and parts.netloc:
        return IndicatorType.URL
    if _DOMAIN.match(value.rstrip(".")):
        return IndicatorType.DOMAIN
    return None


def parse_indicators(typed: str) -> list[ParsedIndicator]:
    """One indicator a line (blank lines ignored; "[.]" defanging undone). Raises IndicatorErrors naming
    every line that is not an IP address, domain, URL or hash."""
    found: list[ParsedIndicator] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(typed.splitlines(), start=1):
        value = line.strip().replace("[.]", ".").replace("hxxp", "http")
        if not value:
            continue
        kind = classify(value)
        if kind is None:
            problems.append(
                f"Line {number}: “{line.strip()[:60]}” is not an IP address, domain, URL or MD5, SHA-1 or SHA-256 hash"
            )
            continue
        value = value.lower() if kind in HASH_TYPES.values() or kind == IndicatorType.DOMAIN else value
        if value not in seen:
            seen.add(value)
            found.append(ParsedIndicator(kind, value))
    if len(found) > MAX_INDICATORS:
        problems.append(f"A post can carry at most {MAX_INDICATORS} indicators: this has {len(found)}")
    if problems:
        raise IndicatorErrors(problems)
    return found


def indicator_rows(indicators: QuerySet[Indicator]) -> Iterator[Indicator]:
    """A group's indicators in order of posting, with their posts: for the CSV here and the STIX bundle."""
    return (
        indicators.filter(post__deleted_at__isnull=True)
        .select_related("post", "post__parent")
        .order_by("post__created_at", "post_id", "position")
        .iterator(chunk_size=1000)
    )


CSV_HEADERS = ["Type", "Value", "TLP", "Post", "Posted at"]


def indicators_csv(indicators: QuerySet[Indicator]) -> Iterator[bytes]:
    """The group's indicators as CSV (UTF-8 with a byte-order mark, for Excel), 500 rows at a time."""
    labels = dict(IndicatorType.choices)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(CSV_HEADERS)
    for number, indicator in enumerate(indicator_rows(indicators), start=1):
        post = indicator.post
        writer.writerow(
            [
                labels.get(indicator.indicator_type, indicator.indicator_type),
                spreadsheet_text(indicator.value),
                post.get_marking_display(),
                spreadsheet_text((post.parent or post).title),
                post.created_at.isoformat(timespec="seconds"),
            ]
        )
        if number % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
