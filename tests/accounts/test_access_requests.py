"""People ask to respond on behalf of another organisation; its administrators approve (choosing the role) or deny."""

import pytest
import rules
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from respond.accounts.access_requests import AlreadyDecided, access_request_approve, access_request_create
from respond.accounts.models import AccessRequest, AccessRequestStatus, Membership, Role
from respond.core.audit import Auditor
from respond.core.models import AuditLog
from respond.organisations.models import Organisation
from tests.accounts.access_helpers import access_url, error_summary, page_text, second_administrator, title
from tests.accounts.concurrency import needs_postgresql, race
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

REASON = "We are the outsourced IT provider under agreement ref ABC-123"


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """ask(client, ods_code, reason) -> the response, with emails sent as on commit."""

    def _ask(client, ods_code: str = "RAA", reason: str = REASON):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(access_url("request_new", ods_code), {"reason": reason})

    return _ask


@pytest.fixture
def decide(django_capture_on_commit_callbacks):
    def _decide(client, access_request: AccessRequest, **data):
        url = access_url("decide_request", access_request.organisation.ods_code, access_request.pk)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return _decide


@pytest.fixture
def charlies_request(client_of, charlie, alice, trust_a, ask) -> AccessRequest:
    """Charlie (of Trust B) has asked to respond for Trust A, which Alice administers."""
    response = ask(client_of(charlie))
    assert response.url == reverse("access:index"), page_text(response)
    mail.outbox.clear()
    return AccessRequest.objects.get()


def test_a_person_finds_an_organisation_by_name_or_ods_code_and_asks_to_respond_for_it(
    client_of, charlie, alice, bob, trust_a, ask
):
    ann = second_administrator(trust_a)
    client = client_of(charlie)
    for text in ("alpha hosp", "raa"):
        results = page_text(client.get(access_url("request_search"), {"q": text}))
        assert "1 organisation found" in results
        assert (
            "Organisation Alpha Hospitals NHS Trust ODS code RAA Ask to respond for Alpha Hospitals NHS Trust"
            in results
        )
    own = page_text(client.get(access_url("request_search"), {"q": "beta"}))
    assert "You can already respond for it" in own
    assert "No organisations found" in page_text(client.get(access_url("request_search"), {"q": "zzz"}))
    form = client.get(access_url("request_new", "RAA"))
    assert "Ask to respond for Alpha Hospitals NHS Trust" in title(form)

    response = ask(client, reason=f"  {REASON}  ")

    assert response.url == reverse("access:index")
    access_request = AccessRequest.objects.get()
    assert (access_request.requester, access_request.organisation) == (charlie, trust_a)
    assert access_request.reason == REASON
    assert access_request.status == AccessRequestStatus.PENDING
    entry = AuditLog.objects.get(action="access_request.created")
    assert entry.actor == charlie
    assert entry.after == {"requester": "charlie@beta.nhs.uk", "organisation": "RAA", "reason": REASON}
    # One email, to every administrator of Trust A (not to its responders).
    [message] = mail.outbox
    assert sorted(message.to) == sorted([alice.email, ann.email])
    assert message.subject == (
        "[Respond to a cyber alert] Charlie Other (Beta Hospitals NHS Trust) asks to respond for "
        "Alpha Hospitals NHS Trust"
    )
    assert REASON in message.body
    assert f"http://127.0.0.1:8000/access/organisations/RAA/requests/{access_request.pk}/" in message.body
    page = page_text(client.get(reverse("access:index")))
    assert "You have asked to respond for Alpha Hospitals NHS Trust" in page
    assert "Alpha Hospitals NHS Trust" in page
    assert "Waiting for a decision Withdraw your request to respond for Alpha Hospitals NHS Trust" in page
    assert "You have asked; waiting for a decision" in page_text(client.get(access_url("request_search"), {"q": "RAA"}))


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("   ", "Enter why you need to respond for this organisation"),
        ("x" * 2001, "Reason must be 2000 characters or fewer"),
    ],
)
def test_a_request_needs_a_reason(client_of, charlie, alice, ask, reason, message):
    response = ask(client_of(charlie), reason=reason)
    assert title(response).startswith("Error: ")
    assert message in error_summary(response)
    assert not AccessRequest.objects.exists()
    assert mail.outbox == []


