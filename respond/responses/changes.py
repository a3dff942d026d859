"""The versions (see respond.core.versions) of each alert's responses and of each organisation's: bumped by the
services, in the transaction that writes responses, so that what is cached under them (the compliance reports,
"Your alerts") is worked out again."""

from collections.abc import Iterable

from respond.core import versions


def alert_responses_version(alert_id: int) -> str:
    return f"responses-of-alert:{alert_id}"


def organisation_responses_version(organisation_id: int) -> str:
    return f"responses-of-organisation:{organisation_id}"


def responses_changed(changed: Iterable[tuple[int, int]]) -> None:
    """`changed`: the (alert id, organisation id) of each response written."""
    pairs = list(changed)
    versions.bump(
        [alert_responses_version(alert_id) for alert_id, _ in pairs]
        + [organisation_responses_version(organisation_id) for _, organisation_id in pairs]
    )
