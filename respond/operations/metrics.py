"""Prometheus metrics (GET /metrics with the bearer token METRICS_BEARER_TOKEN).

Request metrics are counted in each web process. With PROMETHEUS_MULTIPROC_DIR set (as scripts/process.sh sets it
for gunicorn), each gunicorn worker writes its own files there and any worker's /metrics adds them all up. The rest
is read when Prometheus asks, from where every process keeps it: task queues (Redis or the database), the
notification outbox and missed deadlines (the database), and Notify sends and errors (respond.operations.counters).
"""

import os
from collections.abc import Iterator

from django.utils import timezone
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from respond.core import counters

REQUEST_SECONDS = Histogram(
    "respond_request_duration_seconds",
    "Time to answer a request, by view",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RESPONSES = Counter("respond_responses", "Responses, by view and HTTP status", ["view", "method", "status"])


def observe_request(*, view: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(view=view, method=method).observe(seconds)
    RESPONSES.labels(view=view, method=method, status=str(status)).inc()


class ServiceCollector(Collector):
    """What every process shares, read at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        yield from _task_queues()
        yield from _outbox()
        yield from _deadlines()
        yield from _shared_counters()


def _task_queues() -> Iterator[GaugeMetricFamily]:
    from respond.core.queue_stats import task_queue_stats

    depth = GaugeMetricFamily("respond_task_queue_depth", "Background tasks waiting to run", labels=["queue"])
    age = GaugeMetricFamily(
        "respond_task_queue_oldest_age_seconds", "How long the oldest waiting task has waited", labels=["queue"]
    )
    for stats in task_queue_stats():
        depth.add_metric([stats.queue], stats.depth)
        age.add_metric([stats.queue], stats.oldest_age_seconds)
    yield depth
    yield age


OUTBOX_STATES = ("pending", "sent", "failed")


def _outbox() -> Iterator[GaugeMetricFamily]:
    from django.db.models import Count

    from respond.notifications.models import FAILED_STATUSES, Channel, Notification, Status

    state_of: dict[str, str] = {Status.QUEUED: "pending", Status.SENDING: "pending"}
    state_of.update(dict.fromkeys(FAILED_STATUSES, "failed"))
    totals = {(channel, state): 0 for channel in Channel.values for state in OUTBOX_STATES}
    for row in Notification.objects.values("channel", "status").annotate(count=Count("pk")).order_by():
        state = state_of.get(row["status"], "sent")
        totals[(row["channel"], state)] = totals.get((row["channel"], state), 0) + row["count"]
    family = GaugeMetricFamily(
        "respond_outbox_notifications", "Notifications in the outbox, by channel and state", labels=["channel", "state"]
    )
    for (channel, state), count in sorted(totals.items()):
        family.add_metric([channel, state], count)
    yield family


def _deadlines() -> Iterator[GaugeMetricFamily]:
    from respond.responses.models import Response

    family = GaugeMetricFamily(
        "respond_deadlines_missed", "Open responses past a deadline (not acknowledged in time, or an update overdue)"
    )
    family.add_metric([], Response.objects.overdue(now=timezone.now()).count())
    yield family


def _shared_counters() -> Iterator[CounterMetricFamily]:
    families: dict[str, CounterMetricFamily] = {}
    label_names: dict[str, list[str]] = {}
    for (name, labels), value in sorted(counters.read_all().items()):
        if name not in families:
            label_names[name] = [key for key, _ in labels]
            families[name] = CounterMetricFamily(
                f"respond_{name}", COUNTER_HELP.get(name, name), labels=label_names[name]
            )
        if [key for key, _ in labels] == label_names[name]:
            families[name].add_metric([value for _, value in labels], value)
    yield from families.values()


COUNTER_HELP = {
    "notify_sends": "Messages handed to GOV.UK Notify (or SMTP) by the workers, by channel",
    "notify_errors": "Sends that failed (to be retried or given up), by channel and kind of error",
}


def render() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (REQUEST_SECONDS, RESPONSES):
            registry.register(collector)
    registry.register(ServiceCollector())
    return generate_latest(registry)
