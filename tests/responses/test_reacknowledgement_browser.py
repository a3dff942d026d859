"""In Chromium, with axe on every page: a responder whose organisation had completed an alert is asked to
acknowledge an update to it, finds it on "Your alerts", and acknowledges it; the status stays complete. The
browser fixtures come from tests/browser (see conftest.py)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from respond.accounts.models import GlobalRole
from respond.core.audit import Auditor
from respond.publication import services as publication
from respond.responses.models import EntryAction, Response, ResponseStatus
from tests.conftest import sign_in
from tests.factories import global_user
from tests.responses.conftest import acknowledge, make_alert, response_of, update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_responder_acknowledges_an_update_from_their_alerts(page, live_server, trust_a, bob):
    alert = make_alert(organisations=[trust_a], published_at=timezone.now() - timedelta(days=5))
    update(
        acknowledge(response_of(alert, trust_a), bob),
        bob,
        ResponseStatus.COMPLETE,
        completed_on=timezone.localdate(),
        completion_summary="Upgraded to 9.1",
    )
    csoc = global_user(GlobalRole.CSOC)
    publication.threat_update_add(
        alert=alert,
        text="A second flaw: upgrade to **9.2** instead.",
        requires_reacknowledgement=True,
        added_by=csoc,
        auditor=Auditor.for_user(csoc),
    )
    browser = page.page
    session = sign_in(Client(), bob).cookies["sessionid"].value
    browser.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])

    page.visit("/")
    main = browser.get_by_role("main")
    expect(main).to_contain_text(f"{alert.threat_id}: {alert.title}")
    expect(main).to_contain_text("Acknowledge the update by")
    page.click(
        browser.get_by_role("link", name=f"Acknowledge the update {alert.threat_id} for Alpha Hospitals NHS Trust")
    )
    expect(browser.get_by_role("heading", level=1)).to_contain_text(f"Acknowledge the update to {alert.threat_id}")
    expect(main).to_contain_text("A second flaw: upgrade to 9.2 instead.")

    page.click(browser.get_by_role("button", name="Acknowledge the update"))
    expect(main).to_contain_text(f"You have acknowledged the update to {alert.threat_id}")
    expect(main).to_contain_text("Update acknowledged")
    expect(main).to_contain_text("Alert updated: acknowledge the update")
    response = Response.objects.get(alert=alert, organisation=trust_a)
    assert (response.status, response.reacknowledgement_due_at, response.reacknowledged_within_window) == (
        ResponseStatus.COMPLETE,
        None,
        True,
    )
    assert response.entries.order_by("-version").first().action == EntryAction.REACKNOWLEDGED
