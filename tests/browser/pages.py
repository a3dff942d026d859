"""A Playwright page that runs axe, and looks for broken assets and script errors, on every page it loads."""

import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Locator, Page, Request, Response, Route

PROJECT_DIR = Path(__file__).resolve().parents[2]
AXE_SOURCE = (PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js").read_text()
# Only violations are read: axe then details only those (one node each for the other kinds of result), and only
# they are sent back, rather than every passing node of every rule.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
SCREENSHOT_DIR = PROJECT_DIR / "test-results"
ASSET_TYPES = {"stylesheet", "script", "image", "font"}
# Hosts other than this service that pages may fetch from. Browser tests never reach the internet: requests to
# these hosts are blocked quietly, and requests anywhere else are reported.
THIRD_PARTY_HOSTS = {
    "assets.nhs.uk": "NHS.UK fonts (Frutiger), allowed by the CSP's font-src",
}


class AccessibilityViolation(AssertionError):
    pass


class CheckedPage:
    """Navigate only through visit() and click(): each loaded page is then checked before the test goes on.

    Every page load is recorded, and the fixture fails a test that loaded a page it never checked.
    """

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.loaded: list[str] = []
        self.checked: list[str] = []
        self.problems: list[str] = []
        # An init script runs through the DevTools protocol, so the page's CSP (no inline script) does not block it.
        page.add_init_script(script=AXE_SOURCE)
        page.on("load", lambda loaded: self.loaded.append(loaded.url))
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("console", self._on_console)
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)
        page.route(re.compile(rf"^(?!{re.escape(self.base_url)}/)"), self._outside_request)

    def visit(self, path: str, *, status: int = 200) -> Response:
        response = self.page.goto(self.base_url + path)
        assert response is not None, f"No response from {path}"
        assert response.status == status, f"{path} answered {response.status}, not {status}"
        self.check()
        return response

    def click(self, target: Locator, *, status: int = 200) -> Response:
        """Follows a link or presses a button that loads another page."""
        with self.page.expect_navigation() as navigation:
            target.click()
        response = navigation.value
        assert response is not None, f"No response after clicking {target}"
        assert response.status == status, f"{response.url} answered {response.status}, not {status}"
        self.check()
        return response

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def screenshot(self, name: str) -> Path:
        SCREENSHOT_DIR.mkdir(exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    def check(self) -> None:
        """axe (WCAG 2.2 AA rules) on the page as it is now, and no broken assets or script errors so far."""
        self.page.wait_for_load_state("load")
        url = self.page.url
        violations = self.page.evaluate(
            "async options => (await window.axe.run(document, options)).violations", AXE_OPTIONS
        )
        self.checked.append(url)
        problems, self.problems = self.problems, []
        if violations:
            raise AccessibilityViolation(describe_violations(url, violations))
        assert not problems, f"Problems on {url}:\n" + "\n".join(problems)

    def unchecked_pages(self) -> list[str]:
        self.page.evaluate("0")  # lets Playwright deliver any "load" events still in flight
        return list((Counter(self.loaded) - Counter(self.checked)).elements())

    def _on_console(self, message: ConsoleMessage) -> None:
        # A failed document or asset load is reported by _on_response; anything else logged as an error (a CSP
        # violation, an exception) is a problem.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console error: {message.text}")

    def _on_response(self, response: Response) -> None:
        if response.request.resource_type in ASSET_TYPES and response.status >= 400:
            self.problems.append(f"{response.request.resource_type} {response.url} answered {response.status}")

    def _on_request_failed(self, request: Request) -> None:
        # Leaving a page cancels what it was still fetching (ERR_ABORTED): not a fault of the page.
        if request.failure != "net::ERR_ABORTED" and urlsplit(request.url).hostname not in THIRD_PARTY_HOSTS:
            self.problems.append(f"request for {request.url} failed: {request.failure}")

    def _outside_request(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")):
            route.continue_()
            return
        if urlsplit(url).hostname not in THIRD_PARTY_HOSTS:
            self.problems.append(f"request outside the service: {url} (add its host to THIRD_PARTY_HOSTS if expected)")
        route.abort("blockedbyclient")


def describe_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe found {len(violations)} accessibility rule(s) broken on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = [line.strip() for line in str(node.get("failureSummary") or "").splitlines() if line.strip()]
            lines.append(f"    at {target}: {' '.join(summary[:1])} {'; '.join(summary[1:])}".rstrip())
    return "\n".join(lines)
