"""The load test's people (locust), against the web processes that scripts/load_test.py starts. The plan (a JSON
file named by LOAD_PLAN) gives the web addresses, signed-in sessions for each kind of person and what to open.

Every request is named by its page type, so that locust's statistics give one p95 a page type; "floor" is a bare
Django view, the p95 every page is compared with.
"""

import json
import os
import random
import re
from datetime import date, timedelta
from html.parser import HTMLParser

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115 - read once at start
HOSTS = PLAN["hosts"]


class FormFields(HTMLParser):
    """The fields a browser would send from the last <form method="post"> on a page (inputs kept as they are,
    checked boxes and radios, textareas)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.in_form = False
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and attributes.get("method", "").lower() == "post":
            self.in_form, self.fields = True, []
        elif self.in_form and tag == "input" and attributes.get("name"):
            kind = attributes.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                return
            if kind not in {"submit", "button"}:
                self.fields.append((attributes["name"], attributes.get("value", "")))
        elif self.in_form and tag == "textarea":
            self.textarea = attributes.get("name")

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.fields.append((self.textarea, data))
            self.textarea = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False


def form_fields(html: str) -> list[tuple[str, str]]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


def fill_dates(fields: list[tuple[str, str]], days_ahead: int) -> list[tuple[str, str]]:
    when = date.today() + timedelta(days=days_ahead)
    parts = {"day": str(when.day), "month": str(when.month), "year": str(when.year)}
    return [
        (name, parts[re.split(r"[-_]", name)[-1]] if re.search(r"[-_](day|month|year)$", name) else value)
        for name, value in fields
    ]


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 5)
    role = ""

    def on_start(self) -> None:
        self.client.base_url = random.choice(HOSTS)
        sessions = PLAN["sessions"].get(self.role) or []
        if sessions:
            self.session = random.choice(sessions)
            self.client.cookies.set(PLAN["session_cookie"], self.session["cookie"])

    def post_form(self, url: str, page_name: str, changes: dict[str, str], days_ahead: int = 3) -> None:
        page = self.client.get(url, name=page_name)
        if page.status_code != 200:
            return
        fields = [
            (name, value) for name, value in fill_dates(form_fields(page.text), days_ahead) if name not in changes
        ]
        fields += list(changes.items())
        with self.client.post(
            url, data=fields, name=f"{page_name} (send)", headers={"Referer": url}, catch_response=True
        ) as answer:
            # A redirect is success; a page again is the form with a message (such as "changed since you opened
            # it", when two people answer at once): a clean outcome too, never an error unless 4xx/5xx.
            if answer.status_code >= 400:
                answer.failure(f"status {answer.status_code}")
            else:
                answer.success()


class Responder(Person):
    """Opens "Your alerts", an alert and its respond page, and responds."""

    weight = 10
    role = "responder"

    @task(4)
    def your_alerts(self) -> None:
        self.client.get("/", name="your alerts")

    @task(3)
    def alert(self) -> None:
        self.client.get(f"/cyber-alerts/{random.choice(self.session['alerts'])}/", name="alert")

    @task(2)
    def respond(self) -> None:
        threat_id = random.choice(self.session["alerts"])
        base = f"/responses/{threat_id}/{self.session['ods_code']}/"
        self.client.get(base, name="respond page")
        self.post_form(
            f"{base}update/",
            "respond: update",
            {"status": "in_progress", "actions": "Patching the affected servers in a phased roll-out"},
        )


class LeadResponder(Person):
    """Responds for many organisations at once (bulk), and opens "Your alerts" for all of them."""

    fixed_count = 1
    role = "lead"

    @task(3)
    def your_alerts(self) -> None:
        self.client.get("/", name="your alerts (lead, 200 organisations)")

    @task(1)
    def bulk(self) -> None:
        threat_id = random.choice(self.session["alerts"])
        url = f"/responses/{threat_id}/bulk/"
        page = self.client.get(url, name="bulk response")
        if page.status_code != 200:
            return
        fields = [(name, value) for name, value in form_fields(page.text) if name == "csrfmiddlewaretoken"]
        choices = re.findall(r'name="organisations" type="checkbox" value="(\d+)"', page.text) or re.findall(
            r'value="(\d+)"[^>]*name="organisations"', page.text
        )
        chosen = random.sample(choices, min(3, len(choices)))
        fields += [("organisations", value) for value in chosen] + [("status", "acknowledge")]
        preview = self.client.post(url, data=fields, name="bulk response: preview", headers={"Referer": url})
        if preview.status_code != 200 or 'name="step"' not in preview.text:
            return
        with self.client.post(
            url,
            data=form_fields(preview.text),
            name="bulk response: confirm",
            headers={"Referer": url},
            catch_response=True,
        ) as answer:
            if answer.status_code >= 400:
                answer.failure(f"status {answer.status_code}")
            else:
                answer.success()


class Administrator(Person):
    """Manages access: their organisation's people and requests."""

    weight = 2
    role = "administrator"

    @task
    def access(self) -> None:
        self.client.get("/access/", name="access management")

    @task
    def organisation(self) -> None:
        self.client.get(f"/organisations/{self.session['ods_code']}/", name="organisation page")


class Auditor(Person):
    """Reports and exports across every organisation."""

    weight = 2
    role = "auditor"

    @task(3)
    def reports(self) -> None:
        self.client.get("/reports/", name="reports list")

    @task(3)
    def alert_report(self) -> None:
        self.client.get(f"/reports/alerts/{random.choice(self.session['alerts'])}/", name="alert report")

    @task(1)
    def export(self) -> None:
        self.client.get(
            f"/exports/alerts/{random.choice(self.session['alerts'])}/responses.csv", name="alert export (CSV)"
        )


class Reader(HttpUser):
    """Anonymous: the public alerts pages, the feed and the JSON API."""

    weight = 5
    wait_time = between(1, 5)

    def on_start(self) -> None:
        self.client.base_url = random.choice(HOSTS)

    @task(3)
    def alerts(self) -> None:
        self.client.get("/cyber-alerts/", name="public alerts")

    @task(2)
    def public_alert(self) -> None:
        self.client.get(f"/cyber-alerts/{random.choice(PLAN['public_alerts'])}/", name="public alert")

    @task(1)
    def feed(self) -> None:
        self.client.get("/cyber-alerts/feed/rss/", name="feed")

    @task(1)
    def api(self) -> None:
        self.client.get("/api/cyber-alerts/", name="JSON API")


class Floor(HttpUser):
    """The floor: a bare Django view doing one query, under the same load."""

    fixed_count = 2  # always measured, however few users
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.base_url = random.choice(HOSTS)

    @task
    def floor(self) -> None:
        self.client.get("/load-test/floor", name="floor")
