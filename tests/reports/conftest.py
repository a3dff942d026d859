"""A compliance picture small enough to work out by hand (see `Compliance`).

Alert X (high) was published on 1 June 2026 at 9am London time, with 48 hours to acknowledge:
- Trust A (NHS trust, London) acknowledged after 2 hours, completed after 26 hours;
- Trust B (NHS trust, North West) acknowledged after 50 hours (late), still in progress;
- the ICB (London) acknowledged after 10 hours, not applicable after 12 hours;
- the CSU (no region) never acknowledged;
- the foundation trust (North West) acknowledged after 30 hours, then unable to implement (review 1 August 2026).
Alert Y (medium) was published on 10 July 2026 at 10am: Trust A acknowledged after 60 hours (late), Trust B never.
Alert Z (high) was published 2 hours ago: nobody has acknowledged it yet.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from respond.accounts.models import Role, User
from respond.alerts.models import Alert, Severity
from respond.organisations.models import Organisation, OrganisationType
from respond.responses.models import NotApplicableReason, ResponseStatus
from tests.core.html import parse
from tests.factories import MembershipFactory, OrganisationFactory, RegionFactory, member
from tests.responses.conftest import acknowledge, make_alert, response_of, update

LONDON = ZoneInfo("Europe/London")
X_PUBLISHED = datetime(2026, 6, 1, 9, 0, tzinfo=LONDON)
Y_PUBLISHED = datetime(2026, 7, 10, 10, 0, tzinfo=LONDON)
REVIEW_ON = date(2026, 8, 1)


@pytest.fixture(autouse=True)
def dummy_tasks(settings):
    """Responding queues emails as tasks: none are run here."""
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["scheduled", "default"]}
    }


@pytest.fixture
def london():
    return RegionFactory(code="Y56", name="London")


@pytest.fixture
def north_west():
    return RegionFactory(code="Y62", name="North West")


@dataclass
class Compliance:
    x: Alert
    y: Alert
    z: Alert
    trust_a: Organisation
    trust_b: Organisation
    icb: Organisation
    csu: Organisation
    foundation_trust: Organisation
    responder: User


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def compliance(trust_a, trust_b, london, north_west) -> Compliance:
    trust_a.region = london
    trust_a.save()
    trust_b.region = north_west
    trust_b.save()
    icb = OrganisationFactory(
        ods_code="QAA", name="Gamma Integrated Care Board", organisation_type="icb", region=london
    )
    csu = OrganisationFactory(
        ods_code="0DE", name="Delta Commissioning Support Unit", organisation_type=OrganisationType.CSU, region=None
    )
    foundation_trust = OrganisationFactory(
        ods_code="RCC",
        name="Epsilon NHS Foundation Trust",
        organisation_type=OrganisationType.FOUNDATION_TRUST,
        region=north_west,
    )
    responder = member(trust_a, Role.RESPONDER, email="ruth@alpha.nhs.uk", full_name="Ruth Responder")
    for organisation in (trust_b, icb, csu, foundation_trust):
        MembershipFactory(user=responder, organisation=organisation, role=Role.RESPONDER)

    x = make_alert(organisations=[trust_a, trust_b, icb, csu, foundation_trust], published_at=X_PUBLISHED)
    y = make_alert(organisations=[trust_a, trust_b], published_at=Y_PUBLISHED, severity=Severity.MEDIUM)
    z = make_alert(organisations=[trust_a], published_at=timezone.now() - timedelta(hours=2))

    def hours_after(published: datetime, hours: float) -> datetime:
        return published + timedelta(hours=hours)

    with at(hours_after(X_PUBLISHED, 2)):
        a = acknowledge(response_of(x, trust_a), responder)
    with at(hours_after(X_PUBLISHED, 10)):
        gamma = acknowledge(response_of(x, icb), responder)
    with at(hours_after(X_PUBLISHED, 12)):
        update(gamma, responder, ResponseStatus.NOT_APPLICABLE, not_applicable_reason=NotApplicableReason.NOT_IN_USE)
    with at(hours_after(X_PUBLISHED, 26)):
        update(a, responder, ResponseStatus.COMPLETE, completed_on=date(2026, 6, 2), completion_summary="Patched")
    with at(hours_after(X_PUBLISHED, 30)):
        epsilon = acknowledge(response_of(x, foundation_trust), responder)
        update(
            epsilon,
            responder,
            ResponseStatus.UNABLE_TO_IMPLEMENT,
            unable_reason="No fix for our version",
            mitigations="Cut off from the internet",
            risk_owner="Jo Bloggs, SIRO",
            review_on=REVIEW_ON,
        )
    with at(hours_after(X_PUBLISHED, 50)):
        acknowledge(response_of(x, trust_b), responder)
    with at(hours_after(Y_PUBLISHED, 60)):
        acknowledge(response_of(y, trust_a), responder)
    return Compliance(
        x=x,
        y=y,
        z=z,
        trust_a=trust_a,
        trust_b=trust_b,
        icb=icb,
        csu=csu,
        foundation_trust=foundation_trust,
        responder=responder,
    )


def many_alerts(count: int, organisations: list[Organisation], responder: User) -> list[Alert]:
    """`count` alerts to the organisations, each acknowledged by the first (late) and the second (in time)."""
    alerts = []
    for number in range(count):
        published = X_PUBLISHED - timedelta(days=number + 1)
        alert = make_alert(organisations=organisations, published_at=published)
        with at(published + timedelta(hours=1)):
            acknowledge(response_of(alert, organisations[1]), responder)
        with at(published + timedelta(hours=72)):
            acknowledge(response_of(alert, organisations[0]), responder)
        alerts.append(alert)
    return alerts


def table(content: bytes | str, caption: str) -> list[list[str]]:
    """The text of each body row's cells, in the table with this caption."""
    tables = [found for found in parse(content).find_all("table") if found.find("caption").text == caption]
    assert len(tables) == 1, f"expected one table captioned {caption!r}, found {len(tables)}"
    body = tables[0].find("tbody")
    return [[cell.text for cell in row.iter() if cell.tag in ("th", "td")] for row in body.find_all("tr")]


def column(content: bytes | str, caption: str, index: int = 0) -> list[str]:
    return [row[index] for row in table(content, caption)]
