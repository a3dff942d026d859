"""In Chromium, with axe on every page: a person asks to respond for another organisation, its administrator approves
from the email, and the person can then respond for it; CSOC registers a lead administrator, who accepts, sets up
an authenticator app and invites a responder."""

import re

import pytest
import rules
from playwright.sync_api import expect

from respond.accounts.models import AccessRequest, AccessRequestStatus, Invitation, Membership, Role, User
from respond.organisations.models import Organisation
from respond.responses.models import Response, ResponseStatus
from tests.accounts.access_helpers import signed_in_client
from tests.browser.test_sign_in import start_of_a_totp_step, totp_code
from tests.factories import OrganisationFactory
from tests.responses.conftest import make_alert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAILED_PATH = re.compile(r"http://127\.0\.0\.1:8000(/\S+/)")
PASSWORD = "plum-harbour-violin-42"


def become(checked_page, live_server, user: User | None) -> None:
    """Signs the browser in as this person (with a second factor), or out when None."""
    context = checked_page.page.context
    context.clear_cookies()
    if user is not None:
        session = signed_in_client(user).cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


def emailed_path(message) -> str:
    """The service link in an email, as a path on the live server."""
    match = EMAILED_PATH.search(message.body)
    assert match, message.body
    return match.group(1)


def test_a_person_asks_to_respond_for_another_organisation_and_its_administrator_approves(
    page, live_server, mailoutbox, alice, charlie, trust_a
):
    alert = make_alert(organisations=[trust_a])
    browser = page.page
    become(page, live_server, charlie)
    page.visit("/access/")
    page.click(browser.get_by_role("button", name="Ask to respond for an organisation"))
    browser.get_by_label("Organisation name or ODS code").fill("alpha")
    page.click(browser.get_by_role("button", name="Search"))
    page.click(browser.get_by_role("link", name="Ask to respond for Alpha Hospitals NHS Trust"))
    page.click(browser.get_by_role("button", name="Send request"))  # no reason given
    expect(browser).to_have_title(re.compile(r"^Error: "))
    expect(browser.get_by_role("alert")).to_contain_text("Enter why you need to respond for this organisation")
    browser.get_by_label("Why do you need to respond for this organisation?").fill(
        "We are the outsourced IT provider under agreement ref ABC-123"
    )
    page.click(browser.get_by_role("button", name="Send request"))
    expect(browser.get_by_role("main")).to_contain_text("You have asked to respond for Alpha Hospitals NHS Trust")
    expect(browser.get_by_role("main")).to_contain_text("Waiting for a decision")

    [request_email] = mailoutbox
    assert request_email.to == ["alice@alpha.nhs.uk"]
    become(page, live_server, alice)
    page.visit(emailed_path(request_email))
    expect(browser.get_by_role("heading", level=1)).to_have_text(
        "Request from Charlie Other (Beta Hospitals NHS Trust)"
    )
    browser.get_by_role("radio", name="Deny").check()
    expect(browser.get_by_label("Why are you denying the request?")).to_be_visible()
    browser.get_by_role("radio", name="Approve, as a responder").check()
    page.click(browser.get_by_role("button", name="Save decision"))
    expect(browser.get_by_role("main")).to_contain_text(
        "Charlie Other (Beta Hospitals NHS Trust) can now respond for Alpha Hospitals NHS Trust"
    )
    expect(browser.get_by_role("main")).to_contain_text("People from other organisations who respond for Alpha")
    assert AccessRequest.objects.get().status == AccessRequestStatus.APPROVED

    decision_email = mailoutbox[-1]
    assert decision_email.to == ["charlie@beta.nhs.uk"]
    become(page, live_server, charlie)
    page.visit(emailed_path(decision_email))
    expect(browser.get_by_role("main")).to_contain_text("Alpha Hospitals NHS Trust (on behalf)")
    assert rules.has_perm("organisations.respond_for", charlie, trust_a)
    assert trust_a in Organisation.objects.respondable_by(charlie)

    # Charlie now responds for Alpha: the acknowledgement is recorded as made by Charlie of Beta, on behalf.
    page.visit("/")
    page.click(browser.get_by_role("link", name=f"Acknowledge {alert.threat_id} for Alpha Hospitals NHS Trust"))
    page.click(browser.get_by_role("button", name="Acknowledge the alert"))
    expect(browser.get_by_role("main")).to_contain_text(f"You have acknowledged {alert.threat_id}")
    expect(browser.get_by_role("main")).to_contain_text(
        "Charlie Other of Beta Hospitals NHS Trust on behalf of Alpha Hospitals NHS Trust"
    )
    response = Response.objects.get(alert=alert, organisation=trust_a)
    assert response.status == ResponseStatus.IN_PROGRESS
    [entry] = response.entries.all()
    assert (entry.submitted_by, entry.submitted_by_organisation, entry.is_on_behalf) == (
        charlie,
        charlie.organisation,
        True,
    )


