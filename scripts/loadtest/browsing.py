"""What every person of the load test does as a browser would: open a page and check it is the page asked for
(not the sign-in page a lost session leads to), and fill in and send a form with its CSRF token, checking that
the service took it (the redirect a saved form gives, to where it should lead) rather than only that it answered.
Anything else is counted as a failure, with the page's error message when it shows one."""

import json
import os
import random
import re
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser
from itertools import count
from typing import Any
from urllib.parse import urljoin, urlsplit

from locust import HttpUser, between
from urllib3.util.retry import Retry

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115 - read once at start
HOSTS = PLAN["hosts"]
SIGN_IN_PATHS = ("/account/login/", "/account/2fa/", "/account/reauthenticate/")
ERROR_SUMMARY = re.compile(r'class="nhsuk-error-summary".*?</div>', re.S)
_handed_out: defaultdict[str, count] = defaultdict(count)


class Forms(HTMLParser):
    """Each <form method="post"> of a page: its action and the fields a browser would send (inputs as they are,
    checked boxes and radios, textareas, selected options; never the buttons, which the caller chooses)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self.fields: list[tuple[str, str]] | None = None
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and attributes.get("method", "").lower() == "post":
            self.fields = []
            self.forms.append((attributes.get("action", ""), self.fields))
        elif self.fields is None or not (attributes.get("name") or tag == "option"):
            return
        elif tag == "input":
            kind = attributes.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                return
            if kind not in {"submit", "button", "image", "file"}:
                self.fields.append((attributes["name"], attributes.get("value", "")))
        elif tag == "textarea":
            self.textarea = attributes["name"]
            self.fields.append((self.textarea, ""))
        elif tag == "select":
            self.select = attributes["name"]
        elif tag == "option" and self.select and "selected" in attributes:
            self.fields.append((self.select, attributes.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self.textarea and self.fields:
            name, text = self.fields[-1]
            self.fields[-1] = (name, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.fields = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None


def form_fields(html: str, page_url: str, action_path: str) -> list[tuple[str, str]] | None:
    """The fields of the page's form that posts to `action_path`, or None when the page has no such form."""
    parser = Forms()
    parser.feed(html)
    for action, fields in parser.forms:
        if urlsplit(urljoin(page_url, action)).path == action_path:
            return fields
    return None


def with_dates(fields: list[tuple[str, str]], days_ahead: int) -> list[tuple[str, str]]:
    """Every date field (name-day, name-month, name-year) set to `days_ahead` days from today."""
    when = date.today() + timedelta(days=days_ahead)
    parts = {"day": str(when.day), "month": str(when.month), "year": str(when.year)}
    return [
        (name, parts[re.split(r"[-_]", name)[-1]] if re.search(r"[-_](day|month|year)$", name) else value)
        for name, value in fields
    ]


def error_message(html: str) -> str:
    """The page's error summary as one short line (what a person would read), or its title."""
    summary = ERROR_SUMMARY.search(html)
    text = summary.group(0) if summary else (re.search(r"<title>(.*?)</title>", html, re.S) or [""])[0]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split())[:200]


def like_a_browser(user: HttpUser) -> None:
    """A web process of its own, and a page read again once when the connection it reused was closed under it
    (gunicorn closes a connection idle for 5 seconds; if that crosses a request, a browser tries again)."""
    user.client.base_url = random.choice(HOSTS)
    for adapter in user.client.adapters.values():
        adapter.max_retries = Retry(total=1, connect=1, read=1, status=0, allowed_methods={"GET", "HEAD"})


class Person(HttpUser):
    abstract = True
    kind = ""  # the plan's name for this kind of person (its sessions, tokens)
    wait_time = between(1, 4)  # under gunicorn's 5 seconds' keep-alive, so that forms are not sent as it closes

    def on_start(self) -> None:
        like_a_browser(self)
        entries = PLAN["people"].get(self.kind) or [{}]
        # Each person their own entry (organisation, session, token), in turn: the plan made enough.
        self.entry = entries[next(_handed_out[self.kind]) % len(entries)]
        if "cookie" in self.entry:
            self.client.cookies.set(PLAN["session_cookie"], self.entry["cookie"])

    def page(self, url: str, name: str, check: Callable[[Any], str] | None = None, **kwargs: Any) -> Any:
        """GET a page; a failure unless it answers 200 where it was asked (not redirected to sign in) and `check`
        (given the answer) finds nothing wrong. Returns the answer, or None."""
        with self.client.get(url, name=name, catch_response=True, **kwargs) as answer:
            if answer.status_code != 200:
                problem = f"status {answer.status_code}" + (f": {answer.error}" if answer.status_code == 0 else "")
            elif urlsplit(answer.url).path.startswith(SIGN_IN_PATHS):
                problem = "sent to sign in: the session was lost"
            else:
                problem = check(answer) if check else ""
            if problem:
                answer.failure(problem)
                return None
            answer.success()
            return answer

    def send_form(
        self,
        url: str,
        name: str,
        changes: list[tuple[str, str]],
        *,
        leads_to: str,
        days_ahead: int | None = 7,
        form_page: str = "",
        action: str = "",
    ) -> str | None:
        """Open the form at `url` (named `form_page`, or "<name>: form"), fill it in as a browser would with
        `changes` (dates `days_ahead` from today, or as the form gave them when None), and send it to `action`
        (the page itself when empty). Success is the redirect of a saved form
        to a path matching the pattern `leads_to`; returns that path, or None (a failure, with the message the
        page gave: a form shown again with its errors is not a success)."""
        action_path = action or urlsplit(url).path
        found: list[list[tuple[str, str]]] = []

        def has_form(answer: Any) -> str:
            fields = form_fields(answer.text, answer.url, action_path)
            found.extend([fields] if fields is not None else [])
            return "" if found else f"no form posting to {action_path}"

        page = self.page(url, form_page or f"{name}: form", check=has_form)
        if page is None:
            return None
        fields = found[0]
        changed = {field for field, _ in changes}
        if days_ahead is not None:
            fields = with_dates(fields, days_ahead)
        data = [(field, value) for field, value in fields if field not in changed] + changes
        return self.post_expecting_redirect(action_path, name, data, leads_to=leads_to, referer=page.url)

    def post_expecting_redirect(
        self, url: str, name: str, data: list[tuple[str, str]], *, leads_to: str, referer: str
    ) -> str | None:
        headers = {"Referer": referer}
        with self.client.post(
            url, data=data, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as answer:
            location = urlsplit(answer.headers.get("Location", "")).path
            if answer.status_code in (302, 303) and re.fullmatch(leads_to, location):
                answer.success()
                return location
            if answer.status_code in (302, 303):
                answer.failure(f"redirected to {location}, not {leads_to}")
            else:
                answer.failure(f"status {answer.status_code}: {error_message(answer.text)}")
        return None

    def post_expecting_page(
        self, url: str, name: str, data: list[tuple[str, str]], *, must_contain: str, referer: str
    ) -> Any:
        """POST a step of a journey that answers with the next page (a preview): a failure unless it is 200 and
        holds `must_contain`. Returns the answer, or None."""
        with self.client.post(
            url, data=data, name=name, headers={"Referer": referer}, allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code == 200 and must_contain in answer.text:
                answer.success()
                return answer
            answer.failure(f"status {answer.status_code}: {error_message(answer.text)}")
        return None
