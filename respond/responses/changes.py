"""The version of each alert's responses (see respond.core.versions): bumped by the services, in the transaction
that writes a response to the alert, so that figures cached under it (the compliance reports) are worked out
again."""

from collections.abc import Iterable

from respond.core import versions


def alert_responses_version(alert_id: int) -> str:
    return f"responses-of-alert:{alert_id}"


def responses_changed(alert_ids: Iterable[int]) -> None:
    versions.bump(alert_responses_version(alert_id) for alert_id in alert_ids)
