""" "Your alerts" is rendered once for each state of what it shows, then given from the cache: it must never show
anything stale, or anything of an organisation the person does not respond for."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from respond.alerts import services as alert_services
from respond.core.audit import Auditor
from tests.core.html import parse
from tests.responses.conftest import acknowledge, make_alert, response_of

pytestmark = pytest.mark.django_db


def start_page(client) -> tuple[str, bool]:
    """The page, and whether its alerts were worked out (responses read) rather than given from the cache."""
    with CaptureQueriesContext(connection) as context:
        page = client.get("/")
    assert page.status_code == 200
    worked_out = any("responses_response" in query["sql"] for query in context.captured_queries)
    return page.content.decode(), worked_out


def main(html: str) -> str:
    return parse(html).find("main").text


def statuses(html: str) -> list[str]:
    return [tag.text for cell in parse(html).find_all("td") for tag in cell.find_all("strong", class_="nhsuk-tag")]


def test_the_alerts_are_worked_out_once_then_given_from_the_cache(signed_in, trust_a, bob):
    make_alert(organisations=[trust_a])
    client = signed_in(bob)
    # Within one minute: the page is keyed by the minute too (its times left move on), and a loaded machine can
    # take the two requests across a minute's end (it did in CI).
    with time_machine.travel(timezone.now(), tick=False):
        first, worked_out = start_page(client)
        assert worked_out
        again, worked_out = start_page(client)
    assert not worked_out
    assert main(again) == main(first)


def test_a_response_shows_at_once_whoever_gave_it(signed_in, trust_a, bob, alice):
    alert = make_alert(organisations=[trust_a])
    client = signed_in(bob)
    before, _ = start_page(client)
    assert statuses(before) == ["Not yet acknowledged"]
    acknowledge(response_of(alert, trust_a), alice)
    after, worked_out = start_page(client)
    assert worked_out
    assert statuses(after) == ["In progress"]


def test_a_closed_alert_leaves_the_open_alerts_at_once(signed_in, trust_a, bob, csoc):
    alert = make_alert(organisations=[trust_a])
    client = signed_in(bob)
    assert alert.threat_id in start_page(client)[0]
    alert_services.alert_close(alert=alert, reason="Fixed", closed_by=csoc, auditor=Auditor.for_user(csoc))
    after, worked_out = start_page(client)
    assert worked_out
    assert alert.threat_id not in after


def test_the_time_left_moves_on_with_the_clock(signed_in, trust_a, bob):
    client = signed_in(bob)
    now = timezone.now()
    make_alert(organisations=[trust_a], published_at=now - timedelta(hours=47, minutes=55))
    with time_machine.travel(now, tick=False):
        soon, _ = start_page(client)
    with time_machine.travel(now + timedelta(minutes=10), tick=False):
        late, worked_out = start_page(client)
    assert worked_out
    assert "5 minutes left" in main(soon)
    assert "Overdue by 5 minutes" in main(late)


def test_someone_else_never_gets_another_organisations_alerts_from_the_cache(signed_in, trust_a, trust_b, bob, charlie):
    only_a = make_alert(organisations=[trust_a], title="For Trust A only")
    only_b = make_alert(organisations=[trust_b], title="For Trust B only")
    bobs, _ = start_page(signed_in(bob))
    charlies, worked_out = start_page(signed_in(charlie))
    assert worked_out
    assert only_a.title in bobs
    assert only_b.title not in bobs
    assert only_b.title in charlies
    assert only_a.title not in charlies
    assert trust_a.name not in charlies
