"""/readyz: ready only when the database, cache and task queue answer, migrations are applied and the queue keeps
up; /healthz (alive) stays as it was."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from respond.core import readiness
from respond.notifications.chains import deliver_notifications

pytestmark = pytest.mark.django_db


def test_ready_when_everything_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {key: body[key] for key in ("database", "cache", "queue", "migrations", "queue_lag")} == dict.fromkeys(
        ("database", "cache", "queue", "migrations", "queue_lag"), "ok"
    )
    assert response["Cache-Control"].startswith("max-age=0")


def test_not_ready_while_migrations_are_pending(client, monkeypatch):
    monkeypatch.setattr(readiness, "_migrations_known_applied", False)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("a migration", False)])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"


def test_not_ready_when_the_task_queue_lags(client, settings, django_capture_on_commit_callbacks):
    settings.READY_MAX_QUEUE_LAG_SECONDS = 2
    with django_capture_on_commit_callbacks(execute=True):  # RQ enqueues when the transaction commits
        deliver_notifications.enqueue()
    assert client.get("/readyz").status_code == 200  # just queued: within the threshold
    with time_machine.travel(timezone.now() + timedelta(seconds=2.5), tick=False):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["queue_lag"] == "too long"
    assert response.json()["queue_lag_seconds"] > 2


def test_not_ready_when_the_cache_is_unreachable(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "set", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"


def test_not_ready_when_the_database_is_unreachable(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert response.json()["migrations"] == "unknown"
