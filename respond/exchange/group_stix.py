"""A closed incident group's indicators of compromise as a STIX 2.1 bundle, for its members: the same indicators
as the group's CSV (respond.groups.indicators: deleted posts left out), each with its post's TLP 2.0 marking,
listed by a grouping with the group's default marking. Made by the same builder as the alerts' bundles.

Ids are UUIDv5 from the group, the post and the pattern, so downloading again gives the same ids and a platform
that imports it again updates its copy; the same value in two posts is two indicators (each post's marking).
"""

from typing import Any

import stix2
from django.db.models import QuerySet

from respond.exchange.indicators import Indicator as Pattern
from respond.exchange.markings import marking_for
from respond.exchange.stix import bundle_for, csoc_identity, stix_id, timestamp
from respond.groups.indicators import indicator_rows
from respond.groups.models import IncidentGroup, Indicator, IndicatorType, Post

# The groups' indicator types as the exchange's pattern kinds.
PATTERN_KIND = {
    IndicatorType.IPV4: "ipv4-addr",
    IndicatorType.IPV6: "ipv6-addr",
    IndicatorType.DOMAIN: "domain-name",
    IndicatorType.URL: "url",
    IndicatorType.MD5: "MD5",
    IndicatorType.SHA1: "SHA-1",
    IndicatorType.SHA256: "SHA-256",
}


def _indicator(group: IncidentGroup, indicator: Indicator) -> stix2.v21.Indicator:
    post = indicator.post
    pattern = Pattern(PATTERN_KIND[IndicatorType(indicator.indicator_type)], indicator.value)
    created = timestamp(post.created_at)
    title = (post.parent or post).title
    return stix2.v21.Indicator(
        id=stix_id("indicator", "group", str(group.pk), "post", str(post.pk), pattern.pattern),
        name=pattern.label,
        description=f"Shared in the closed incident group {group.name}, in “{title}”",
        indicator_types=["malicious-activity"],
        pattern=pattern.pattern,
        pattern_type="stix",
        valid_from=created,
        created=created,
        modified=max(created, timestamp(post.edited_at or post.created_at)),
        object_marking_refs=[marking_for(post.marking).id],
    )


def group_indicators_bundle(
    group: IncidentGroup, indicators: QuerySet[Indicator], *, post: Post | None = None
) -> dict[str, Any]:
    """The indicators (of the group, or of one post in it) and a grouping that lists them, as JSON-ready data."""
    rows = list(indicator_rows(indicators))
    objects: list[Any] = [_indicator(group, indicator) for indicator in rows]
    if objects:
        scope = ["group", str(group.pk), *(["post", str(post.pk)] if post else [])]
        created = timestamp(post.created_at if post else group.created_at)
        name = f"Indicators of a post in “{(post.parent or post).title}”" if post else "Indicators shared"
        objects.append(
            stix2.v21.Grouping(
                id=stix_id("grouping", *scope),
                name=f"{name} in {group.name}",
                context="suspicious-activity",
                object_refs=[obj.id for obj in objects],
                created=created,
                modified=max(created, *(obj.modified for obj in objects)),
                created_by_ref=csoc_identity().id,
                object_marking_refs=[marking_for(group.default_marking).id],
            )
        )
    return bundle_for(objects, tlps={group.default_marking, *(row.post.marking for row in rows)})
