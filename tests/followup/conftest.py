"""Published alerts with hand-built responses, and the notification fixtures (a local Notify, the worker)."""

from datetime import datetime, timedelta
from itertools import count

from django.utils import timezone

from respond.accounts.models import GlobalRole
from respond.alerts.models import Alert, AlertStatus, Severity, Tlp
from respond.responses.models import Response, ResponseStatus
from tests.factories import global_user
from tests.notifications.conftest import dummy_tasks, notify, site_url  # noqa: F401 - fixtures used here too

_threat_numbers = count(6000)


def make_alert(*, organisations, published_at: datetime | None = None, **fields) -> Alert:
    """A published alert asking for a response, with a not-yet-acknowledged response for each organisation."""
    author = global_user(GlobalRole.CSOC)
    values = {
        "title": "Critical vulnerability in Example VPN",
        "severity": Severity.HIGH,
        "short_summary": "Example VPN before 9.1 lets an attacker run code remotely.",
        "summary": "A **critical** flaw.",
        "tlp": Tlp.CLEAR,
        "status": AlertStatus.PUBLISHED,
        "published_at": published_at or timezone.now() - timedelta(hours=1),
        "threat_id": f"CC-{next(_threat_numbers)}",
        "created_by": author,
        "published_by": author,
        "response_required": True,
        "response_window_hours": 48,
    }
    alert = Alert.objects.create(**{**values, **fields})
    alert.organisations.set(organisations)
    for organisation in organisations:
        Response.objects.create(alert=alert, organisation=organisation)
    return alert


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
