"""The harness itself: axe really runs the WCAG rules; unchecked pages and requests to the internet are noticed."""

import pytest

from tests.browser.pages import AccessibilityViolation, CheckedPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_axe_names_the_rules_a_page_breaks_and_where(page):
    page.visit("/cookies/")
    page.page.evaluate(
        """image => {
            document.documentElement.removeAttribute("lang");
            document.querySelector("main").insertAdjacentHTML("beforeend", image);
        }""",
        '<img id="unlabelled" src="/static/nhsuk/assets/images/favicon.svg">',
    )
    with pytest.raises(AccessibilityViolation) as failure:
        page.check()
    message = str(failure.value)
    assert "html-has-lang (serious)" in message
    assert "image-alt (critical)" in message
    assert "at #unlabelled" in message


def test_a_request_outside_the_service_is_reported_and_never_sent(chromium, live_server):
    # Without the CSP (which blocks this image too), only the harness stands between the page and the internet.
    context = chromium.new_context(bypass_csp=True)
    try:
        checked = CheckedPage(context.new_page(), live_server.url)
        checked.visit("/cookies/")
        with context.expect_event("requestfailed") as blocked:
            checked.page.evaluate(
                """image => document.querySelector("main").insertAdjacentHTML("beforeend", image)""",
                '<img alt="Tracking pixel" src="https://tracker.example.com/pixel.png">',
            )
        assert (blocked.value.failure or "").startswith("net::ERR_BLOCKED_BY_CLIENT")
        with pytest.raises(AssertionError, match=r"request outside the service: https://tracker\.example\.com/pixel"):
            checked.check()
    finally:
        context.close()


def test_a_page_loaded_but_not_checked_is_reported(chromium, live_server):
    context = chromium.new_context()
    try:
        checked = CheckedPage(context.new_page(), live_server.url)
        checked.page.goto(live_server.url + "/cookies/")
        assert checked.unchecked_pages() == [live_server.url + "/cookies/"]
        checked.check()
        assert checked.unchecked_pages() == []
    finally:
        context.close()
