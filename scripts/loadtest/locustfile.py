"""The load test's people (locust), against the web processes that scripts/load_test.py starts. The plan (a JSON
file named by LOAD_PLAN, made by scripts/loadtest/plan.py) gives the web addresses and each person's signed-in
session or API token and what they may open and answer; scripts/loadtest/mix.py how many of each there are.

Every request is named by its page type, so that locust's statistics give one p95 a page type; "floor" is a bare
Django view, the p95 every page is compared with. Every form is sent as a browser sends it (CSRF token included)
and counts as a success only when the service saved it (scripts/loadtest/browsing.py).
"""

import random
import re

from locust import HttpUser, between, task

from loadtest.browsing import Person, form_fields, like_a_browser, with_dates
from loadtest.machines import ApiBulk, ApiUser  # noqa: F401 - locust plays every User class named here
from loadtest.mix import FIXED, WEIGHTS

UPDATE = [("status", "in_progress"), ("actions", "Patching the affected servers in a phased roll-out")]


class Responder(Person):
    """Opens "Your alerts", an alert and its respond page, and updates its organisation's responses; acknowledges
    what "Your alerts" asks them to (the major incident, once published, for the organisation of its region that
    they also administer)."""

    weight = WEIGHTS["responder"]
    kind = "responder"

    def on_start(self) -> None:
        super().on_start()
        self.to_acknowledge: set[str] = set()

    def response_url(self, threat_id: str) -> str:
        return f"/responses/{threat_id}/{self.entry['ods_code']}/"

    @task(4)
    def your_alerts(self) -> None:
        page = self.page("/", "your alerts")
        if page is not None:
            self.to_acknowledge = set(re.findall(r'href="(/responses/[^/"]+/[^/"]+/acknowledge/)"', page.text))

    @task(3)
    def alert(self) -> None:
        self.page(f"/cyber-alerts/{random.choice(self.entry['alerts'])}/", "alert")

    @task(2)
    def respond_page(self) -> None:
        self.page(self.response_url(random.choice(self.entry["alerts"])), "respond page")

    @task(2)
    def acknowledge(self) -> None:
        if not self.to_acknowledge:
            self.your_alerts()
            return
        url = self.to_acknowledge.pop()
        response_url = url.removesuffix("acknowledge/")
        self.send_form(url, "respond: acknowledge", [], leads_to=re.escape(response_url), days_ahead=None)

    @task(2)
    def update(self) -> None:
        url = self.response_url(random.choice(self.entry["alerts"]))
        # An update acknowledges too: an acknowledge link "Your alerts" gave before it is no longer offered.
        self.to_acknowledge.discard(f"{url}acknowledge/")
        self.send_form(f"{url}update/", "respond: update", UPDATE, leads_to=re.escape(url))


class LeadResponder(Person):
    """A lead organisation's person: "Your alerts" for 200 organisations, and one response for several of them at
    once (choose, preview, confirm), for half of them (its integration answers for the other half)."""

    fixed_count = FIXED["lead"]
    kind = "lead"

    @task(3)
    def your_alerts(self) -> None:
        self.page("/", "your alerts (lead, 200 organisations)")

    @task(1)
    def bulk(self) -> None:
        if not self.entry["alerts"]:
            return
        threat_id = random.choice(self.entry["alerts"])
        url = f"/responses/{threat_id}/bulk/"
        found: list = []

        def has_form(answer) -> str:  # type: ignore[no-untyped-def]
            found.append(form_fields(answer.text, answer.url, url))
            return "" if found[0] is not None else "no bulk response form"

        page = self.page(url, "bulk response", check=has_form)
        if page is None:
            return
        ours = set(self.entry["organisations"])
        offered = re.findall(
            r'name="organisations"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="organisations"', page.text
        )
        choices = sorted({a or b for a, b in offered} & ours)
        chosen = random.sample(choices, min(3, len(choices)))
        if not chosen:
            return
        fields = [(name, value) for name, value in found[0] if name not in {"organisations", "status", "actions"}]
        fields = with_dates(fields, 7) + [("organisations", value) for value in chosen] + UPDATE
        preview = self.post_expecting_page(
            url, "bulk response: preview", fields, must_contain='value="confirm"', referer=page.url
        )
        if preview is None:
            return
        confirm = (form_fields(preview.text, preview.url, url) or []) + [("step", "confirm")]
        self.post_expecting_redirect(
            url, "bulk response: confirm", confirm, leads_to=re.escape(f"/responses/{threat_id}/"), referer=url
        )


class Administrator(Person):
    """Manages access: their organisation's people and requests."""

    weight = WEIGHTS["administrator"]
    kind = "administrator"

    @task
    def access(self) -> None:
        self.page("/access/", "access management")

    @task
    def organisation(self) -> None:
        self.page(f"/organisations/{self.entry['ods_code']}/", "organisation page")


