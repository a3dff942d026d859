"""The load test's machines: organisations' integrations using the REST API (/api/v1/) and TAXII (/taxii2/) with
their API tokens. Each answer is checked: JSON of the expected shape, and a recorded response's new version."""

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from locust import task

from loadtest.browsing import Person
from loadtest.mix import FIXED, WEIGHTS

TAXII = "application/taxii+json;version=2.1"


def in_progress() -> dict[str, str]:
    later = (date.today() + timedelta(days=7)).isoformat()
    return {
        "status": "in_progress",
        "actions": "Patch deployed by our configuration manager to half the estate",
        "expected_completion_on": later,
        "next_update_due_on": later,
    }


def json_with(key: str) -> Any:
    """A check that the answer is a JSON object holding `key`."""

    def check(answer: Any) -> str:
        try:
            body = answer.json()
        except ValueError:
            return "not JSON"
        return "" if isinstance(body, dict) and key in body else f"no {key!r} in the answer"

    return check


class Integration(Person):
    abstract = True

    def on_start(self) -> None:
        super().on_start()
        self.client.headers["Authorization"] = f"Bearer {self.entry['token']}"

    def send_json(
        self, url: str, name: str, body: dict, *, check: Callable[[Any], str], headers: dict[str, str] | None = None
    ) -> None:
        """POST JSON; a failure unless it answers 200 with JSON that `check` finds nothing wrong with."""
        with self.client.post(url, json=body, name=name, headers=headers or {}, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"status {answer.status_code}: {answer.text[:200]}")
                return
            try:
                problem = check(answer.json())
            except ValueError:
                problem = "not JSON"
            if problem:
                answer.failure(problem)
            else:
                answer.success()


class ApiUser(Integration):
    """An organisation's integration: the alerts it must answer, one response read and recorded (with its ETag
    in If-Match), and its TAXII collection."""

    weight = WEIGHTS["api"]
    kind = "api"

    @task(3)
    def alerts(self) -> None:
        self.page("/api/v1/alerts", "API: alerts", check=json_with("items"))

    @task(2)
    def respond(self) -> None:
        url = f"/api/v1/alerts/{random.choice(self.entry['alerts'])}/responses/{self.entry['ods_code']}"
        read = self.page(url, "API: response", check=json_with("version"))
        if read is None:
            return
        version = read.json()["version"]

        def recorded(body: Any) -> str:
            return "" if body.get("version") == version + 1 else f"version {body.get('version')} after {version}"

        headers = {"If-Match": read.headers.get("ETag", "")}
        self.send_json(url, "API: respond", in_progress(), check=recorded, headers=headers)

    @task(2)
    def taxii(self) -> None:
        headers = {"Accept": TAXII}
        listed = self.page(
            "/taxii2/alerts/collections/", "TAXII: collections", headers=headers, check=json_with("collections")
        )
        if listed is None:
            return
        collections = listed.json()["collections"]
        ours = [c["id"] for c in collections if not c["title"].startswith("Public")] or [collections[0]["id"]]
        url = f"/taxii2/alerts/collections/{ours[0]}/objects/?limit=50"
        self.page(url, "TAXII: objects", headers=headers, check=json_with("more"))


class ApiBulk(Integration):
    """A lead organisation's integration: one response for several of its organisations at once (all or
    nothing), for the half of them its person does not answer for through the forms."""

    fixed_count = FIXED["api_bulk"]
    kind = "api_bulk"

    @task(1)
    def bulk(self) -> None:
        if not self.entry["alerts"]:
            return
        threat_id, codes = random.choice(list(self.entry["alerts"].items()))
        chosen = random.sample(codes, min(5, len(codes)))
        body = {**in_progress(), "organisations": chosen}

        def recorded(answer: Any) -> str:
            listed = sorted(row["ods_code"] for row in answer.get("results", []))
            return "" if listed == sorted(chosen) else f"recorded for {listed}, not {sorted(chosen)}"

        self.send_json(f"/api/v1/alerts/{threat_id}/responses", "API: bulk respond", body, check=recorded)

    @task(2)
    def alerts(self) -> None:
        self.page("/api/v1/alerts", "API: alerts (lead, 100 organisations)", check=json_with("items"))
