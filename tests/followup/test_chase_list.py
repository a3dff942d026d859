"""The chase list: who has not acknowledged an alert, whose next update is overdue, and their administrators."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from respond.accounts.models import Role
from respond.alerts.models import AlertStatus
from respond.core.audit import Auditor
from respond.followup.services import chase_list, chase_organisations
from respond.responses.models import ResponseStatus
from tests.factories import OrganisationFactory, member
from tests.followup.conftest import in_progress, make_alert, set_response
from tests.notifications.conftest import with_mobile

pytestmark = pytest.mark.django_db


def names(rows):
    return [row.response.organisation.name for row in rows]


def test_not_acknowledged_and_update_overdue_are_listed_apart(trust_a, trust_b):
    trust_c = OrganisationFactory(name="Gamma Care NHS Trust", ods_code="RCC")
    trust_d = OrganisationFactory(name="Delta NHS Foundation Trust", ods_code="RDD")
    trust_e = OrganisationFactory(name="Epsilon NHS Trust", ods_code="REE")
    with time_machine.travel("2026-06-10 12:00 +01:00", tick=False):
        alert = make_alert(organisations=[trust_a, trust_b, trust_c, trust_d, trust_e])
        today = timezone.localdate()
        in_progress(alert, trust_b, next_update_due_on=today - timedelta(days=1))  # overdue
        in_progress(alert, trust_c, next_update_due_on=today)  # due today: not yet overdue
        set_response(alert, trust_d, status=ResponseStatus.COMPLETE)
        set_response(alert, trust_e, status=ResponseStatus.UNABLE_TO_IMPLEMENT, review_on=today)

        listing = chase_list(alert=alert)

    assert names(listing.not_acknowledged) == ["Alpha Hospitals NHS Trust"]
    assert names(listing.update_overdue) == ["Beta Hospitals NHS Trust"]


def test_each_organisation_shows_its_active_administrators_with_email_and_mobile(trust_a, trust_b, alice, bob):
    with_mobile(alice, "+447700900111")
    second = member(trust_a, Role.ADMINISTRATOR, email="zed@alpha.nhs.uk", full_name="Zed Admin")
    gone = member(trust_a, Role.ADMINISTRATOR, email="gone@alpha.nhs.uk", full_name="Gone Admin")
    gone.is_active = False
    gone.save()
    with_mobile(second, "+447700900222", opt_in=False)  # not opted in to text messages: no mobile shown
    alert = make_alert(organisations=[trust_a, trust_b])

    listing = chase_list(alert=alert)

    alpha, beta = listing.not_acknowledged
    assert [(c.name, c.email, c.mobile) for c in alpha.administrators] == [
        ("Alice Admin", "alice@alpha.nhs.uk", "+447700900111"),
        ("Zed Admin", "zed@alpha.nhs.uk", ""),
    ]
    assert alpha.administrators[0].mobile_display == "07700 900111"
    assert beta.administrators == []  # bob is a responder, and Trust B has nobody here


def test_a_closed_alert_has_nobody_to_chase(trust_a):
    alert = make_alert(organisations=[trust_a], status=AlertStatus.CLOSED)
    listing = chase_list(alert=alert)
    assert listing.not_acknowledged == []
    assert listing.update_overdue == []


def test_the_page_lists_them_with_contacts(signed_in, auditor, trust_a, trust_b, alice):
    with_mobile(alice, "+447700900111")
    alert = make_alert(organisations=[trust_a, trust_b])
    in_progress(alert, trust_b, next_update_due_on=timezone.localdate() - timedelta(days=2))

    page = signed_in(auditor).get(reverse("followup:chase", args=[alert.threat_id]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Not acknowledged (1)" in html
    assert "Next update overdue (1)" in html
    assert "alice@alpha.nhs.uk" in html
    assert "07700 900111" in html
    assert html.index("Alpha Hospitals NHS Trust (RAA)") < html.index("Next update overdue (1)")
    assert html.index("Beta Hospitals NHS Trust (RBB)") > html.index("Next update overdue (1)")
    assert "No administrators: this organisation cannot be chased" in html


def test_the_page_makes_the_same_number_of_queries_however_many_organisations(signed_in, auditor, trust_a, alice):
    client = signed_in(auditor)

    def queries_for(organisation_count: int) -> int:
        organisations = [OrganisationFactory() for _ in range(organisation_count)]
        for organisation in organisations:
            member(organisation, Role.ADMINISTRATOR)
        alert = make_alert(organisations=organisations)
        chase_organisations(
            alert=alert,
            organisation_ids=[o.pk for o in organisations[:2]],
            chased_by=auditor,
            auditor=Auditor.system("t"),
        )
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("followup:chase", args=[alert.threat_id])).status_code == 200
        return len(captured)

    assert queries_for(3) == queries_for(12)
