"""The names of the versions (see respond.core.versions) of each alert's responses and of each organisation's,
which the database raises on every write of responses (respond.responses.migrations.0007_versions_of_responses),
so that what is cached under them (the compliance reports, "Your alerts") is worked out again."""

from django.db.models import CharField, Expression, F, Value
from django.db.models.functions import Cast, Concat

ORGANISATION_RESPONSES = "responses-of-organisation:"


def alert_responses_version(alert_id: int) -> str:
    return f"responses-of-alert:{alert_id}"


def organisation_responses_version(organisation_id: int) -> str:
    return f"{ORGANISATION_RESPONSES}{organisation_id}"


def organisation_responses_version_of(organisation_id: Expression | F) -> Concat:
    """organisation_responses_version in a query, for the organisation whose id is `organisation_id`."""
    return Concat(Value(ORGANISATION_RESPONSES), Cast(organisation_id, CharField()), output_field=CharField())