def test_asking_for_an_organisation_one_can_already_respond_for_is_refused(client_of, bob, alice, ask):
    response = ask(client_of(bob))
    assert "You can already respond for Alpha Hospitals NHS Trust" in error_summary(response)
    assert not AccessRequest.objects.exists()


def test_a_second_pending_request_for_the_same_organisation_is_refused(client_of, charlie, charlies_request, ask):
    response = ask(client_of(charlie), reason="Asking again")
    assert "You asked to respond for Alpha Hospitals NHS Trust on" in error_summary(response)
    assert "withdraw that request" in error_summary(response)
    assert AccessRequest.objects.count() == 1
    assert mail.outbox == []
    # The database refuses it too, whatever the code path.
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessRequest.objects.create(requester=charlies_request.requester, organisation=charlies_request.organisation)


def test_an_organisation_with_no_administrator_cannot_be_asked(client_of, charlie, ask):
    OrganisationFactory(ods_code="RCC", name="Gamma Trust")
    response = ask(client_of(charlie), "RCC")
    assert "Gamma Trust has no administrator in this service yet" in error_summary(response)
    assert not AccessRequest.objects.exists()


def test_closed_and_unknown_organisations_cannot_be_asked(client_of, charlie, ask):
    OrganisationFactory(ods_code="RDD", active=False)
    assert client_of(charlie).get(access_url("request_new", "RDD")).status_code == 404
    assert ask(client_of(charlie), "RDD").status_code == 404
    assert ask(client_of(charlie), "NOPE").status_code == 404
    assert not AccessRequest.objects.exists()


def test_access_requests_are_rate_limited_per_person(settings, client_of, charlie, alice, ask):
    settings.ACCESS_REQUESTS_PER_HOUR = 1
    others = [OrganisationFactory(), OrganisationFactory()]
    for organisation in others:
        second_administrator(organisation, email=f"admin@{organisation.ods_code.lower()}.nhs.uk")
    assert ask(client_of(charlie), others[0].ods_code).url == reverse("access:index")
    refused = ask(client_of(charlie), others[1].ods_code)
    assert "You can send up to 1 access requests an hour. Nothing was sent." in error_summary(refused)
    assert AccessRequest.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_requester_withdraws_a_pending_request(client_of, charlie, charlies_request):
    response = client_of(charlie).post(access_url("request_withdraw", charlies_request.pk))
    assert response.url == reverse("access:index")
    charlies_request.refresh_from_db()
    assert charlies_request.status == AccessRequestStatus.WITHDRAWN
    assert AuditLog.objects.filter(action="access_request.withdrawn", actor=charlie).exists()
    # Withdrawn: a new request may be made, and the old one cannot be decided.
    assert not AccessRequest.objects.pending().exists()
    again = client_of(charlie).post(access_url("request_withdraw", charlies_request.pk), follow=True)
    assert "Charlie Other (Beta Hospitals NHS Trust) withdrew this request on" in page_text(again)


def test_nobody_else_can_withdraw_a_request(client_of, alice, bob, csoc, charlies_request):
    for person in (alice, bob, csoc):
        assert client_of(person).post(access_url("request_withdraw", charlies_request.pk)).status_code == 403
    charlies_request.refresh_from_db()
    assert charlies_request.status == AccessRequestStatus.PENDING


