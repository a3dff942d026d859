"""The deadline calendar: a feed per person at a secret address that calendar apps read without signing in,
holding their organisations' deadlines; created, replaced and revoked on the calendar page, each in the audit log."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from respond.accounts.models import GlobalRole
from respond.core.audit import Auditor
from respond.core.models import AuditLog
from respond.exports.models import CalendarFeed
from respond.publication.services import threat_update_add
from respond.responses import services
from respond.responses.models import Response, ResponseStatus
from tests.factories import global_user
from tests.responses.conftest import acknowledge, make_alert, response_of, update

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def owed(trust_a, trust_b, bob, charlie):
    """Trust A owes an acknowledgement, an update and an exception review; Trust B owes one acknowledgement;
    a completed response owes nothing."""
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        unacknowledged = make_alert(organisations=[trust_a, trust_b], title="Exploited VPN")
        in_progress = make_alert(organisations=[trust_a], title="Exploited mail server")
        exception = make_alert(organisations=[trust_a], title="Old database")
        done = make_alert(organisations=[trust_a], title="Patched firewall")
        response_of(unacknowledged, trust_a)
        response_of(unacknowledged, trust_b)
        acknowledge(response_of(in_progress, trust_a), bob)
        update(
            acknowledge(response_of(exception, trust_a), bob),
            bob,
            ResponseStatus.UNABLE_TO_IMPLEMENT,
            unable_reason="Vendor gone",
            mitigations="Isolated",
            risk_owner="SIRO",
            review_on=date(2026, 6, 1),
        )
        update(
            acknowledge(response_of(done, trust_a), bob),
            bob,
            ResponseStatus.NOT_APPLICABLE,
            not_applicable_reason="not_in_use",
        )
    return {"unacknowledged": unacknowledged, "in_progress": in_progress, "exception": exception, "done": done}


def create_feed(client: Client) -> str:
    page = client.post(reverse("exports:calendar"), {"action": "create"})
    assert page.status_code == 200
    match = re.search(r'value="(http://testserver/exports/calendar/[^"]+\.ics)"', page.content.decode())
    assert match, "The new address is shown"
    return match.group(1).removeprefix("http://testserver")


def read_feed(path: str) -> Calendar:
    # A calendar app: no cookies, no session.
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert not response.cookies
    return Calendar.from_ical(response.content)


def test_the_feed_holds_each_deadline_of_the_persons_organisations(signed_in, bob, owed):
    path = create_feed(signed_in(bob))
    with time_machine.travel(NOW, tick=False):
        calendar = read_feed(path)
    events = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    unacknowledged, in_progress, exception = owed["unacknowledged"], owed["in_progress"], owed["exception"]
    assert set(events) == {
        f"{unacknowledged.threat_id} response due: Alpha Hospitals NHS Trust",
        f"{in_progress.threat_id} next update due: Alpha Hospitals NHS Trust",
        f"{exception.threat_id} exception review due: Alpha Hospitals NHS Trust",
    }
    due = events[f"{unacknowledged.threat_id} response due: Alpha Hospitals NHS Trust"]
    # Published at 07:00 UTC (two hours before NOW); 48 hours to acknowledge; written in UTC.
    assert due.decoded("dtstart") == datetime(2026, 3, 4, 7, 0, tzinfo=UTC)
    assert due.to_ical().decode().count("DTSTART:20260304T070000Z") == 1
    assert due.decoded("dtstamp") == NOW
    assert f"http://testserver/responses/{unacknowledged.threat_id}/RAA/" in str(due["description"])
    assert str(due["url"]) == f"http://testserver/responses/{unacknowledged.threat_id}/RAA/"
    update_due = events[f"{in_progress.threat_id} next update due: Alpha Hospitals NHS Trust"]
    # All day: the date the person chose (by default three working days after acknowledging).
    assert update_due.decoded("dtstart") == Response.objects.get(alert=in_progress).next_update_due_on
    assert "DTSTART;VALUE=DATE:" in update_due.to_ical().decode()
    assert update_due.decoded("dtend") == update_due.decoded("dtstart") + timedelta(days=1)
    review = events[f"{exception.threat_id} exception review due: Alpha Hospitals NHS Trust"]
    assert review.decoded("dtstart") == date(2026, 6, 1)
    assert str(calendar["version"]) == "2.0"
    assert calendar["prodid"]


def test_uids_are_unique_and_stable(signed_in, bob, owed):
    path = create_feed(signed_in(bob))
    with time_machine.travel(NOW, tick=False):
        first = [str(event["uid"]) for event in read_feed(path).walk("VEVENT")]
    with time_machine.travel(NOW + timedelta(hours=5), tick=False):
        again = [str(event["uid"]) for event in read_feed(path).walk("VEVENT")]
    assert len(set(first)) == len(first) == 3
    assert first == again


def test_other_organisations_deadlines_are_not_in_the_feed(signed_in, charlie, owed):
    calendar = read_feed(create_feed(signed_in(charlie)))
    summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
    assert summaries == [f"{owed['unacknowledged'].threat_id} response due: Beta Hospitals NHS Trust"]


def test_a_revoked_address_stops_working(signed_in, bob, owed):
    client = signed_in(bob)
    path = create_feed(client)
    page = client.post(reverse("exports:calendar"), {"action": "revoke"})
    assert page.status_code == 302
    assert Client().get(path).status_code == 404
    assert "You do not have a calendar feed" in client.get(reverse("exports:calendar")).content.decode()


def test_replacing_the_address_stops_the_old_one(signed_in, bob, owed):
    client = signed_in(bob)
    old = create_feed(client)
    page = client.post(reverse("exports:calendar"), {"action": "replace"})
    new = re.search(r'value="http://testserver(/exports/calendar/[^"]+\.ics)"', page.content.decode()).group(1)
    assert new != old
    assert Client().get(old).status_code == 404
    read_feed(new)
    assert CalendarFeed.objects.filter(user=bob, revoked_at__isnull=True).count() == 1


def test_the_feed_of_a_deactivated_person_is_not_found(signed_in, bob, owed):
    path = create_feed(signed_in(bob))
    bob.is_active = False
    bob.save()
    assert Client().get(path).status_code == 404


def test_an_unknown_address_is_not_found(db):
    assert Client().get(reverse("exports:calendar_feed", args=["not-a-real-token"])).status_code == 404


def test_only_the_tokens_hash_is_stored_and_the_address_is_shown_once(signed_in, bob):
    client = signed_in(bob)
    path = create_feed(client)
    token = path.removeprefix("/exports/calendar/").removesuffix(".ics")
    assert len(token) >= 43
    feed = CalendarFeed.objects.get(user=bob)
    assert token not in feed.token_hash
    assert len(feed.token_hash) == 64
    page = client.get(reverse("exports:calendar")).content.decode()
    assert token not in page
    assert "cannot be shown again" in page
    # Asking to create another while one works changes nothing.
    assert client.post(reverse("exports:calendar"), {"action": "create"}).status_code == 302
    assert CalendarFeed.objects.filter(user=bob).count() == 1


def test_each_create_and_revoke_is_in_the_audit_log(signed_in, bob):
    client = signed_in(bob)
    create_feed(client)
    client.post(reverse("exports:calendar"), {"action": "replace"})
    client.post(reverse("exports:calendar"), {"action": "revoke"})
    entries = list(AuditLog.objects.filter(action__startswith="calendar_feed.").order_by("pk"))
    assert [entry.action for entry in entries] == [
        "calendar_feed.created",
        "calendar_feed.revoked",
        "calendar_feed.created",
        "calendar_feed.revoked",
    ]
    assert {entry.actor_id for entry in entries} == {bob.pk}
    assert all("token" not in str(entry.after) for entry in entries)


def test_an_unknown_action_is_refused(signed_in, bob):
    assert signed_in(bob).post(reverse("exports:calendar"), {"action": "steal"}).status_code == 400
    assert not CalendarFeed.objects.exists()


def add_update(alert, *, at):
    """An update asking organisations that acknowledged the alert to acknowledge it again, within 48 hours."""
    csoc = global_user(GlobalRole.CSOC)
    with time_machine.travel(at, tick=False):
        return threat_update_add(
            alert=alert,
            text="A patch is now out: apply it.\n",
            requires_reacknowledgement=True,
            added_by=csoc,
            auditor=Auditor.for_user(csoc),
        )


def test_an_update_to_acknowledge_is_an_event_until_it_is_acknowledged(signed_in, bob, owed):
    # Trust A is in progress on one alert and found the other not applicable: both owe the update's acknowledgement.
    in_progress, done = owed["in_progress"], owed["done"]
    add_update(in_progress, at=NOW - timedelta(minutes=30))
    add_update(done, at=NOW - timedelta(minutes=20))
    add_update(owed["unacknowledged"], at=NOW - timedelta(minutes=10))  # not acknowledged: its deadline is enough
    path = create_feed(signed_in(bob))
    with time_machine.travel(NOW, tick=False):
        calendar = read_feed(path)
    events = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    updated = {summary: event for summary, event in events.items() if "acknowledge the update" in summary}
    assert set(updated) == {
        f"{in_progress.threat_id}: acknowledge the update: Alpha Hospitals NHS Trust",
        f"{done.threat_id}: acknowledge the update: Alpha Hospitals NHS Trust",
    }
    event = updated[f"{done.threat_id}: acknowledge the update: Alpha Hospitals NHS Trust"]
    # The update's time plus the alert's 48 hours, in UTC.
    assert event.decoded("dtstart") == datetime(2026, 3, 4, 8, 40, tzinfo=UTC)
    assert "DTSTART:20260304T084000Z" in event.to_ical().decode()
    done_response = Response.objects.get(alert=done)
    assert str(event["uid"]) == f"response-{done_response.pk}-acknowledge-update@respond-to-a-cyber-alert"
    assert str(event["url"]) == f"http://testserver/responses/{done.threat_id}/RAA/"
    assert f"{done.threat_id}: Patched firewall" in str(event["description"])
    # The in-progress response keeps its next update as well.
    assert f"{in_progress.threat_id} next update due: Alpha Hospitals NHS Trust" in events
    assert len({str(event["uid"]) for event in events.values()}) == len(events) == 5

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        services.response_reacknowledge(
            response=done_response, user=bob, version=done_response.version, auditor=Auditor.for_user(bob)
        )
        summaries = [str(event["summary"]) for event in read_feed(path).walk("VEVENT")]
    assert f"{done.threat_id}: acknowledge the update: Alpha Hospitals NHS Trust" not in summaries
    assert not any(done.threat_id in summary for summary in summaries)  # closed, nothing owed: not in the feed
    assert f"{in_progress.threat_id}: acknowledge the update: Alpha Hospitals NHS Trust" in summaries


def test_a_later_update_moves_the_event(signed_in, bob, owed):
    done = owed["done"]
    add_update(done, at=NOW - timedelta(minutes=20))
    path = create_feed(signed_in(bob))
    with time_machine.travel(NOW, tick=False):
        [first] = [event for event in read_feed(path).walk("VEVENT") if "acknowledge the update" in event["summary"]]
    add_update(done, at=NOW + timedelta(days=1))
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        [later] = [event for event in read_feed(path).walk("VEVENT") if "acknowledge the update" in event["summary"]]
    assert str(later["uid"]) == str(first["uid"])
    assert later.decoded("dtstart") == datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
