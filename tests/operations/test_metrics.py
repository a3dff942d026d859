"""/metrics: Prometheus's text format behind a bearer token, with request, queue, outbox, Notify and deadline
figures; counted right across several gunicorn workers (prometheus-client's multiprocess mode)."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from respond.core import counters
from respond.notifications.models import Channel, Notification, Status
from respond.notifications.services import notifications_for_alert
from tests.notifications.conftest import make_alert

TOKEN = "metrics-token-for-tests"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_BEARER_TOKEN = TOKEN


@pytest.mark.django_db
def test_metrics_need_the_bearer_token(client, settings):
    settings.METRICS_BEARER_TOKEN = ""
    assert client.get("/metrics").status_code == 404  # off without a token
    settings.METRICS_BEARER_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


@pytest.mark.django_db
def test_metrics_show_requests_outbox_queue_notify_and_deadlines(client, metrics_on, trust_a, alice, bob):
    client.get("/accessibility-statement/")
    client.get("/no-such-page/")
    alert = make_alert(organisations=[trust_a])
    notifications_for_alert(alert=alert)
    rows = Notification.objects.filter(alert=alert)
    rows.filter(pk=rows.first().pk).update(status=Status.SENT)
    counters.increment("notify_sends", 3, channel="email")
    counters.increment("notify_errors", 1, channel="email", kind="transient")

    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response["Content-Type"].startswith("text/plain")
    found = samples(response.content.decode())
    assert found[("respond_responses_total", (("method", "GET"), ("status", "200"), ("view", "accessibility")))] >= 1
    assert found[("respond_responses_total", (("method", "GET"), ("status", "404"), ("view", "unmatched")))] >= 1
    assert found[("respond_request_duration_seconds_count", (("method", "GET"), ("view", "accessibility")))] >= 1
    email = Channel.EMAIL.value
    assert found[("respond_outbox_notifications", (("channel", email), ("state", "pending")))] == rows.count() - 1
    assert found[("respond_outbox_notifications", (("channel", email), ("state", "sent")))] == 1
    assert found[("respond_outbox_notifications", (("channel", email), ("state", "failed")))] == 0
    assert ("respond_task_queue_depth", (("queue", "default"),)) in found
    assert ("respond_task_queue_oldest_age_seconds", (("queue", "default"),)) in found
    assert found[("respond_notify_sends_total", (("channel", "email"),))] == 3
    assert found[("respond_notify_errors_total", (("channel", "email"), ("kind", "transient")))] == 1
    assert ("respond_deadlines_missed", ()) in found


def test_request_counts_add_up_across_gunicorn_workers(process_set, shared_database, tmp_path):
    shared_database.publish()
    metrics_dir = tmp_path / "metrics"
    web = process_set(
        WEB_CONCURRENCY="2", WEB_THREADS="1", METRICS_BEARER_TOKEN=TOKEN, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)
    ).start("web")
    web.wait_until_serving()
    requests_made = 60
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(lambda _: requests.get(f"{web.url}/accessibility-statement/", timeout=30), range(requests_made))
        )
    assert all(answer.status_code == 200 for answer in answers)
    # Both workers answered some: each keeps its counts in files of its own.
    assert len(set(re.findall(r"_(\d+)\.db$", "\n".join(str(p) for p in metrics_dir.iterdir()), re.M))) >= 2
    key = ("respond_responses_total", (("method", "GET"), ("status", "200"), ("view", "accessibility")))
    for _ in range(6):  # whichever worker answers the scrape gives the total of both
        scrape = requests.get(f"{web.url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
        assert scrape.status_code == 200
        assert samples(scrape.text)[key] == requests_made
