"""In Chromium, keyboard only (no mouse clicks), with axe on every page: a responder acknowledges an alert from
"Your alerts" and updates the response through to complete; a lead organisation responds in bulk for a subset."""

import re

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Locator, expect

from respond.accounts.models import Role
from respond.responses.models import EntryAction, Response, ResponseStatus
from tests.browser.pages import CheckedPage
from tests.conftest import sign_in
from tests.factories import MembershipFactory, OrganisationFactory, member
from tests.responses.conftest import make_alert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def become(page: CheckedPage, live_server, user) -> None:
    """Signs the browser in as this person (with a second factor)."""
    session = sign_in(Client(), user).cookies["sessionid"].value
    page.page.context.clear_cookies()
    page.page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


def is_focused(target: Locator) -> bool:
    return bool(target.evaluate("element => element === document.activeElement"))


def tab_to(page: CheckedPage, target: Locator, *, limit: int = 150) -> None:
    """Presses Tab until the target has the focus: it must be reachable by keyboard."""
    for _ in range(limit):
        page.page.keyboard.press("Tab")
        if is_focused(target):
            return
    raise AssertionError(f"Tab never reached {target}")


def press(page: CheckedPage, key: str, *, status: int = 200) -> None:
    """Presses a key that loads another page, then checks that page (axe, assets, script errors)."""
    with page.page.expect_navigation() as navigation:
        page.page.keyboard.press(key)
    response = navigation.value
    assert response is not None
    assert response.status == status, f"{response.url} answered {response.status}"
    page.check()


def test_a_responder_acknowledges_and_completes_an_alert_with_the_keyboard(page, live_server, trust_a, bob):
    alert = make_alert(organisations=[trust_a])
    browser = page.page
    become(page, live_server, bob)
    page.visit("/")
    expect(browser.get_by_role("heading", level=1)).to_have_text("Your alerts")
    expect(browser.get_by_role("main")).to_contain_text(f"{alert.threat_id}: {alert.title}")
    expect(browser.get_by_role("main")).to_contain_text("hours left")

    tab_to(page, browser.get_by_role("link", name=f"Acknowledge {alert.threat_id} for Alpha Hospitals NHS Trust"))
    press(page, "Enter")
    expect(browser.get_by_role("heading", level=1)).to_contain_text(f"Acknowledge {alert.threat_id}")

    tab_to(page, browser.get_by_role("button", name="Acknowledge the alert"))
    press(page, "Space")
    expect(browser.get_by_role("main")).to_contain_text(f"You have acknowledged {alert.threat_id}")
    response = Response.objects.get(alert=alert, organisation=trust_a)
    assert response.status == ResponseStatus.IN_PROGRESS
    assert response.acknowledged_within_window

    tab_to(page, browser.get_by_role("button", name="Update the response"))
    press(page, "Enter")
    expect(browser.get_by_role("heading", level=1)).to_have_text(f"Update the response to {alert.threat_id}")

    # Saving without a status says what is missing.
    tab_to(page, browser.get_by_role("button", name="Save the response"))
    press(page, "Enter")
    expect(browser).to_have_title(re.compile(r"^Error: "))
    expect(browser.get_by_role("alert")).to_contain_text("Select the status of your remediation")

    # The radios are one stop for Tab; the arrow keys move between them, as in every browser.
    tab_to(page, browser.get_by_role("radio", name="In progress"))
    browser.keyboard.press("ArrowDown")
    expect(browser.get_by_role("radio", name="Complete")).to_be_checked()
    today = timezone.localdate()
    tab_to(page, browser.get_by_role("textbox", name="Day"))
    browser.keyboard.type(str(today.day))
    browser.keyboard.press("Tab")
    browser.keyboard.type(str(today.month))
    browser.keyboard.press("Tab")
    browser.keyboard.type(str(today.year))
    tab_to(page, browser.get_by_role("textbox", name="Summary of what was done"))
    browser.keyboard.type("Upgraded the VPN appliances to 9.1 and rotated their credentials.")
    tab_to(page, browser.get_by_role("button", name="Save the response"))
    press(page, "Enter")

    expect(browser.get_by_role("main")).to_contain_text("Response saved for Alpha Hospitals NHS Trust")
    history = browser.get_by_role("list").filter(has_text="Status updated: complete")
    expect(history).to_contain_text("Acknowledged: in progress")
    expect(history).to_contain_text("Upgraded the VPN appliances to 9.1")
    response.refresh_from_db()
    assert response.status == ResponseStatus.COMPLETE
    assert response.closed_at is not None
    assert [entry.action for entry in response.entries.order_by("version")] == [
        EntryAction.ACKNOWLEDGED,
        EntryAction.UPDATED,
    ]

    # Back on "Your alerts", the alert is no longer open; it is under "Closed".
    page.visit("/")
    expect(browser.get_by_role("main")).to_contain_text("Your organisations have no open alerts to respond to.")
    page.visit("/?show=closed")
    expect(browser.get_by_role("main")).to_contain_text(f"{alert.threat_id}: {alert.title}")


