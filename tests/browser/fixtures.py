"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser) against pytest-django's live_server.

Use the `page` fixture and navigate with page.visit() and page.click(): each page loaded is checked with axe.
tests/conftest.py makes these fixtures available to every test package. One Chromium serves the whole run:
Playwright's sync API allows one instance per thread at a time.
"""

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.browser.pages import CheckedPage

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TEST_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[TEST_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Browser tests need Debian's Chromium at {CHROMIUM}: run `make chromium`")
    # Playwright's sync API keeps an asyncio loop running in this thread, so Django would refuse the ORM calls the
    # tests make (factories, assertions) as "async unsafe". They are not: the loop only drives the browser.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(request: pytest.FixtureRequest, chromium: Browser, live_server, transactional_db) -> Iterator[CheckedPage]:
    context = chromium.new_context(locale="en-GB")
    checked = CheckedPage(context.new_page(), live_server.url)
    yield checked
    unchecked = checked.unchecked_pages()
    context.close()
    if not request.node.stash.get(TEST_FAILED, False):
        assert not unchecked, f"Pages loaded but never checked with axe (navigate with page.visit/click): {unchecked}"
        assert not checked.problems, "Problems after the last check:\n" + "\n".join(checked.problems)
