"""In Chromium, with axe on every page: an auditor reads every report, charts included; a responder reads their
own organisation's history."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_responding import become

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_auditor_reads_every_report(page, live_server, compliance, auditor):
    browser = page.page
    become(page, live_server, auditor)
    page.visit("/")
    page.click(browser.get_by_role("link", name="Reports", exact=True))
    expect(browser.get_by_role("heading", level=1)).to_have_text("Compliance reports")

    page.click(browser.get_by_role("link", name=f"{compliance.x.threat_id}: {compliance.x.title}"))
    expect(browser.get_by_role("heading", level=1)).to_have_text(compliance.x.title)
    expect(
        browser.get_by_role("img", name=f"Acknowledgements of {compliance.x.threat_id} by NHS England region")
    ).to_be_visible()
    expect(browser.get_by_role("table", name="Responses by NHS England region")).to_contain_text("North West")

    page.click(browser.get_by_role("link", name="Epsilon NHS Foundation Trust"))
    expect(browser.get_by_role("heading", level=1)).to_have_text("Epsilon NHS Foundation Trust (RCC)")
    expect(browser.get_by_role("table", name="Open exceptions, the soonest review first")).to_contain_text(
        "1 August 2026"
    )

    page.visit("/reports/over-time/?date_from_day=1&date_from_month=1&date_from_year=2026")
    expect(
        browser.get_by_role("img", name="Share of organisations acknowledging within the window, by month")
    ).to_be_visible()
    browser.get_by_role("group", name="To").get_by_label("Day").fill("31")
    browser.get_by_role("group", name="To").get_by_label("Month").fill("12")
    browser.get_by_role("group", name="To").get_by_label("Year").fill("2025")
    page.click(browser.get_by_role("button", name="Apply filters"))
    expect(browser.get_by_role("alert")).to_contain_text("To date must be the same as or after the from date")
    expect(browser.get_by_role("group", name="To").get_by_label("Year")).to_have_value("2025")


def test_a_responder_reads_their_organisations_history(page, live_server, compliance, bob):
    become(page, live_server, bob)
    page.visit(f"/reports/organisations/{compliance.trust_a.ods_code}/")
    expect(page.page.get_by_role("heading", level=1)).to_have_text("Alpha Hospitals NHS Trust (RAA)")
    page.visit(f"/reports/organisations/{compliance.trust_b.ods_code}/", status=403)
