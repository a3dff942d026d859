"""In Chromium, with axe on every page: CSOC staff write, approve and publish an alert; the public and an in-scope
user read it. The browser fixtures come from tests/browser (see conftest.py)."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from respond.alerts.models import Alert, AlertStatus
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def become(checked_page, live_server, user) -> None:
    """Signs the browser in as this person (with a second factor), replacing whoever was signed in."""
    session = sign_in(Client(), user).cookies["sessionid"].value
    context = checked_page.page.context
    context.clear_cookies()
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


def test_csoc_staff_write_approve_and_publish_an_alert(page, live_server, csoc, dana, bob, trust_a):
    browser = page.page
    become(page, live_server, csoc)
    page.visit("/csoc/alerts/")
    page.click(browser.get_by_role("button", name="Write a new alert"))

    browser.get_by_label("Title").fill("Critical vulnerability in Example Gateway")
    page.click(browser.get_by_role("button", name="Save draft"))  # nothing filled in but the title
    expect(browser.get_by_role("alert")).to_contain_text("Select a TLP marking")

    browser.get_by_role("radio", name="High").check()
    browser.get_by_role("radio", name="TLP:CLEAR").check()
    browser.get_by_label("Short summary").fill("Attackers can run code on Example Gateway.")
    browser.get_by_label("Summary", exact=True).fill("Upgrade **today**.")
    browser.get_by_label("CVE IDs").fill("CVE-2024-12345")
    browser.locator("#id_platform-0-platform").fill("Example Gateway")
    browser.locator("#id_platform-0-versions").fill("Before 2.4.1")
    browser.locator("#id_step-0-step_type").select_option("Upgrade")
    browser.locator("#id_step-0-step").fill("Upgrade to 2.4.1.")
    browser.locator("input[name=major_incident][value=no]").check()
    page.click(browser.get_by_role("button", name="Save draft"))
    expect(browser.get_by_role("heading", level=1)).to_have_text("Critical vulnerability in Example Gateway")

    page.click(browser.get_by_role("link", name="Preview the alert as recipients will see it"))
    expect(browser.get_by_role("main")).to_contain_text("Given when it is published")
    browser.go_back()
    page.check()
    page.click(browser.get_by_role("button", name="Send for approval"))
    expect(browser.get_by_role("main")).to_contain_text("another member of the CSOC team must approve it")

    become(page, live_server, dana)
    alert = Alert.objects.get()
    page.visit(alert.get_csoc_url())
    page.click(browser.get_by_role("button", name="Approve for publication"))
    page.click(browser.get_by_role("button", name="Publish"))
    expect(browser.get_by_role("heading", level=1)).to_have_text("Publish this alert")
    page.click(browser.get_by_role("button", name="Publish alert"))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.PUBLISHED
    expect(browser.get_by_role("main")).to_contain_text(f"Published as {alert.threat_id}")

    browser.context.clear_cookies()
    page.visit("/cyber-alerts/")
    page.click(browser.get_by_role("link", name=f"{alert.threat_id}: Critical vulnerability in Example Gateway"))
    expect(browser.get_by_role("main")).to_contain_text("Example Gateway")
    expect(browser.get_by_role("link", name="CVE-2024-12345")).to_have_attribute(
        "href", "https://nvd.nist.gov/vuln/detail/CVE-2024-12345"
    )


def test_a_restricted_alert_is_marked_for_its_readers(page, live_server, make_published, bob):
    alert = make_published(tlp="amber_strict")
    page.visit(alert.get_absolute_url(), status=404)
    become(page, live_server, bob)
    page.visit(alert.get_absolute_url())
    expect(browser_main := page.page.get_by_role("main")).to_contain_text("TLP:AMBER+STRICT")
    expect(browser_main).to_contain_text("only on a need-to-know basis within your organisation")