class Auditor(Person):
    """Reports and exports across every organisation, and an alert's compliance through the API."""

    weight = WEIGHTS["auditor"]
    kind = "auditor"

    @task(3)
    def reports(self) -> None:
        self.page("/reports/", "reports list")

    @task(3)
    def alert_report(self) -> None:
        self.page(f"/reports/alerts/{random.choice(self.entry['alerts'])}/", "alert report")

    @task(1)
    def export(self) -> None:
        url = f"/exports/alerts/{random.choice(self.entry['alerts'])}/responses.csv"
        self.page(
            url,
            "alert export (CSV)",
            check=lambda answer: "" if "text/csv" in answer.headers.get("Content-Type", "") else "not CSV",
        )

    @task(1)
    def compliance(self) -> None:
        url = f"/api/v1/alerts/{random.choice(self.entry['alerts'])}/compliance"
        self.page(url, "API: compliance (auditor)", headers={"Authorization": f"Bearer {self.entry['token']}"})


class Csoc(Person):
    """A CSOC analyst: their alerts, the major incident's page (how its notifications are getting on), reports,
    and threat updates to published alerts (that organisations need not acknowledge again). Publishing the major
    incident itself is scripts/load_test.py's, one minute in."""

    fixed_count = FIXED["csoc"]
    kind = "csoc"

    @task(3)
    def alerts(self) -> None:
        self.page("/csoc/alerts/", "CSOC alerts")

    @task(3)
    def major_incident(self) -> None:
        self.page(f"/csoc/alerts/{self.entry['major_incident']}/", "CSOC alert (major incident)")

    @task(1)
    def reports(self) -> None:
        self.page("/reports/", "reports list")

    @task(1)
    def threat_update(self) -> None:
        alert = random.choice(self.entry["alerts"])
        changes = [("text", "Exploitation seen in the wild; patch now."), ("requires_reacknowledgement", "no")]
        self.send_form(
            f"/csoc/alerts/{alert}/updates/new/", "CSOC: threat update", changes, leads_to=f"/csoc/alerts/{alert}/"
        )


class GroupMember(Person):
    """A member of a closed incident group: reads its page and threads, posts and replies."""

    weight = WEIGHTS["group_member"]
    kind = "group_member"

    def on_start(self) -> None:
        super().on_start()
        self.group_url = f"/groups/{self.entry['group']}/"
        self.threads: list[str] = []

    @task(4)
    def group_page(self) -> None:
        page = self.page(self.group_url, "group page")
        if page is not None:
            self.threads = re.findall(rf'href="{self.group_url}posts/(\d+)/"', page.text) or self.threads

    @task(2)
    def thread(self) -> None:
        if self.threads:
            self.page(f"{self.group_url}posts/{random.choice(self.threads)}/", "group thread")

    @task(1)
    def post(self) -> None:
        changes = [("title", "Indicators seen here"), ("body", "Blocked **192.0.2.10** at the firewall.")]
        self.send_form(f"{self.group_url}posts/new/", "group: post", changes, leads_to=rf"{self.group_url}posts/\d+/")

    @task(1)
    def reply(self) -> None:
        if not self.threads:
            self.group_page()
            return
        url = f"{self.group_url}posts/{random.choice(self.threads)}/"
        changes = [("body", "Same here: patched overnight.")]
        self.send_form(url, "group: reply", changes, leads_to=re.escape(url), form_page="group thread")


class Reader(Person):
    """Anonymous: the public alerts pages, the feed, the JSON API and an alert's STIX bundle."""

    weight = WEIGHTS["reader"]
    kind = "reader"

    @task(3)
    def alerts(self) -> None:
        self.page("/cyber-alerts/", "public alerts")

    @task(2)
    def public_alert(self) -> None:
        self.page(f"/cyber-alerts/{random.choice(self.entry['alerts'])}/", "public alert")

    @task(1)
    def feed(self) -> None:
        self.page("/cyber-alerts/feed/rss/", "feed")

    @task(1)
    def api(self) -> None:
        self.page("/api/cyber-alerts/", "JSON API")

    @task(1)
    def stix(self) -> None:
        self.page(f"/cyber-alerts/{random.choice(self.entry['alerts'])}/stix.json", "STIX bundle")


class Floor(HttpUser):
    """The floor: a bare Django view doing one query, under the same load."""

    fixed_count = FIXED["floor"]  # always measured, however few users
    wait_time = between(1, 3)

    def on_start(self) -> None:
        like_a_browser(self)

    @task
    def floor(self) -> None:
        self.client.get("/load-test/floor", name="floor")
