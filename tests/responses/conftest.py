"""Published alerts to respond to, and people who respond: bob and alice for Trust A, charlie for Trust B, and
lee, of a commissioning support unit, who responds on behalf of both trusts."""

from datetime import timedelta
from itertools import count

import pytest
from django.core import mail
from django.utils import timezone

from respond.accounts.models import GlobalRole, Role
from respond.alerts.models import Alert, AlertStatus, Severity, Tlp
from respond.core.audit import Auditor
from respond.organisations.models import OrganisationType
from respond.responses import services
from respond.responses.answers import Answers
from respond.responses.models import Response
from tests.factories import MembershipFactory, OrganisationFactory, global_user, member
from tests.notifications.conftest import deliver_everything, notify  # noqa: F401 - notify: a local GOV.UK Notify

_threat_numbers = count(7000)


@pytest.fixture(autouse=True)
def dummy_tasks(settings):
    """Tasks are recorded, not run: the emails wait in the outbox, and tests that read them send them with
    `send_emails()`."""
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["scheduled", "default"]}
    }


def send_emails() -> list:
    """Runs the outbox's worker in this process until nothing is left to send (no GOV.UK Notify in these tests:
    by SMTP, Django's test mailer), and returns what it sent: mail.outbox."""
    deliver_everything()
    return mail.outbox


def make_alert(*, organisations, published_at=None, **fields) -> Alert:
    """A published alert asking for a response, made directly (publishing is the alerts app's to test), with the
    "not yet acknowledged" responses publication opens."""
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
    services.open_missing_responses(alert=alert)
    return alert


@pytest.fixture
def csu():
    return OrganisationFactory(
        ods_code="0DF", name="Midlands Commissioning Support Unit", organisation_type=OrganisationType.CSU
    )


@pytest.fixture
def lee(csu, trust_a, trust_b):
    """A responder of the CSU who responds on behalf of Trust A and Trust B."""
    user = member(csu, Role.RESPONDER, email="lee@csu.nhs.uk", full_name="Lee Lead")
    MembershipFactory(user=user, organisation=trust_a, role=Role.RESPONDER)
    MembershipFactory(user=user, organisation=trust_b, role=Role.RESPONDER)
    return user


@pytest.fixture
def alert(trust_a, trust_b):
    return make_alert(organisations=[trust_a, trust_b])


def response_of(alert: Alert, organisation) -> Response:
    services.open_missing_responses(alert=alert)
    return Response.objects.select_related("alert", "organisation").get(alert=alert, organisation=organisation)


def acknowledge(response: Response, user) -> Response:
    services.response_acknowledge(
        response=response, user=user, version=response.version, auditor=Auditor.for_user(user)
    )
    response.refresh_from_db()
    return response


def update(response: Response, user, status: str, **answers) -> Response:
    services.response_update(
        response=response,
        user=user,
        version=response.version,
        status=status,
        answers=Answers(**answers),
        auditor=Auditor.for_user(user),
    )
    response.refresh_from_db()
    return response
