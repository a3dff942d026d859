"""Lookups every response page shares (always through scoped querysets) and how a response row reads."""

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404, HttpRequest

from respond.alerts.models import Alert
from respond.core.components import url
from respond.organisations.models import Organisation
from respond.responses.deadlines import Due, due_date_text
from respond.responses.models import Response, ResponseEntry, ResponseStatus
from respond.responses.services import open_missing_responses


def alert_or_404(request: HttpRequest, threat_id: str) -> Alert:
    """A released alert asking for a response that this person may read."""
    alert = Alert.objects.visible_to(request.user).filter(threat_id=threat_id.upper(), response_required=True).first()
    if alert is None:
        raise Http404("No such alert")
    return alert


def response_or_404(request: HttpRequest, threat_id: str, ods_code: str) -> Response:
    """One organisation's response, if this person may read it: 404 otherwise, so that nobody learns whether
    another organisation was asked to respond."""
    alert = alert_or_404(request, threat_id)
    open_missing_responses(alert=alert, organisations=Organisation.objects.filter(ods_code=ods_code.upper()))
    response = (
        Response.objects.visible_to(request.user)
        .select_related("alert", "organisation", "reacknowledgement_update")
        .filter(alert=alert, organisation__ods_code=ods_code.upper())
        .first()
    )
    if response is None:
        raise Http404("No such response")
    return response


def history(response: Response) -> list[ResponseEntry]:
    """The response's entries, newest first."""
    entries = list(
        response.entries.select_related(  # type: ignore[attr-defined]
            "submitted_by", "submitted_by_organisation", "threat_update__alert"
        ).order_by("-version")
    )
    for entry in entries:
        entry.response = response
    return entries


@dataclass(frozen=True)
class ResponseRow:
    """How one response reads in a table."""

    response: Response
    detail_url: str
    overdue: bool
    late: bool
    next_update_text: str
    action_text: str
    action_url: str
    # While an update to the alert is to be acknowledged: by when, how long is left (or how late it is).
    reacknowledgement: Due

    @classmethod
    def build(cls, response: Response, *, now: datetime, can_submit: bool) -> "ResponseRow":
        alert, organisation = response.alert, response.organisation
        detail = response.get_absolute_url()
        owes_reacknowledgement = response.owes_reacknowledgement
        if can_submit and response.accepts_submissions and not response.is_acknowledged:
            action_text, action_url = (
                "Acknowledge",
                url("responses:acknowledge", alert.threat_id, organisation.ods_code),
            )
        elif can_submit and response.accepts_submissions and owes_reacknowledgement:
            action_text, action_url = (
                "Acknowledge the update",
                url("responses:acknowledge", alert.threat_id, organisation.ods_code),
            )
        elif can_submit and response.accepts_submissions:
            action_text, action_url = (
                "Update",
                url("responses:update", alert.threat_id, organisation.ods_code),
            )
        else:
            action_text, action_url = "View", detail
        if response.status == ResponseStatus.UNABLE_TO_IMPLEMENT and response.review_on:
            next_update_text = f"Review on {response.review_on.day} {response.review_on:%B %Y}"
        elif response.next_update_due_on and not response.is_closed:
            due = response.next_update_due_on
            next_update_text = f"{due.day} {due:%B %Y} ({due_date_text(due, now)})"
        else:
            next_update_text = ""
        return cls(
            response=response,
            detail_url=detail,
            overdue=response.is_overdue(now),
            late=response.acknowledged_within_window is False,
            next_update_text=next_update_text,
            action_text=action_text,
            action_url=action_url,
            reacknowledgement=Due.of(response.owed_reacknowledgement_by, now),
        )
