"""Each person's deadline calendar: what their organisations owe on open responses, as iCalendar events.

Acknowledgement deadlines (the alert's, and an update's that asks organisations to acknowledge the alert again)
are moments (in UTC); next-update and exception review dates are all-day events. Each event's UID names the
response and the kind of date, so a calendar moves the event when the date changes.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

from respond.responses.models import Response, ResponseStatus

UID_DOMAIN = "respond-to-a-cyber-alert"


def deadline_calendar(user: Any, *, now: datetime, link: Callable[[Response], str]) -> bytes:
    """`link` gives the address, on this service, where a response is given."""
    calendar = Calendar()
    calendar.add("prodid", "-//NHS//Respond to a cyber alert//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Cyber alert deadlines")
    # Calendar apps that honour it refresh hourly.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    responses = (
        Response.objects.respondable_by(user)
        .required()
        .open()
        .select_related("alert", "organisation")
        .order_by("alert__published_at", "organisation__name", "pk")
    )
    stamp = now.astimezone(UTC)
    for response in responses:
        for event in _events(response, link(response)):
            event.add("dtstamp", stamp)
            calendar.add_component(event)
    return calendar.to_ical()


def _events(response: Response, link: str) -> list[Event]:
    alert, organisation = response.alert, response.organisation
    description = f"{alert.threat_id}: {alert.title}\n\nRespond for {organisation.name}: {link}"
    events = []
    deadline = response.deadline_at
    if response.status == ResponseStatus.NOT_ACKNOWLEDGED and deadline is not None:
        events.append(_event(response, "acknowledge", f"{alert.threat_id} response due: {organisation.name}"))
        events[-1].add("dtstart", deadline.astimezone(UTC))
    # Complete and not applicable responses can owe it too: the feed holds them because they are open.
    if response.owes_reacknowledgement and response.reacknowledgement_due_at is not None:
        event = _event(
            response, "acknowledge-update", f"{alert.threat_id}: acknowledge the update: {organisation.name}"
        )
        event.add("dtstart", response.reacknowledgement_due_at.astimezone(UTC))
        events.append(event)
    for kind, on, what in (
        ("next-update", response.next_update_due_on, "next update due"),
        ("exception-review", response.review_on, "exception review due"),
    ):
        wanted = ResponseStatus.IN_PROGRESS if kind == "next-update" else ResponseStatus.UNABLE_TO_IMPLEMENT
        if on is not None and response.status == wanted:
            event = _event(response, kind, f"{alert.threat_id} {what}: {organisation.name}")
            event.add("dtstart", on)
            event.add("dtend", on + timedelta(days=1))
            event.add("transp", "TRANSPARENT")
            events.append(event)
    for event in events:
        event.add("description", description)
        event.add("url", link)
    return events


def _event(response: Response, kind: str, summary: str) -> Event:
    event = Event()
    event.add("uid", f"response-{response.pk}-{kind}@{UID_DOMAIN}")
    event.add("summary", summary)
    return event