def test_csoc_registers_a_lead_administrator_who_accepts_and_invites_a_responder(page, live_server, mailoutbox, csoc):
    OrganisationFactory(ods_code="RCC", name="Gamma Community NHS Trust")
    browser = page.page
    become(page, live_server, csoc)
    page.visit("/")
    page.click(browser.get_by_role("banner").get_by_role("link", name="CSOC tools"))
    page.click(browser.get_by_role("link", name="Lead administrators"))
    ods_code = browser.get_by_label("ODS code of the organisation")
    ods_code.press_sequentially("gamma")
    expect(browser.locator("#organisation-suggestions option[value=RCC]")).to_have_count(1)
    ods_code.fill("RCC")
    browser.get_by_label("Full name of the nominee").fill("Lena Lead")
    browser.get_by_label("Email address of the nominee").fill("lena.lead@gamma.nhs.uk")
    browser.get_by_label("Who nominated them").fill("Sam Siro")
    page.click(browser.get_by_role("button", name="Send invitation"))
    expect(browser.get_by_role("main")).to_contain_text("We have emailed an invitation to lena.lead@gamma.nhs.uk")
    page.click(browser.get_by_role("link", name=re.compile("no administrator")))
    page.click(browser.get_by_role("link", name="Register a lead administrator"))

    [invitation_email] = mailoutbox
    become(page, live_server, None)
    page.visit(emailed_path(invitation_email))
    expect(browser.get_by_role("main")).to_contain_text("Lead administrator")
    browser.get_by_label("Create a password").fill(PASSWORD)
    browser.get_by_label("Confirm your password").fill(PASSWORD)
    with start_of_a_totp_step():
        page.click(browser.get_by_role("button", name="Create account"))
        assert page.path == "/account/2fa/totp/activate/"
        browser.get_by_text("I cannot scan the QR code").click()
        secret = "".join(browser.locator("#totp-secret").inner_text().split())
        browser.get_by_label("Security code").fill(totp_code(secret))
        page.click(browser.get_by_role("button", name="Continue"))
    assert page.path == "/account/2fa/recovery-codes/"
    page.click(browser.get_by_role("main").get_by_role("button", name="Continue"))

    page.click(browser.get_by_role("banner").get_by_role("link", name="Manage access"))
    expect(browser.get_by_role("heading", name="Manage Gamma Community NHS Trust")).to_be_visible()
    page.click(browser.get_by_role("button", name="Invite a user"))
    browser.get_by_label("Full name").fill("Rhys Responder")
    browser.get_by_label("Email address").fill("rhys@gamma.nhs.uk")
    browser.get_by_role("radio", name="Responder").check()
    page.click(browser.get_by_role("button", name="Send invitation"))
    expect(browser.get_by_role("main")).to_contain_text("We have emailed an invitation to rhys@gamma.nhs.uk")

    lena = User.objects.get(email="lena.lead@gamma.nhs.uk")
    assert Membership.objects.get(user=lena).role == Role.ADMINISTRATOR
    assert Invitation.objects.get(email="rhys@gamma.nhs.uk").invited_by == lena
    assert mailoutbox[-1].to == ["rhys@gamma.nhs.uk"]