def test_an_administrator_approves_a_request_choosing_the_role(
    client_of, alice, charlie, trust_a, charlies_request, decide
):
    client = client_of(alice)
    listing = page_text(client.get(reverse("access:index")))
    assert "Requests to respond for Alpha Hospitals NHS Trust" in listing
    assert "Charlie Other (Beta Hospitals NHS Trust) charlie@beta.nhs.uk" in listing
    assert REASON in listing
    page = client.get(access_url("decide_request", "RAA", charlies_request.pk))
    assert "Request from Charlie Other (Beta Hospitals NHS Trust)" in title(page)
    assert not rules.has_perm("organisations.respond_for", charlie, trust_a)

    response = decide(client, charlies_request, decision="responder")

    assert response.url == reverse("access:index")
    charlies_request.refresh_from_db()
    assert charlies_request.status == AccessRequestStatus.APPROVED
    assert charlies_request.role_granted == Role.RESPONDER
    assert charlies_request.decided_by == alice
    membership = Membership.objects.get(user=charlie, organisation=trust_a)
    assert membership.role == Role.RESPONDER
    assert membership.on_behalf
    assert rules.has_perm("organisations.respond_for", charlie, trust_a)
    assert trust_a in Organisation.objects.respondable_by(charlie)
    assert {entry.action for entry in AuditLog.objects.filter(actor=alice)} == {
        "membership.created",
        "access_request.approved",
    }
    [message] = mail.outbox
    assert message.to == ["charlie@beta.nhs.uk"]
    assert message.subject == "[Respond to a cyber alert] You can now respond for Alpha Hospitals NHS Trust"
    assert "Alice Admin (Alpha Hospitals NHS Trust) approved your request" in message.body
    assert "as a responder" in message.body

    # Charlie appears as someone of another organisation, with theirs, wherever Alpha's users are listed.
    listing = page_text(client.get(reverse("access:index")))
    assert "People from other organisations who respond for Alpha Hospitals NHS Trust" in listing
    assert "Name Charlie Other (Beta Hospitals NHS Trust) Email address charlie@beta.nhs.uk Role Responder" in listing
    assert "Alpha Hospitals NHS Trust (on behalf) ODS code RAA Your role Responder" in page_text(
        client_of(charlie).get(reverse("access:index"))
    )
    assert "Alpha Hospitals NHS Trust" in page_text(client_of(charlie).get(reverse("home")))


def test_approving_as_administrator(client_of, alice, charlie, trust_a, charlies_request, decide):
    decide(client_of(alice), charlies_request, decision="administrator")
    assert Membership.objects.get(user=charlie, organisation=trust_a).role == Role.ADMINISTRATOR
    assert "as an administrator" in mail.outbox[0].body


def test_an_administrator_denies_a_request_with_a_reason(client_of, alice, charlie, trust_a, charlies_request, decide):
    missing = decide(client_of(alice), charlies_request, decision="deny", reason=" ")
    assert "Enter why you are denying the request" in error_summary(missing)
    no_choice = decide(client_of(alice), charlies_request)
    assert "Select whether to approve or deny the request" in error_summary(no_choice)
    charlies_request.refresh_from_db()
    assert charlies_request.is_pending

    response = decide(client_of(alice), charlies_request, decision="deny", reason="We have no agreement with you")

    assert response.url == reverse("access:index")
    charlies_request.refresh_from_db()
    assert charlies_request.status == AccessRequestStatus.DENIED
    assert charlies_request.decision_reason == "We have no agreement with you"
    assert not Membership.objects.filter(user=charlie, organisation=trust_a).exists()
    assert AuditLog.objects.get(action="access_request.denied").after["reason"] == "We have no agreement with you"
    [message] = mail.outbox
    assert message.subject == (
        "[Respond to a cyber alert] Your request to respond for Alpha Hospitals NHS Trust was not approved"
    )
    assert "We have no agreement with you" in message.body
    page = page_text(client_of(charlie).get(reverse("access:index")))
    assert "Denied By Alice Admin (Alpha Hospitals NHS Trust): We have no agreement with you" in page


def test_a_request_approved_by_one_administrator_cannot_be_decided_again(
    client_of, alice, charlie, trust_a, charlies_request, decide
):
    ann = second_administrator(trust_a)
    decide(client_of(alice), charlies_request, decision="responder")
    mail.outbox.clear()

    # Ann had the page open before Alice decided.
    second = decide(client_of(ann), charlies_request, decision="administrator")

    assert second.status_code == 200
    assert "Alice Admin (Alpha Hospitals NHS Trust) already approved this request on" in error_summary(second)
    assert Membership.objects.get(user=charlie, organisation=trust_a).role == Role.RESPONDER
    assert AuditLog.objects.filter(action="access_request.approved").count() == 1
    assert mail.outbox == []
    denied = decide(client_of(ann), charlies_request, decision="deny", reason="No")
    assert "already approved" in error_summary(denied)
    charlies_request.refresh_from_db()
    assert charlies_request.decided_by == alice


