"""In Chromium, with axe on every page: a responder chooses a period on the exports page (and is told what is
wrong with it), then creates, replaces and stops their calendar feed."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from respond.exports.models import CalendarFeed
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def become(checked_page, live_server, user) -> None:
    session = sign_in(Client(), user).cookies["sessionid"].value
    context = checked_page.page.context
    context.clear_cookies()
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


def test_the_exports_page_checks_the_dates(page, live_server, bob, history):
    browser = page.page
    become(page, live_server, bob)
    page.visit("/exports/")
    expect(browser.get_by_role("heading", level=1)).to_have_text("Export data")
    expect(browser.get_by_role("link", name=f"CSV of responses to {history['summer'].threat_id}")).to_be_visible()
    history_form = browser.locator("form").filter(has=browser.get_by_role("button", name="Download response history"))
    history_form.locator("input[name='history-date_from_day']").fill("31")
    history_form.locator("input[name='history-date_from_month']").fill("2")
    history_form.locator("input[name='history-date_from_year']").fill("2025")
    history_form.get_by_role("radio", name="Excel workbook (XLSX)").check()
    page.click(browser.get_by_role("button", name="Download response history"))
    expect(browser.get_by_role("alert")).to_contain_text("From date must be a real date")
    expect(browser.locator("input[name='history-date_from_day']")).to_have_value("31")
    expect(browser.get_by_role("radio", name="Excel workbook (XLSX)").first).to_be_checked()
    # The bad dates of a download's address get their own page.
    page.visit("/exports/history.csv?from=2025-02-31", status=400)
    expect(browser.get_by_role("main")).to_contain_text("Use the form YYYY-MM-DD")


def test_a_person_creates_replaces_and_stops_their_calendar_feed(page, live_server, bob):
    browser = page.page
    become(page, live_server, bob)
    page.visit("/exports/calendar/")
    page.click(browser.get_by_role("button", name="Create a calendar address"))
    address = browser.get_by_label("Calendar address").input_value()
    assert address.startswith(f"{live_server.url}/exports/calendar/")
    assert address.endswith(".ics")
    assert Client().get(address.removeprefix(live_server.url)).status_code == 200
    page.click(browser.get_by_role("button", name="Replace the address"))
    assert browser.get_by_label("Calendar address").input_value() != address
    page.click(browser.get_by_role("button", name="Stop the calendar feed"))
    expect(browser.get_by_role("heading", name="You do not have a calendar feed")).to_be_visible()
    assert not CalendarFeed.objects.filter(user=bob, revoked_at__isnull=True).exists()
