"""The "Manage access to organisations" page, and what administrators do on it: change roles and remove people.
An organisation's last administrator can be neither demoted nor removed."""

import pytest
from django.urls import reverse

from respond.accounts.context_processors import service
from respond.accounts.memberships import LastAdministrator, membership_change_role, membership_remove
from respond.accounts.models import Membership, Role, User
from respond.core.audit import Auditor
from respond.core.models import AuditLog
from tests.accounts.access_helpers import access_url, error_summary, page_text, second_administrator, title
from tests.accounts.concurrency import needs_postgresql, race
from tests.core.html import parse
from tests.factories import member

pytestmark = pytest.mark.django_db


def change_role(client, user: User, role: str, ods_code: str = "RAA"):
    return client.post(access_url("change_role", ods_code, user.pk), {"role": role})


def remove(client, user: User, ods_code: str = "RAA"):
    return client.post(access_url("remove_user", ods_code, user.pk))


def test_everyone_sees_the_organisations_they_respond_for_and_their_role(client_of, bob, alice, auditor):
    page = page_text(client_of(bob).get(reverse("access:index")))
    assert "Organisation Alpha Hospitals NHS Trust ODS code RAA Your role Responder" in page
    assert "Ask to respond for an organisation" in page
    assert "Manage Alpha" not in page
    assert "Invite a user" not in page
    assert "You cannot respond for any organisation yet" in page_text(client_of(auditor).get(reverse("access:index")))


def test_administrators_also_see_their_organisations_users(client_of, alice, bob, charlie):
    page = page_text(client_of(alice).get(reverse("access:index")))
    assert "Manage Alpha Hospitals NHS Trust" in page
    assert "Name Alice Admin (you) Email address alice@alpha.nhs.uk Role Administrator" in page
    assert "Name Bob Responder Email address bob@alpha.nhs.uk Role Responder" in page
    assert "Change role of Bob Responder (Alpha Hospitals NHS Trust)" in page
    assert "charlie@beta.nhs.uk" not in page
    assert "Manage the alert contacts of Alpha Hospitals NHS Trust" in page


def test_an_administrator_makes_a_responder_an_administrator(client_of, alice, bob):
    form = client_of(alice).get(access_url("change_role", "RAA", bob.pk))
    assert "Change the role of Bob Responder (Alpha Hospitals NHS Trust)" in title(form)
    response = change_role(client_of(alice), bob, "administrator")
    assert response.url == reverse("access:index")
    assert Membership.objects.get(user=bob).role == Role.ADMINISTRATOR
    entry = AuditLog.objects.get(action="membership.role_changed")
    assert (entry.actor, entry.before, entry.after["role"]) == (alice, {"role": "responder"}, "administrator")
    assert "Bob Responder (Alpha Hospitals NHS Trust) is now administrator" in page_text(
        client_of(alice).get(reverse("access:index"))
    )


@pytest.mark.parametrize(("role", "message"), [("", "Select their role"), ("csoc", "Select a valid choice")])
def test_a_role_must_be_chosen(client_of, alice, bob, role, message):
    response = change_role(client_of(alice), bob, role)
    assert message in error_summary(response)
    assert Membership.objects.get(user=bob).role == Role.RESPONDER


def test_the_last_administrator_cannot_be_demoted(client_of, alice, bob):
    response = change_role(client_of(alice), alice, "responder")
    assert response.status_code == 200
    assert (
        "You cannot make a responder of Alice Admin (Alpha Hospitals NHS Trust): they are the only administrator of "
        "Alpha Hospitals NHS Trust. Make someone else an administrator first."
    ) in error_summary(response)
    assert Membership.objects.get(user=alice).role == Role.ADMINISTRATOR
    assert not AuditLog.objects.filter(action="membership.role_changed").exists()


def test_the_last_administrator_cannot_be_removed(client_of, alice):
    page = client_of(alice).get(access_url("remove_user", "RAA", alice.pk))
    assert "Remove Alice Admin (Alpha Hospitals NHS Trust) from Alpha Hospitals NHS Trust?" in title(page)
    response = remove(client_of(alice), alice)
    assert response.status_code == 409
    assert title(response).startswith("Error: ")
    assert "You cannot remove Alice Admin (Alpha Hospitals NHS Trust): they are the only administrator" in (
        error_summary(response)
    )
    assert Membership.objects.filter(user=alice).exists()


def test_with_two_administrators_one_can_step_down_but_not_both(client_of, alice, trust_a):
    ann = second_administrator(trust_a)
    assert change_role(client_of(alice), alice, "responder").url == reverse("access:index")
    # Alice is now a responder, so she can no longer manage Trust A.
    assert change_role(client_of(alice), ann, "responder").status_code == 403
    refused = change_role(client_of(ann), ann, "responder")
    assert "they are the only administrator" in error_summary(refused)
    assert Membership.objects.get(user=ann).role == Role.ADMINISTRATOR


def test_a_closed_account_does_not_count_as_an_administrator(client_of, alice, trust_a):
    second_administrator(trust_a, is_active=False)
    assert "they are the only administrator" in error_summary(change_role(client_of(alice), alice, "responder"))


def test_an_administrator_removes_a_user(client_of, alice, bob):
    page = client_of(alice).get(access_url("remove_user", "RAA", bob.pk))
    assert "Remove Bob Responder (Alpha Hospitals NHS Trust) from Alpha Hospitals NHS Trust?" in title(page)
    response = remove(client_of(alice), bob)
    assert response.url == reverse("access:index")
    assert not Membership.objects.filter(user=bob).exists()
    assert User.objects.filter(pk=bob.pk, is_active=True).exists()  # the account stays
    entry = AuditLog.objects.get(action="membership.removed")
    assert entry.actor == alice
    assert entry.before == {"user": "bob@alpha.nhs.uk", "organisation": "RAA", "role": "responder", "on_behalf": False}
    assert "Bob Responder (Alpha Hospitals NHS Trust) can no longer respond for Alpha Hospitals NHS Trust" in page_text(
        client_of(alice).get(reverse("access:index"))
    )
    assert remove(client_of(alice), bob).status_code == 404


