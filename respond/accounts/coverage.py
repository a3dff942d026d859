"""Which organisations that must respond to alerts have nobody to manage their users: they would miss alerts."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from respond.accounts.models import Invitation, InvitationStatus, Membership, Role
from respond.core.spreadsheets import spreadsheet_text
from respond.organisations.models import Organisation

CSV_HEADERS = ("ODS code", "Organisation", "Type", "Region", "Lead administrator invitation")


def organisations_without_an_administrator() -> QuerySet[Organisation]:
    """Mandated, open organisations with no active account holding an administrator membership."""
    administered = Membership.objects.administrators().values("organisation_id")
    return Organisation.objects.mandated().exclude(pk__in=administered).select_related("region").order_by("name")


@dataclass(frozen=True)
class Coverage:
    organisation: Organisation
    nomination: Invitation | None  # the latest open lead administrator invitation, if any

    @property
    def nomination_text(self) -> str:
        invitation = self.nomination
        if invitation is None:
            return "None"
        sent = f"{timezone.localtime(invitation.last_sent_at):%-d %B %Y}"
        expires = f"{timezone.localtime(invitation.expires_at):%-d %B %Y}"
        if invitation.status == InvitationStatus.EXPIRED:
            return f"Sent to {invitation.email} on {sent}, expired on {expires}"
        return f"Sent to {invitation.email} on {sent}, waiting to be accepted until {expires}"


def coverage_gaps() -> list[Coverage]:
    gaps = organisations_without_an_administrator()
    organisations = list(gaps)
    # Newest first: the first seen for an organisation is its latest.
    invitations = Invitation.objects.open().filter(organisation__in=gaps.values("pk"), role=Role.ADMINISTRATOR)
    latest: dict[int, Invitation] = {}
    for invitation in invitations:
        latest.setdefault(invitation.organisation_id, invitation)
    return [Coverage(organisation=org, nomination=latest.get(org.pk)) for org in organisations]


def coverage_csv(gaps: Iterable[Coverage]) -> Iterator[str]:
    """The coverage list as CSV lines, with plain-English headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(row: Iterable[str]) -> str:
        writer.writerow([spreadsheet_text(value) for value in row])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(CSV_HEADERS)
    for gap in gaps:
        organisation = gap.organisation
        yield line(
            (
                organisation.ods_code,
                organisation.name,
                organisation.get_organisation_type_display(),
                organisation.region.name if organisation.region else "",
                gap.nomination_text,
            )
        )
