"""Published alerts with hand-built responses, and the notification fixtures (a local Notify, the worker)."""

from django.utils import timezone

from respond.alerts.models import Alert
from respond.responses.models import Response, ResponseStatus
from tests.notifications.conftest import dummy_tasks, notify, site_url  # noqa: F401 - fixtures used here too
from tests.responses.conftest import make_alert  # noqa: F401 - published, with its responses open


def set_response(alert: Alert, organisation, **fields) -> Response:
    """Sets a response's current state directly: these tests are about follow-up, not responding."""
    Response.objects.filter(alert=alert, organisation=organisation).update(**fields)
    return Response.objects.get(alert=alert, organisation=organisation)


def in_progress(alert: Alert, organisation, *, next_update_due_on) -> Response:
    return set_response(
        alert,
        organisation,
        status=ResponseStatus.IN_PROGRESS,
        acknowledged_at=timezone.now(),
        acknowledged_within_window=True,
        next_update_due_on=next_update_due_on,
        version=1,
    )
