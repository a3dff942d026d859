"""In Chromium, with axe on every page: an auditor chases every organisation that has not acknowledged an alert
with "select all", and sees the chase recorded with its messages."""

import pytest
from playwright.sync_api import expect

from respond.followup.models import Chase
from respond.notifications.models import MessageKind, Notification
from tests.browser.test_responding import become
from tests.factories import OrganisationFactory, Role, member
from tests.followup.conftest import make_alert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_auditor_chases_everyone_who_has_not_acknowledged(page, live_server, trust_a, trust_b, alice, auditor):
    trust_c = OrganisationFactory(ods_code="RCC", name="Gamma Care NHS Trust")
    member(trust_c, Role.ADMINISTRATOR, email="gina@gamma.nhs.uk", full_name="Gina Admin")
    alert = make_alert(organisations=[trust_a, trust_b, trust_c])
    browser = page.page
    become(page, live_server, auditor)

    page.visit(f"/follow-up/alerts/{alert.threat_id}/chase/")
    expect(browser.get_by_role("heading", level=1)).to_have_text("Chase organisations")
    # Nothing chosen: the error summary links to the first checkbox.
    page.click(browser.get_by_role("button", name="Chase"))
    expect(browser.get_by_role("alert")).to_contain_text("Select the organisations to chase")

    select_all = browser.get_by_label("Select all 3 organisations in this list")
    select_all.check()
    for name in ("Alpha Hospitals NHS Trust (RAA)", "Beta Hospitals NHS Trust (RBB)", "Gamma Care NHS Trust (RCC)"):
        expect(browser.get_by_label(name)).to_be_checked()
    browser.get_by_label("Beta Hospitals NHS Trust (RBB)").uncheck()
    expect(select_all).not_to_be_checked()
    browser.get_by_label("Beta Hospitals NHS Trust (RBB)").check()
    expect(select_all).to_be_checked()

    page.click(browser.get_by_role("button", name="Chase"))
    expect(browser.get_by_role("main")).to_contain_text("Chased 2 organisations: Alpha Hospitals NHS Trust, Gamma")
    expect(browser.get_by_role("main")).to_contain_text("Not chased, as they have no administrators: Beta Hospitals")
    history = browser.locator("table", has_text="Chased by")
    expect(history).to_contain_text("Email to alice@alpha.nhs.uk:")
    expect(history).to_contain_text("Audrey Auditor")
    expect(history.get_by_text("Queued")).to_have_count(2)
    assert Chase.objects.count() == 2
    assert set(Notification.objects.values_list("kind", "address")) == {
        (MessageKind.CHASE_EMAIL, "alice@alpha.nhs.uk"),
        (MessageKind.CHASE_EMAIL, "gina@gamma.nhs.uk"),
    }
