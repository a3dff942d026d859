"""In Chromium, with axe on every page: a responder makes an API token (shown once), sees it listed, uses it,
and revokes it; the API documentation page runs Swagger UI from our own files under the CSP."""

import re

import pytest
from playwright.sync_api import expect

from respond.accounts.api_tokens import authenticate_api_token
from tests.browser.test_access_journey import become

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_make_use_and_revoke_an_api_token(page, live_server, bob, trust_a):
    browser = page.page
    become(page, live_server, bob)
    page.visit("/api-tokens/")
    expect(browser.get_by_role("main")).to_contain_text("You have no API tokens")
    page.click(browser.get_by_role("button", name="Make token"))  # no name, no access chosen
    expect(browser).to_have_title(re.compile(r"^Error: "))
    expect(browser.get_by_role("alert")).to_contain_text("Enter a name for the token")
    browser.get_by_label("Name").fill("ServiceNow")
    browser.get_by_label("Read and respond").check()
    browser.get_by_label("30 days").check()
    page.click(browser.get_by_role("button", name="Make token"))
    secret = browser.locator(".app-token-secret").inner_text().strip()
    assert re.fullmatch(r"rca_[A-Za-z0-9_-]{40,}", secret)
    assert authenticate_api_token(secret, ip_address="192.0.2.9").organisation_ids == {trust_a.pk}
    page.click(browser.get_by_role("link", name="Back to your API tokens"))
    main = browser.get_by_role("main")
    expect(main).to_contain_text("ServiceNow")
    expect(main).to_contain_text("from 192.0.2.9")
    expect(main).not_to_contain_text(secret)
    page.click(browser.get_by_role("button", name="Revoke the token ServiceNow"))
    expect(main).to_contain_text("You have revoked the token “ServiceNow”")
    assert authenticate_api_token(secret, ip_address=None) is None


def test_api_documentation_page_renders_under_the_csp(page):
    page.visit("/api/v1/docs")
    expect(page.page.get_by_text("Record one response for many organisations").first).to_be_visible()
    page.check()  # axe and the console (a CSP violation is a console error) once Swagger UI has rendered
