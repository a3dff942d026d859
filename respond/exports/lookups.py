"""Names looked up once per export rather than joined into every row: a million history rows name a few thousand
people, organisations and alerts. Each chunk of rows asks for the ones it has not met yet, in one query."""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from respond.accounts.models import User
from respond.alerts.models import Alert
from respond.exports.cells import moment, text
from respond.organisations.models import Organisation, OrganisationType

ORGANISATION_TYPES = dict(OrganisationType.choices)


class Lookup[T]:
    def __init__(self, queryset: QuerySet[Any], fields: tuple[str, ...], make: Callable[..., T]) -> None:
        self.queryset = queryset
        self.fields = fields
        self.make = make
        self.known: dict[int, T] = {}

    def load(self, ids: Iterable[int | None]) -> None:
        missing = {pk for pk in ids if pk is not None and pk not in self.known}
        if missing:
            rows = self.queryset.filter(pk__in=missing).values_list("pk", *self.fields)
            self.known.update((pk, self.make(*values)) for pk, *values in rows)

    def __getitem__(self, pk: int) -> T:
        return self.known[pk]


def organisations() -> Lookup[tuple[str, str, str, str]]:
    """(ODS code, name, type, region), ready to write. Names come from imported files: protected as typed text."""

    def make(ods_code: str, name: str, kind: str, region: str | None) -> tuple[str, str, str, str]:
        return (ods_code, text(name), str(ORGANISATION_TYPES.get(kind, kind)), text(region))

    return Lookup(Organisation.objects.all(), ("ods_code", "name", "organisation_type", "region__name"), make)


def people() -> Lookup[tuple[str, int | None]]:
    """(name, their organisation's id)."""
    return Lookup(
        User.objects.all(),
        ("full_name", "email", "organisation_id"),
        lambda name, email, org: (text(name or email), org),
    )


def alerts() -> Lookup[tuple[str, str, str, str]]:
    """(threat ID, title, published, acknowledge by)."""

    def make(
        threat_id: str, title: str, published_at: datetime | None, asked_at: datetime | None, required: bool, hours: int
    ) -> tuple[str, str, str, str]:
        alert = Alert(
            published_at=published_at,
            responses_asked_at=asked_at,
            response_required=required,
            response_window_hours=hours,
        )
        return (threat_id or "", text(title), moment(published_at), moment(alert.deadline_at))

    fields = ("threat_id", "title", "published_at", "responses_asked_at", "response_required", "response_window_hours")
    return Lookup(Alert.objects.all(), fields, make)