def test_a_lead_organisation_responds_for_a_subset_in_bulk(page, live_server, trust_a, trust_b):
    csu = OrganisationFactory(ods_code="0DF", name="Midlands Commissioning Support Unit")
    lee = member(csu, Role.RESPONDER, email="lee@csu.nhs.uk", full_name="Lee Lead")
    third = OrganisationFactory(ods_code="RCC", name="Gamma Community NHS Trust")
    for organisation in (trust_a, trust_b, third):
        MembershipFactory(user=lee, organisation=organisation, role=Role.RESPONDER)
    alert = make_alert(organisations=[trust_a, trust_b, third])
    browser = page.page
    become(page, live_server, lee)
    page.visit(f"/responses/{alert.threat_id}/")
    tab_to(page, browser.get_by_role("button", name="Respond for several organisations at once"))
    press(page, "Enter")

    tab_to(page, browser.get_by_role("checkbox", name=re.compile("Alpha Hospitals NHS Trust")))
    browser.keyboard.press("Space")
    tab_to(page, browser.get_by_role("checkbox", name=re.compile("Gamma Community NHS Trust")))
    browser.keyboard.press("Space")
    tab_to(page, browser.get_by_role("radio", name="Acknowledge only"))
    browser.keyboard.press("Space")
    tab_to(page, browser.get_by_role("button", name="Continue"))
    press(page, "Enter")

    expect(browser.get_by_role("heading", level=1)).to_have_text("Check your response before submitting")
    rows = browser.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(3)  # the header and two organisations
    expect(rows.nth(1)).to_contain_text("Alpha Hospitals NHS Trust")
    expect(rows.nth(1)).to_contain_text("Not yet acknowledged")
    expect(rows.nth(1)).to_contain_text("In progress (acknowledged)")
    tab_to(page, browser.get_by_role("button", name="Confirm and submit"))
    press(page, "Enter")

    expect(browser.get_by_role("main")).to_contain_text("has been recorded for 2 organisations")
    statuses = dict(Response.objects.filter(alert=alert).values_list("organisation__ods_code", "status"))
    assert statuses == {
        "RAA": ResponseStatus.IN_PROGRESS,
        "RBB": ResponseStatus.NOT_ACKNOWLEDGED,
        "RCC": ResponseStatus.IN_PROGRESS,
    }
    page.visit(f"/responses/{alert.threat_id}/RAA/")
    expect(browser.get_by_role("main")).to_contain_text(
        "Lee Lead of Midlands Commissioning Support Unit on behalf of Alpha Hospitals NHS Trust"
    )


def test_the_bulk_page_filters_as_you_type_and_selects_what_is_shown(page, live_server, trust_a, trust_b):
    csu = OrganisationFactory(ods_code="0DF", name="Midlands Commissioning Support Unit")
    lee = member(csu, Role.RESPONDER, email="lee@csu.nhs.uk", full_name="Lee Lead")
    organisations = [trust_a, trust_b, *OrganisationFactory.create_batch(4)]
    for organisation in organisations:
        MembershipFactory(user=lee, organisation=organisation, role=Role.RESPONDER)
    alert = make_alert(organisations=organisations)
    browser = page.page
    become(page, live_server, lee)
    page.visit(f"/responses/{alert.threat_id}/bulk/")

    tab_to(page, browser.get_by_role("searchbox", name="Filter by organisation name or ODS code"))
    browser.keyboard.type("beta")
    alpha = browser.locator(f'input[name="organisations"][value="{trust_a.pk}"]')
    beta = browser.get_by_role("checkbox", name=re.compile("Beta Hospitals NHS Trust"))
    expect(alpha).to_be_hidden()
    tab_to(page, browser.get_by_role("link", name="Select all organisations"))
    browser.keyboard.press("Enter")
    expect(beta).to_be_checked()
    expect(alpha).not_to_be_checked()
    assert page.path == f"/responses/{alert.threat_id}/bulk/"
    page.check()
