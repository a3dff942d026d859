"""CSOC registers lead administrators nominated by organisations' SIROs, and lists the organisations that must respond
to alerts but have no administrator (with a CSV export)."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from respond.accounts.models import Invitation, InvitationStatus, Membership, Role, User
from respond.core.models import AuditLog
from tests.accounts.access_helpers import access_url, error_summary, last_invitation_link, page_text, title
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db

NOMINATE = reverse("lead_administrators:nominate")
COVERAGE = reverse("lead_administrators:coverage")
COVERAGE_CSV = reverse("lead_administrators:coverage_csv")
SUGGESTIONS = reverse("lead_administrators:organisation_suggestions")
PASSWORD = "plum-harbour-violin-42"


@pytest.fixture
def trust_c():
    return OrganisationFactory(ods_code="RCC", name="Gamma Community NHS Trust")


@pytest.fixture
def nominate(django_capture_on_commit_callbacks):
    def _nominate(client, **fields):
        data = {
            "organisation": "rcc",
            "full_name": "Lena Lead",
            "email": "lena.lead@gamma.nhs.uk",
            "nominated_by": "Sam Siro",
            **fields,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(NOMINATE, data)

    return _nominate


def test_csoc_registers_a_nominated_lead_administrator(client_of, csoc, trust_c, nominate):
    page = client_of(csoc).get(NOMINATE)
    assert title(page).startswith("Register a lead administrator")
    assert 'list="organisation-suggestions"' in page.content.decode()
    assert "js/organisation-suggestions.js" in page.content.decode()

    response = nominate(client_of(csoc), organisation=" rcc ")

    assert response.url == NOMINATE
    invitation = Invitation.objects.get()
    assert (invitation.organisation, invitation.role, invitation.nominated_by_name, invitation.invited_by) == (
        trust_c,
        Role.ADMINISTRATOR,
        "Sam Siro",
        csoc,
    )
    entry = AuditLog.objects.get(action="lead_administrator.nominated")
    assert entry.actor == csoc
    assert entry.after["nominated_by"] == "Sam Siro"
    [message] = mail.outbox
    assert message.to == ["lena.lead@gamma.nhs.uk"]
    assert "Sam Siro has nominated you as the lead administrator of Gamma Community NHS Trust" in message.body
    listing = page_text(client_of(csoc).get(NOMINATE))
    assert "We have emailed an invitation to lena.lead@gamma.nhs.uk to be the lead administrator" in listing
    assert "Gamma Community NHS Trust (RCC) Nominee Lena Lead lena.lead@gamma.nhs.uk Nominated by Sam Siro" in listing


def test_the_nominee_accepts_and_the_organisation_leaves_the_coverage_list(client_of, csoc, trust_c, nominate):
    nominate(client_of(csoc))
    assert "Gamma Community NHS Trust" in page_text(client_of(csoc).get(COVERAGE))
    link = last_invitation_link()
    page = page_text(Client().get(link))
    assert "Your role Lead administrator Invited by Sam Siro, through the CSOC" in page

    Client().post(link, {"password1": PASSWORD, "password2": PASSWORD})

    lena = User.objects.get(email="lena.lead@gamma.nhs.uk")
    assert lena.organisation == trust_c
    assert Membership.objects.get(user=lena, organisation=trust_c).role == Role.ADMINISTRATOR
    assert "Gamma Community NHS Trust" not in page_text(client_of(csoc).get(COVERAGE))
    assert "No nominations are waiting to be accepted" in page_text(client_of(csoc).get(NOMINATE))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"organisation": ""}, "Enter the ODS code of the organisation"),
        ({"organisation": "zzz"}, "There is no organisation with the ODS code ZZZ"),
        ({"organisation": "X" * 11}, "An ODS code is 10 characters or fewer"),
        ({"full_name": ""}, "Enter the full name of the nominee"),
        ({"email": ""}, "Enter their email address"),
        ({"email": "lena at gamma"}, "Enter an email address in the correct format"),
        ({"nominated_by": " "}, "Enter the name of the person who nominated them"),
    ],
)
def test_bad_nominations_say_what_is_wrong(client_of, csoc, trust_c, nominate, fields, message):
    response = nominate(client_of(csoc), **fields)
    assert title(response).startswith("Error: ")
    assert message in error_summary(response)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_closed_organisation_cannot_be_given_a_lead_administrator(client_of, csoc, nominate):
    OrganisationFactory(ods_code="RZZ", name="Closed Trust", active=False)
    response = nominate(client_of(csoc), organisation="RZZ")
    assert "Closed Trust (RZZ) has closed" in error_summary(response)


def test_a_nominee_with_an_account_becomes_administrator_at_once(client_of, csoc, trust_c, nominate):
    responder = member(trust_c, Role.RESPONDER, email="lena.lead@gamma.nhs.uk", full_name="Lena Lead")
    response = nominate(client_of(csoc))
    assert response.url == NOMINATE
    assert not Invitation.objects.exists()
    assert Membership.objects.get(user=responder, organisation=trust_c).role == Role.ADMINISTRATOR
    assert AuditLog.objects.get(action="membership.role_changed").actor == csoc
    assert mail.outbox[0].to == ["lena.lead@gamma.nhs.uk"]
    assert "as an administrator" in mail.outbox[0].body


def test_nominating_an_existing_administrator_is_refused(client_of, csoc, alice, nominate):
    response = nominate(client_of(csoc), organisation="RAA", email="alice@alpha.nhs.uk")
    assert "can already respond for Alpha Hospitals NHS Trust, as administrator" in error_summary(response)


def test_only_csoc_registers_lead_administrators(client_of, alice, bob, charlie, auditor, trust_c, nominate):
    for person in (alice, bob, charlie, auditor):
        assert client_of(person).get(NOMINATE).status_code == 403
        assert nominate(client_of(person)).status_code == 403
        assert client_of(person).get(COVERAGE).status_code == 403
        assert client_of(person).get(COVERAGE_CSV).status_code == 403
        assert client_of(person).get(SUGGESTIONS, {"q": "gam"}).status_code == 403
    assert not Invitation.objects.exists()


def test_csoc_resends_and_revokes_nominations(client_of, csoc, trust_c, nominate, django_capture_on_commit_callbacks):
    nominate(client_of(csoc))
    invitation = Invitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        resent = client_of(csoc).post(access_url("invitation_resend", "RCC", invitation.pk))
    assert resent.url == NOMINATE
    assert len(mail.outbox) == 2
    revoked = client_of(csoc).post(access_url("invitation_revoke", "RCC", invitation.pk))
    assert revoked.url == NOMINATE
    assert Invitation.objects.get().status == InvitationStatus.REVOKED


def test_the_coverage_list_shows_mandated_organisations_without_an_active_administrator(
    client_of, csoc, trust_a, alice, trust_c
):
    OrganisationFactory(ods_code="RNM", name="Not Mandated Trust", mandated=False)
    OrganisationFactory(ods_code="RCL", name="Closed Mandated Trust", active=False)
    only_responders = OrganisationFactory(ods_code="RRS", name="Responders Only Trust")
    member(only_responders, Role.RESPONDER)
    gone_admin = OrganisationFactory(ods_code="RGA", name="Departed Admin Trust")
    member(gone_admin, Role.ADMINISTRATOR, is_active=False)
    Invitation.objects.create(
        email="lena@gamma.nhs.uk",
        full_name="Lena",
        organisation=trust_c,
        role=Role.ADMINISTRATOR,
        nominated_by_name="Sam",
        token_hash="x" * 64,
        expires_at=timezone.now() + timedelta(days=3),
    )

    page = page_text(client_of(csoc).get(COVERAGE))

    assert "3 organisations with no administrator" in page
    for name in ("Departed Admin Trust", "Gamma Community NHS Trust", "Responders Only Trust"):
        assert name in page
    for name in ("Alpha Hospitals NHS Trust", "Not Mandated Trust", "Closed Mandated Trust"):
        assert name not in page
    assert "Sent to lena@gamma.nhs.uk on" in page
    assert "waiting to be accepted until" in page
    assert "3 organisations that must respond to alerts have no administrator" in page_text(
        client_of(csoc).get(NOMINATE)
    )


def test_the_coverage_list_downloads_as_csv(client_of, csoc, trust_c):
    OrganisationFactory(ods_code="RXX", name="=HYPERLINK(evil)")
    response = client_of(csoc).get(COVERAGE_CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="organisations-without-an-administrator-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["ODS code", "Organisation", "Type", "Region", "Lead administrator invitation"]
    assert ["RCC", "Gamma Community NHS Trust", "NHS Trust", "", "None"] in rows
    # A spreadsheet must not run an organisation's name as a formula.
    assert ["RXX", "'=HYPERLINK(evil)", "NHS Trust", "", "None"] in rows


def test_every_organisation_covered(client_of, csoc, alice):
    covered = "Every organisation that must respond to alerts has an administrator"
    assert covered in page_text(client_of(csoc).get(COVERAGE))
    assert covered in page_text(client_of(csoc).get(NOMINATE))


def test_organisation_suggestions_match_ods_codes_and_names(client_of, csoc, trust_a, trust_b, trust_c):
    OrganisationFactory(ods_code="RCX", name="Closed Trust", active=False)
    client = client_of(csoc)
    by_code = client.get(SUGGESTIONS, {"q": "rc"}).json()
    assert by_code == {"organisations": [{"ods_code": "RCC", "name": "Gamma Community NHS Trust"}]}
    by_name = client.get(SUGGESTIONS, {"q": "hospitals"}).json()["organisations"]
    assert [o["ods_code"] for o in by_name] == ["RAA", "RBB"]
    assert client.get(SUGGESTIONS, {"q": "a"}).json() == {"organisations": []}
    assert client.get(SUGGESTIONS).json() == {"organisations": []}
    assert client.get(SUGGESTIONS, {"q": "x" * 5000}).status_code == 200
    assert client.post(SUGGESTIONS, {"q": "rc"}).status_code == 405


def test_anonymous_people_are_sent_to_sign_in(client):
    for url in (NOMINATE, COVERAGE, COVERAGE_CSV, SUGGESTIONS):
        assert client.get(url).url.startswith(reverse("account_login"))
