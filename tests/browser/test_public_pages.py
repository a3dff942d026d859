import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NHS_BLUE = "rgb(0, 94, 184)"


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/accessibility-statement/", "Accessibility statement"),
        ("/privacy-notice/", "Privacy notice"),
        ("/cookies/", "Cookies"),
    ],
)
def test_public_pages_open_without_signing_in(page, path, heading):
    page.visit(path)
    expect(page.page.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(page.page).to_have_title(re.compile("^" + re.escape(heading)))


def test_the_nhs_styles_and_footer_links_load(page):
    page.visit("/cookies/")
    header = page.page.locator(".nhsuk-header")
    assert header.evaluate("element => getComputedStyle(element).backgroundColor") == NHS_BLUE
    page.click(page.page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement"))
    assert page.path == "/accessibility-statement/"


def test_an_unknown_address_shows_page_not_found(page):
    page.visit("/no-such-page/", status=404)
    expect(page.page.get_by_role("heading", level=1)).to_have_text("Page not found")
