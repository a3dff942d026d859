"""Logs are JSON lines carrying the request id (into the tasks the request enqueued), the user id and the
organisation, and never an email address, phone number, token or the content of an alert of TLP:AMBER."""

import io
import json
import logging

import pytest
from django.conf import settings
from django.core.management import call_command

from respond.accounts.models import GlobalRole
from respond.alerts import services
from respond.alerts.models import Tlp
from respond.core.audit import Auditor
from respond.operations.logs import structured_formatter
from tests.alerts.conftest import make_content
from tests.factories import global_user
from tests.notifications.conftest import with_mobile

# The RQ worker closes the database connection after a job, which a test transaction would not survive: with
# Redis, the test commits for real.
pytestmark = pytest.mark.django_db(transaction=bool(settings.REDIS_URL))
MOBILE = "+447700900123"


@pytest.fixture
def log_lines():
    """Every log line, formatted as in production, from here on."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(structured_formatter(json=True))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: stream.getvalue()
    root.removeHandler(handler)
    root.setLevel(level)


def run_queued_tasks() -> None:
    """A worker's run, in this process so that its log lines are captured."""
    if settings.REDIS_URL:
        call_command(
            "rqworker", "default", burst=True, job_class="django_tasks_rq.Job", worker_class="rq.worker.SimpleWorker"
        )
    else:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0")


def test_logs_carry_request_ids_into_tasks_and_never_personal_data_or_restricted_content(
    log_lines, notify, signed_in, csoc, trust_a, alice, django_capture_on_commit_callbacks
):
    with_mobile(alice, MOBILE)
    approver = global_user(GlobalRole.CSOC, email="dana@csoc.nhs.uk")
    content = make_content(
        tlp=Tlp.AMBER,
        title="Secret-ish zero day in Example Gateway",
        short_summary="Gateway zero day under active exploitation in two trusts",
        summary="Only for recipients: exploitation seen at named trusts.",
    )
    alert = services.alert_create(content=content, created_by=csoc, auditor=Auditor.for_user(csoc))
    services.alert_submit_for_approval(alert=alert, submitted_by=csoc, auditor=Auditor.for_user(csoc))
    services.alert_approve(alert=alert, approved_by=approver, auditor=Auditor.for_user(approver))
    notify.reject(alice.email, f"Can't send to {alice.email} or {MOBILE}")  # an error message full of addresses

    publisher = signed_in(csoc)
    # The work enqueued when the publication commits (at the end of the view's transaction in production; here
    # when the test's transaction would commit, still in the request's log context).
    with django_capture_on_commit_callbacks(execute=True):
        published = publisher.post(f"/csoc/alerts/{alert.pk}/publish/", headers={"X-Request-ID": "req-publish-0001"})
    assert published.status_code == 302
    assert published["X-Request-ID"] == "req-publish-0001"
    responder = signed_in(alice)
    responder.get("/")
    run_queued_tasks()
    logging.getLogger("respond.test").error(
        "A library said: %s", f"Bearer {notify.api_key} for {alice.email}, call {MOBILE} or 07700 900 123"
    )

    text = log_lines()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    publish = next(line for line in lines if line.get("view") == "alerts_csoc:publish")
    assert publish["request_id"] == "req-publish-0001"
    assert publish["user_id"] == csoc.pk
    task_lines = [line for line in lines if line.get("task", "").endswith("deliver_notifications")]
    assert any(line["event"] == "task started" for line in task_lines)
    # Including what the sending threads log (the Notify client's warning about the refused address).
    assert any(line["logger"] == "notifications_python_client.base" for line in task_lines)
    assert all(line["request_id"] == "req-publish-0001" and line["user_id"] == csoc.pk for line in task_lines)
    home = next(line for line in lines if line.get("view") == "home")
    assert home["user_id"] == alice.pk
    assert home["organisation_ids"] == [trust_a.pk]
    assert home["request_id"] != "req-publish-0001"

    for secret in (
        alice.email,
        csoc.email,
        MOBILE,
        "07700 900 123",
        notify.api_key,
        notify.secret,
        publisher.cookies[settings.SESSION_COOKIE_NAME].value,
        content.title,
        content.short_summary,
        content.summary,
    ):
        assert secret not in text
    assert "[email]" in text
    assert "[phone]" in text
    assert "[token]" in text