def test_an_administrator_revokes_access_of_someone_from_another_organisation(client_of, alice, charlie, trust_a):
    Membership.objects.create(user=charlie, organisation=trust_a, role=Role.RESPONDER)
    page = client_of(alice).get(access_url("remove_user", "RAA", charlie.pk))
    expected = "Stop Charlie Other (Beta Hospitals NHS Trust) responding for Alpha Hospitals NHS Trust?"
    assert expected in title(page)
    remove(client_of(alice), charlie)
    assert list(charlie.memberships.values_list("organisation__ods_code", flat=True)) == ["RBB"]
    assert AuditLog.objects.get(action="membership.removed").before["on_behalf"] is True


def test_forged_changes_for_an_organisation_one_does_not_administer_are_refused(client_of, alice, bob, charlie, csoc):
    # Bob only responds for Trust A; Charlie administers Trust B; CSOC does not run organisations' users.
    for person in (bob, charlie, csoc):
        client = client_of(person)
        assert change_role(client, alice, "responder").status_code == 403
        assert change_role(client, bob, "administrator").status_code == 403
        assert remove(client, bob).status_code == 403
        assert client.get(access_url("change_role", "RAA", bob.pk)).status_code == 403
    # Through Trust B's address, Trust A's people are not found.
    assert change_role(client_of(charlie), bob, "administrator", "RBB").status_code == 404
    assert remove(client_of(charlie), bob, "RBB").status_code == 404
    assert Membership.objects.get(user=bob).role == Role.RESPONDER
    assert Membership.objects.get(user=alice).role == Role.ADMINISTRATOR
    assert not AuditLog.objects.filter(action__startswith="membership.").exists()


def test_an_unknown_organisation_is_not_found(client_of, alice):
    assert client_of(alice).get(access_url("invite", "NOPE")).status_code == 404


def test_demoting_each_other_one_after_the_other_leaves_one_administrator(alice, trust_a):
    ann = second_administrator(trust_a)
    memberships = {m.user_id: m for m in Membership.objects.filter(organisation=trust_a, role=Role.ADMINISTRATOR)}
    membership_change_role(membership=memberships[alice.pk], role=Role.RESPONDER, auditor=Auditor.for_user(ann))
    with pytest.raises(LastAdministrator):
        membership_remove(membership=memberships[ann.pk], auditor=Auditor.for_user(alice))
    assert Membership.objects.administrators().filter(organisation=trust_a).get().user == ann


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_administrators_demoting_each_other_at_the_same_moment_leave_one(alice, trust_a, trust_b):
    ann = second_administrator(trust_a)
    alices = Membership.objects.get(user=alice, organisation=trust_a)
    anns = Membership.objects.get(user=ann, organisation=trust_a)

    first, second = race(
        lambda: membership_change_role(membership=alices, role=Role.RESPONDER, auditor=Auditor.for_user(ann)),
        lambda: membership_change_role(membership=anns, role=Role.RESPONDER, auditor=Auditor.for_user(alice)),
    )

    assert isinstance(first, Membership), first
    assert isinstance(second, LastAdministrator), second
    assert list(Membership.objects.administrators().filter(organisation=trust_a)) == [anns]


def test_the_header_offers_manage_access_and_csoc_its_own_pages(client_of, bob, csoc):
    bobs = page_text_of_header(client_of(bob).get(reverse("access:index")))
    assert "Manage access" in bobs
    assert "CSOC tools" not in bobs
    assert "Cyber alerts" in bobs
    assert "Contact preferences" in bobs
    assert "Deadline calendar" in bobs
    csocs = page_text_of_header(client_of(csoc).get(reverse("access:index")))
    assert "CSOC tools" in csocs
    tools = client_of(csoc).get(reverse("core:csoc_tools")).content.decode()
    for link in ("Manage alerts", "Lead administrators", "Create a user", "Imports", "Audit log"):
        assert link in tools
    assert client_of(bob).get(reverse("core:csoc_tools")).status_code == 403


def test_the_header_offers_everyone_the_published_alerts(client):
    header = page_text_of_header(client.get(reverse("alerts:list")))
    assert "Cyber alerts" in header
    assert "Your alerts" not in header


def test_the_header_is_worked_out_once_for_each_request(rf, bob):
    """A page with a rendered part (respond.core.fragments) renders twice: the header's links are worked out once."""
    request = rf.get("/")
    request.user, request.session = bob, {}
    first = service(request)
    assert service(request) is first
    assert [link["text"] for link in first["header_navigation"]] == ["Cyber alerts"]  # signed in on one factor
    assert service(rf.get("/")) is not first


def page_text_of_header(response) -> str:
    return parse(response.content).find("header").text


def test_people_of_several_organisations_appear_with_their_own_organisation(client_of, alice, trust_a, trust_b):
    lead = member(trust_b, Role.RESPONDER, email="lee@beta.nhs.uk", full_name="Lee Lead")
    Membership.objects.create(user=lead, organisation=trust_a, role=Role.RESPONDER)
    page = page_text(client_of(alice).get(reverse("access:index")))
    assert "Name Lee Lead (Beta Hospitals NHS Trust) Email address lee@beta.nhs.uk Role Responder" in page
