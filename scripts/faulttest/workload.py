"""What people do while a fault is injected: responders record their organisations' responses through the web
processes (over HTTP, as browsers), and a probe opens /readyz and a public page on every web process twice a
second. Every answer is classed: a page or a redirect (ok), the clean "service unavailable" page or /readyz's
503 (unavailable), no answer at all (dropped: the process answering was killed), anything else (error)."""

import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import requests

from tests.support.http_sign_in import csrf_token

UNAVAILABLE_PAGE = "Sorry, the service is unavailable"
CONFLICT = "Someone else updated this response while you were working on it"
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')


def classify(answer: requests.Response | None) -> str:
    if answer is None:
        return "dropped"
    if answer.status_code in (200, 302):
        return "ok"
    if answer.status_code == 503 and (UNAVAILABLE_PAGE in answer.text or answer.url.endswith("/readyz")):
        return "unavailable"
    return "error"


@dataclass
class Attempt:
    ods_code: str
    marker: str  # the "actions" text, unique to this attempt
    outcome: str  # saved, conflict, unavailable, dropped, error, invalid


def _dates(prefix: str, when: date) -> dict[str, str]:
    return {f"{prefix}_day": str(when.day), f"{prefix}_month": str(when.month), f"{prefix}_year": str(when.year)}


@dataclass
class Responders:
    """One thread a responder, each updating its organisation's response for the alert again and again, on the
    web processes in turn, until stopped."""

    scenario: str
    threat_id: str
    web_urls: list[str]
    sessions: list[tuple[str, str]]  # (ods code, session cookie)
    cookie_name: str
    attempts: list[Attempt] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> "Responders":
        for index, (ods_code, cookie) in enumerate(self.sessions):
            thread = threading.Thread(target=self._respond, args=(index, ods_code, cookie), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _record(self, attempt: Attempt, detail: str = "") -> None:
        with self._lock:
            self.attempts.append(attempt)
            if detail:
                self.errors.append(detail)

    def _respond(self, index: int, ods_code: str, cookie: str) -> None:
        browser = requests.Session()
        browser.cookies.set(self.cookie_name, cookie)
        count = 0
        while not self._stop.is_set():
            count += 1
            web = self.web_urls[(index + count) % len(self.web_urls)]
            url = f"{web}/responses/{self.threat_id}/{ods_code}/update/"
            marker = f"{self.scenario}: {ods_code} update {count}"
            self._update(browser, url, ods_code, marker)
            self._stop.wait(0.3)

    def _update(self, browser: requests.Session, url: str, ods_code: str, marker: str) -> None:
        try:
            page = browser.get(url, timeout=20)
        except requests.RequestException:
            return  # nothing sent: not an attempt
        if page.status_code != 200:
            if classify(page) == "error":
                self._record(Attempt(ods_code, marker, "error"), f"GET {url}: {page.status_code}")
            return
        match = VERSION.search(page.text)
        if not match:
            self._record(Attempt(ods_code, marker, "error"), f"GET {url}: no version field")
            return
        today = date.today()
        data = {
            "csrfmiddlewaretoken": csrf_token(page.text),
            "version": match.group(1) or match.group(2),
            "status": "in_progress",
            "actions": marker,
            **_dates("expected_completion_on", today + timedelta(days=14)),
            **_dates("next_update_due_on", today + timedelta(days=3)),
        }
        try:
            answer = browser.post(url, data=data, headers={"Referer": url}, allow_redirects=False, timeout=30)
        except requests.RequestException:
            self._record(Attempt(ods_code, marker, "dropped"))
            return
        if answer.status_code == 302:
            self._record(Attempt(ods_code, marker, "saved"))
        elif answer.status_code == 200:
            outcome = "conflict" if CONFLICT in answer.text else "invalid"
            self._record(Attempt(ods_code, marker, outcome), "" if outcome == "conflict" else f"POST {url}: form")
        else:
            outcome = classify(answer)
            title = re.search(r"<title>(.*?)</title>", answer.text, re.S)
            detail = f"POST {url}: {answer.status_code} {title.group(1).strip() if title else answer.text[:200]}"
            self._record(Attempt(ods_code, marker, outcome), detail)


@dataclass
class Probe:
    """/readyz and the public alerts page on every web process, twice a second, until stopped."""

    web_urls: list[str]
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    ready: dict[str, float] = field(default_factory=dict)  # web URL -> when /readyz last answered 200
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> "Probe":
        self._thread = threading.Thread(target=self._run, name="probe", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        browser = requests.Session()
        while not self._stop.is_set():
            for web in self.web_urls:
                for path in ("/readyz", "/cyber-alerts/"):
                    try:
                        answer: requests.Response | None = browser.get(f"{web}{path}", timeout=10)
                    except requests.RequestException:
                        answer = None
                    outcome = classify(answer)
                    self.outcomes[outcome] += 1
                    if outcome == "error":
                        self.errors.append(f"GET {web}{path}: {answer.status_code if answer else '-'}")
                    if path == "/readyz" and answer is not None and answer.status_code == 200:
                        self.ready[web] = time.time()
            self._stop.wait(0.5)
