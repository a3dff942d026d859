"""The words of each message, from the plain-text templates in message_templates/.

Notify formats email bodies itself (# headings, --- rules, bare links), and the same text reads well as a
plain SMTP email. Nothing here is HTML, so the templates are not autoescaped.
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from respond.alerts.models import Alert, ThreatUpdate, Tlp
from respond.core.plaintext import MessageTemplates
from respond.notifications.models import MessageKind

TEMPLATES = MessageTemplates(Path(__file__).parent)


@dataclass(frozen=True)
class Message:
    subject: str  # empty for a text message
    body: str


def deadline_text(value: datetime | None) -> str:
    """3:00pm on Tuesday 9 December 2025, in UK time."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return local.strftime("%-I:%M%p on %A %-d %B %Y").replace("AM", "am").replace("PM", "pm")


def alert_url(alert: Alert) -> str:
    return f"{settings.SITE_URL}{alert.get_absolute_url()}"


def _render(template: str, **context: object) -> str:
    return TEMPLATES.render(template, **context)


def render_message(
    *, alert: Alert, update: ThreatUpdate | None, kind: str, for_contact: bool, organisation_name: str = ""
) -> Message:
    """The message of one kind about an alert (or an update to it); the same for everyone of a recipient type."""
    public = alert.tlp == Tlp.CLEAR
    context = {
        "threat_id": alert.threat_id,
        "title": alert.title,
        "severity": alert.get_severity_display(),
        "tlp_label": alert.get_tlp_display(),
        "major_incident": alert.major_incident,
        # Restricted (TLP:GREEN and above) content stays in the service, behind sign-in.
        "show_content": public,
        "short_summary": alert.short_summary,
        "update": update,
        "update_text": update.text if update else "",
        "requires_reacknowledgement": bool(update and update.requires_reacknowledgement),
        "reacknowledge_by": deadline_text(update.reacknowledge_by) if update else "",
        # A raise to high severity asked everyone in scope to respond, from now: the deadline is new.
        "asks_for_responses": bool(update and update.asks_for_responses),
        "deadline": deadline_text(alert.deadline_at),
        "alert_url": alert_url(alert),
        "service_name": settings.SERVICE_NAME,
    }
    if kind == MessageKind.INCIDENT_SMS:
        return Message(subject="", body=_render("sms_incident.txt", **context))
    if kind == MessageKind.SIGNPOST_SMS:
        return Message(subject="", body=_render("sms_signpost.txt", **context))
    footer = (
        _render("footer_contact.txt", organisation_name=organisation_name or "your organisation", **context)
        if for_contact
        else _render(
            "footer_user.txt",
            preferences_url=f"{settings.SITE_URL}{reverse('notifications:contact_preferences')}",
            **context,
        )
    )
    body = _render("email_update.txt" if update else "email_alert.txt", footer=footer.strip(), **context)
    return Message(subject=_subject(alert, update), body=body)


def _subject(alert: Alert, update: ThreatUpdate | None) -> str:
    marking = "" if alert.tlp == Tlp.CLEAR else f"[{alert.get_tlp_display()}] "
    incident = "Major incident: " if alert.major_incident else ""
    if update and update.asks_for_responses:
        severity = alert.get_severity_display().lower()
        return f"{marking}{incident}Now {severity} severity, response needed: {alert.threat_id}: {alert.title}"
    if update:
        return f"{marking}{incident}Update to cyber alert {alert.threat_id}: {alert.title}"
    return f"{marking}{incident}{alert.get_severity_display()} severity cyber alert {alert.threat_id}: {alert.title}"