def test_approving_someone_who_has_since_been_given_access_is_refused(
    client_of, alice, charlie, trust_a, charlies_request, decide
):
    Membership.objects.create(user=charlie, organisation=trust_a, role=Role.RESPONDER)
    response = decide(client_of(alice), charlies_request, decision="administrator")
    assert "can already respond for Alpha Hospitals NHS Trust. Deny the request instead." in error_summary(response)
    assert Membership.objects.get(user=charlie, organisation=trust_a).role == Role.RESPONDER
    charlies_request.refresh_from_db()
    assert charlies_request.is_pending


def test_forged_decisions_are_refused_and_change_nothing(
    client_of, bob, charlie, csoc, auditor, charlies_request, decide
):
    # Only Trust A's administrators decide Trust A's requests: not its responders, nor other organisations' staff.
    for person in (bob, charlie, csoc, auditor):
        assert decide(client_of(person), charlies_request, decision="administrator").status_code == 403
        page = client_of(person).get(access_url("decide_request", "RAA", charlies_request.pk))
        assert page.status_code == 403
    # Charlie administers Trust B: a Trust A request through Trust B's address is not found.
    forged = client_of(charlie).post(
        access_url("decide_request", "RBB", charlies_request.pk), {"decision": "administrator"}
    )
    assert forged.status_code == 404
    charlies_request.refresh_from_db()
    assert charlies_request.is_pending
    assert not Membership.objects.filter(user=charlie, organisation__ods_code="RAA").exists()
    assert mail.outbox == []


def test_the_service_refuses_a_second_decision_even_when_called_directly(alice, charlie, trust_a, charlies_request):
    ann = second_administrator(trust_a)
    access_request_approve(
        access_request=charlies_request, role=Role.RESPONDER, decided_by=alice, auditor=Auditor.for_user(alice)
    )
    with pytest.raises(AlreadyDecided, match=r"Alice Admin .* already approved this request"):
        access_request_approve(
            access_request=charlies_request, role=Role.ADMINISTRATOR, decided_by=ann, auditor=Auditor.for_user(ann)
        )


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_administrators_approving_at_the_same_moment_approve_once(trust_a, trust_b, alice, charlie):
    ann = second_administrator(trust_a)
    access_request = access_request_create(
        requester=charlie, organisation=trust_a, reason=REASON, auditor=Auditor.for_user(charlie), notify=False
    )

    def approve(by, role):
        return lambda: access_request_approve(
            access_request=access_request, role=role, decided_by=by, auditor=Auditor.for_user(by)
        )

    first, second = race(approve(alice, Role.RESPONDER), approve(ann, Role.ADMINISTRATOR))

    assert isinstance(first, AccessRequest), first
    assert isinstance(second, AlreadyDecided), second
    assert "Alice Admin (Alpha Hospitals NHS Trust) already approved this request" in second.messages[0]
    assert Membership.objects.get(user=charlie, organisation=trust_a).role == Role.RESPONDER
    assert AuditLog.objects.filter(action="access_request.approved").count() == 1


def test_inactive_requesters_cannot_be_approved(client_of, alice, charlie, charlies_request, decide):
    charlie.is_active = False
    charlie.save()
    response = decide(client_of(alice), charlies_request, decision="responder")
    assert "The account of Charlie Other (Beta Hospitals NHS Trust) is closed" in error_summary(response)
    assert not Membership.objects.filter(user=charlie, organisation__ods_code="RAA").exists()


def test_a_request_by_someone_without_an_organisation_is_shown_plainly(client_of, alice, trust_a, ask, decide):
    freelancer = UserFactory(organisation=None, full_name="Fran Freelance", email="fran@example.com")
    ask(client_of(freelancer))
    access_request = AccessRequest.objects.get()
    page = page_text(client_of(alice).get(access_url("decide_request", "RAA", access_request.pk)))
    assert "Their organisation None" in page
    decide(client_of(alice), access_request, decision="responder")
    assert Membership.objects.get(user=freelancer).on_behalf
