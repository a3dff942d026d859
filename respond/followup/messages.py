"""The words of chases and reminder digests, from the plain-text templates in message_templates/.

Like respond.notifications.messages: GOV.UK Notify formats the email body itself (# headings, bullets, bare
links) and the same text reads well as a plain SMTP email, so nothing here is HTML or autoescaped."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from respond.alerts.models import Alert, Tlp
from respond.core.plaintext import MessageTemplates
from respond.followup.models import ChaseReason
from respond.notifications.messages import deadline_text
from respond.organisations.models import Organisation
from respond.responses.models import Response

TEMPLATES = MessageTemplates(Path(__file__).parent)


def _render(template: str, **context: object) -> str:
    return TEMPLATES.render(template, **context)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def day_text(value: date | None) -> str:
    """Friday 23 October 2026."""
    return value.strftime("%A %-d %B %Y") if value else ""


def alert_name(alert: Alert) -> str:
    """CC-4321: Title, with its TLP marking when it is restricted."""
    marking = "" if alert.tlp == Tlp.CLEAR else f"[{alert.get_tlp_display()}] "
    return f"{marking}{alert.threat_id}: {alert.title}"


def response_url(response: Response) -> str:
    return absolute(reverse("responses:detail", args=[response.alert.threat_id, response.organisation.ods_code]))


@dataclass(frozen=True)
class ChaseText:
    subject: str
    email: str
    sms: str


def chase_text(*, response: Response, reason: str) -> ChaseText:
    """`reason`: a ChaseReason."""
    alert = response.alert
    overdue_update = reason == ChaseReason.UPDATE_OVERDUE
    reacknowledgement = reason == ChaseReason.REACKNOWLEDGEMENT_OVERDUE
    context = {
        "organisation": response.organisation.name,
        "alert": alert_name(alert),
        "threat_id": alert.threat_id,
        "severity": alert.get_severity_display().lower(),
        "major_incident": alert.major_incident,
        "overdue_update": overdue_update,
        "reacknowledgement": reacknowledgement,
        "reacknowledge_by": deadline_text(response.reacknowledgement_due_at),
        "deadline": deadline_text(alert.deadline_at),
        "deadline_passed": alert.deadline_at is not None and alert.deadline_at <= timezone.now(),
        "due_on": day_text(response.next_update_due_on),
        "response_url": response_url(response),
    }
    if reacknowledgement:
        subject = f"Please acknowledge the update: {response.organisation.name}, {alert_name(alert)}"
    elif overdue_update:
        subject = f"Update overdue: {response.organisation.name}'s response to {alert_name(alert)}"
    else:
        subject = f"Please respond: {response.organisation.name} has not acknowledged {alert_name(alert)}"
    return ChaseText(
        subject=subject, email=_render("chase_email.txt", **context), sms=_render("chase_sms.txt", **context)
    )


@dataclass(frozen=True)
class OwedItem:
    """A line of a digest: one response and what is owed on it."""

    response: Response
    deadline_at: datetime | None = None
    due_on: date | None = None

    @property
    def alert(self) -> str:
        return alert_name(self.response.alert)

    @property
    def deadline(self) -> str:
        return deadline_text(self.deadline_at)

    @property
    def day(self) -> str:
        return day_text(self.due_on)

    @property
    def url(self) -> str:
        return response_url(self.response)

    @property
    def organisation(self) -> Organisation:
        return self.response.organisation


def reminder_digest(
    *,
    organisation: Organisation,
    to_acknowledge: Sequence[OwedItem],
    updates_overdue: Sequence[OwedItem],
    reviews_due: Sequence[OwedItem],
    updates_to_acknowledge: Sequence[OwedItem] = (),
) -> tuple[str, str]:
    """(subject, body) of the one email telling an organisation's people everything it still owes."""
    # An alert can be listed twice (an update to acknowledge and an overdue next update): count alerts, not lines.
    count = len(
        {item.response.pk for item in [*to_acknowledge, *updates_to_acknowledge, *updates_overdue, *reviews_due]}
    )
    alerts = f"{count} cyber alert needs" if count == 1 else f"{count} cyber alerts need"
    subject = f"{organisation.name}: {alerts} your response"
    body = _render(
        "reminder_digest.txt",
        organisation=organisation.name,
        to_acknowledge=to_acknowledge,
        updates_to_acknowledge=updates_to_acknowledge,
        updates_overdue=updates_overdue,
        reviews_due=reviews_due,
        home_url=absolute(reverse("home")),
        preferences_url=absolute(reverse("notifications:contact_preferences")),
    )
    return subject, body


def escalation_digest(
    *, missed: Sequence[OwedItem], for_auditor: bool, missed_updates: Sequence[OwedItem] = ()
) -> tuple[str, str]:
    """(subject, body) telling an administrator or an auditor which organisations missed a deadline: to
    acknowledge an alert, or to acknowledge an update to one."""
    listed = [*missed, *missed_updates]
    organisations = {item.response.organisation_id for item in listed}
    many = len(organisations) != 1
    if not missed_updates:
        what = "cyber alerts" if len(missed) != 1 else alert_name(missed[0].response.alert)
    elif not missed:
        what = (
            "updates to cyber alerts"
            if len(missed_updates) != 1
            else f"the update to {alert_name(missed_updates[0].response.alert)}"
        )
    else:
        what = "cyber alerts or updates to them"
    subject = (
        f"Missed deadline{'s' if len(listed) != 1 else ''}: {len(organisations)} organisation{'s' if many else ''} "
        f"did not acknowledge {what} in time"
    )
    body = _render(
        "escalation_digest.txt",
        missed=missed,
        missed_updates=missed_updates,
        for_auditor=for_auditor,
        home_url=absolute(reverse("home")),
    )
    return subject, body
