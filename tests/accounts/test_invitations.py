"""Administrators invite people to their organisation; the emailed single-use link creates the account, and the
new person must set up an authenticator app before anything else."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from respond.accounts.models import Invitation, InvitationStatus, Membership, Role, User
from respond.core.models import AuditLog
from tests.accounts.access_helpers import (
    access_url,
    error_summary,
    invitation_link,
    last_invitation_link,
    page_text,
    second_administrator,
    title,
)
from tests.accounts.helpers import secret_shown, totp_code
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "plum-harbour-violin-42"


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """invite(client, ods_code, **fields) -> the response, with emails sent as on commit."""

    def _invite(client: Client, ods_code: str = "RAA", **fields):
        data = {"full_name": "Nia New", "email": "nia@alpha.nhs.uk", "role": "responder", **fields}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(access_url("invite", ods_code), data)

    return _invite


@pytest.fixture
def invited(client_of, alice, invite) -> str:
    """Alice has invited Nia as a responder for Trust A: the link from the email."""
    response = invite(client_of(alice))
    assert response.url == reverse("access:index"), page_text(response)
    return last_invitation_link()


def accept(client: Client, link: str, password: str = PASSWORD, confirm: str | None = None):
    return client.post(link, {"password1": password, "password2": password if confirm is None else confirm})


def test_an_administrator_invites_a_person_who_gets_a_single_use_link(client_of, alice, trust_a, invite):
    client = client_of(alice)
    form = client.get(access_url("invite", "RAA"))
    assert form.status_code == 200
    assert "Invite a user" in page_text(form)

    response = invite(client, full_name="  Nia   New ", email="Nia@Alpha.NHS.uk", role="responder")

    assert response.url == reverse("access:index")
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.full_name, invitation.organisation, invitation.role) == (
        "nia@alpha.nhs.uk",
        "Nia New",
        trust_a,
        Role.RESPONDER,
    )
    assert invitation.invited_by == alice
    assert invitation.expires_at == invitation.created_at + timedelta(days=7)
    assert invitation.status == InvitationStatus.PENDING

    [message] = mail.outbox
    assert message.to == ["nia@alpha.nhs.uk"]
    assert message.subject == (
        "[Respond to a cyber alert] You are invited to respond to cyber alerts for Alpha Hospitals NHS Trust"
    )
    assert "Alice Admin (Alpha Hospitals NHS Trust) has invited you" in message.body
    assert "as a responder" in message.body
    # The link carries the token; the database keeps only its SHA-256, and the audit log neither.
    token = invitation_link(message).split("/")[-2]
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(Invitation.objects.values()))
    entry = AuditLog.objects.get(action="invitation.created")
    assert entry.actor == alice
    assert entry.after["email"] == "nia@alpha.nhs.uk"
    assert token not in str(entry.after)

    listing = page_text(client.get(reverse("access:index")))
    assert "Invited Nia New nia@alpha.nhs.uk Role Responder Status Waiting to be accepted" in listing
    assert "Resend the invitation to nia@alpha.nhs.uk" in listing
    assert "We have emailed an invitation to nia@alpha.nhs.uk" in listing


def test_accepting_creates_the_account_then_requires_an_authenticator_app(client, invited, trust_a):
    page = client.get(invited)
    assert page.status_code == 200
    assert "Create your password" in title(page)
    assert "Alpha Hospitals NHS Trust" in page_text(page)

    too_short = accept(client, invited, password="short")
    assert title(too_short).startswith("Error: ")
    assert "This password is too short" in error_summary(too_short)
    mismatch = accept(client, invited, confirm=PASSWORD + "x")
    assert "The passwords do not match" in error_summary(mismatch)
    like_the_email = accept(client, invited, password="nia@alpha.nhs.uk1")
    assert "too similar" in error_summary(like_the_email)
    assert not User.objects.filter(email="nia@alpha.nhs.uk").exists()

    response = accept(client, invited)

    assert response.status_code == 302
    user = User.objects.get(email="nia@alpha.nhs.uk")
    assert user.check_password(PASSWORD)
    assert user.full_name == "Nia New"
    assert user.organisation == trust_a
    assert Membership.objects.get(user=user).role == Role.RESPONDER
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == user
    assert invitation.status == InvitationStatus.ACCEPTED
    assert [e.action for e in AuditLog.objects.filter(action__in=["user.created", "invitation.accepted"])] == [
        "invitation.accepted",
        "user.created",
    ]
    assert AuditLog.objects.get(action="invitation.accepted").actor == user

    # Signed in, but nothing is reachable before an authenticator app is set up.
    assert response.url == reverse("mfa_activate_totp")
    assert client.get(reverse("access:index")).url == reverse("mfa_activate_totp")
    secret = secret_shown(client.get(reverse("mfa_activate_totp")))
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert "Alpha Hospitals NHS Trust" in page_text(client.get(reverse("access:index")))


def test_a_used_link_says_so(client, invited):
    accept(client, invited)
    again = Client().get(invited)
    assert again.status_code == 410
    assert "This invitation has already been used" in page_text(again)
    assert accept(Client(), invited).status_code == 410
    assert User.objects.filter(email="nia@alpha.nhs.uk").count() == 1


def test_an_expired_link_says_so_and_who_can_send_a_new_one(client, invited):
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        page = client.get(invited)
        assert page.status_code == 410
        text = page_text(page)
        assert "This invitation has expired" in text
        assert "Invitations work for 7 days" in text
        assert "ask Alice Admin (alice@alpha.nhs.uk)" in text
        assert accept(client, invited).status_code == 410
    assert not User.objects.filter(email="nia@alpha.nhs.uk").exists()
    assert Invitation.objects.get().status_at(timezone.now() + timedelta(days=8)) == InvitationStatus.EXPIRED


def test_how_long_a_link_works_is_a_setting(settings, client_of, alice, invite):
    settings.INVITATION_VALID_DAYS = 2
    invite(client_of(alice))
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == timedelta(days=2)
    assert "Invitations work for 2 days" not in mail.outbox[0].body  # the email gives the date instead
    assert "stops working on" in mail.outbox[0].body


def test_an_unknown_link_is_not_valid(client):
    page = client.get(reverse("access:accept_invitation", args=["not-a-real-token"]))
    assert page.status_code == 404
    assert "This invitation link is not valid" in page_text(page)
    assert client.get(reverse("access:accept_invitation", args=["x" * 300])).status_code == 404


def test_a_revoked_link_stops_working(client_of, alice, invited):
    invitation = Invitation.objects.get()
    response = client_of(alice).post(access_url("invitation_revoke", "RAA", invitation.pk))
    assert response.url == reverse("access:index")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert invitation.revoked_by == alice
    assert AuditLog.objects.filter(action="invitation.revoked", actor=alice).exists()

    page = Client().get(invited)
    assert page.status_code == 410
    assert "This invitation has been withdrawn" in page_text(page)
    assert accept(Client(), invited).status_code == 410
    assert not User.objects.filter(email="nia@alpha.nhs.uk").exists()
    # Revoking twice changes nothing more.
    client_of(alice).post(access_url("invitation_revoke", "RAA", invitation.pk))
    assert AuditLog.objects.filter(action="invitation.revoked").count() == 1


def sent_days_ago(days: int) -> None:
    """Moves the invitation back in time (moving the clock instead would end the administrator's session)."""
    sent = timezone.now() - timedelta(days=days)
    Invitation.objects.update(created_at=sent, last_sent_at=sent, expires_at=sent + timedelta(days=7))


def test_resending_sends_a_new_link_and_the_old_one_stops_working(
    client_of, alice, invited, django_capture_on_commit_callbacks
):
    invitation = Invitation.objects.get()
    sent_days_ago(6)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(alice).post(access_url("invitation_resend", "RAA", invitation.pk))
    assert response.url == reverse("access:index")
    new_link = last_invitation_link()
    assert new_link != invited
    invitation.refresh_from_db()
    assert invitation.resent_count == 1
    assert timezone.now() + timedelta(days=7) - invitation.expires_at < timedelta(minutes=1)
    entry = AuditLog.objects.get(action="invitation.resent")
    assert entry.after["resent_count"] == 1

    assert Client().get(invited).status_code == 404
    assert accept(Client(), new_link).url == reverse("mfa_activate_totp")


def test_an_expired_invitation_can_be_resent(client_of, alice, invited, django_capture_on_commit_callbacks):
    sent_days_ago(30)
    assert Client().get(invited).status_code == 410
    with django_capture_on_commit_callbacks(execute=True):
        client_of(alice).post(access_url("invitation_resend", "RAA", Invitation.objects.get().pk))
    assert Client().get(last_invitation_link()).status_code == 200


def test_inviting_an_address_with_an_account_gives_access_at_once(client_of, alice, charlie, trust_a, invite):
    response = invite(client_of(alice), email="CHARLIE@beta.nhs.uk", full_name="Charlie", role="responder")

    assert response.url == reverse("access:index")
    assert not Invitation.objects.exists()
    assert User.objects.filter(email="charlie@beta.nhs.uk").count() == 1
    membership = Membership.objects.get(user=charlie, organisation=trust_a)
    assert membership.role == Role.RESPONDER
    assert membership.on_behalf
    [message] = mail.outbox
    assert message.to == ["charlie@beta.nhs.uk"]
    assert message.subject.endswith(f"You can now respond to cyber alerts for {trust_a.name}")
    assert "Alice Admin (Alpha Hospitals NHS Trust) has given you access" in message.body
    assert AuditLog.objects.get(action="membership.created").actor == alice
    page = page_text(client_of(alice).get(reverse("access:index")))
    assert "Charlie Other (Beta Hospitals NHS Trust) already had an account" in page


def test_inviting_someone_who_already_has_access_changes_nothing(client_of, alice, bob, invite):
    response = invite(client_of(alice), email="bob@alpha.nhs.uk", role="administrator")
    assert response.status_code == 200
    expected = (
        "Bob Responder (Alpha Hospitals NHS Trust) can already respond for Alpha Hospitals NHS Trust, as responder"
    )
    assert expected in error_summary(response)
    assert Membership.objects.get(user=bob).role == Role.RESPONDER
    assert mail.outbox == []


def test_inviting_a_closed_account_is_refused(client_of, alice, invite):
    UserFactory(email="gone@alpha.nhs.uk", is_active=False)
    response = invite(client_of(alice), email="gone@alpha.nhs.uk")
    assert "The account for gone@alpha.nhs.uk is closed" in error_summary(response)
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": ""}, "Enter their email address"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format, like name@example.nhs.uk"),
        ({"email": "nia@alpha.nhs.uk\nBcc: x@example.com"}, "Enter an email address in the correct format"),
        ({"email": "a" * 250 + "@x.uk"}, "Email address must be 254 characters or fewer"),
        ({"full_name": "   "}, "Enter their full name"),
        ({"full_name": "N" * 201}, "Full name must be 200 characters or fewer"),
        ({"role": ""}, "Select their role"),
        ({"role": "csoc"}, "Select a valid choice"),
    ],
)
def test_bad_invitations_say_what_is_wrong_and_send_nothing(client_of, alice, invite, fields, message):
    response = invite(client_of(alice), **fields)
    assert response.status_code == 200
    assert title(response).startswith("Error: ")
    assert message in error_summary(response)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_second_invitation_to_the_same_address_is_refused_while_the_first_works(client_of, alice, invited, invite):
    again = invite(client_of(alice))
    assert "nia@alpha.nhs.uk was invited to Alpha Hospitals NHS Trust on" in error_summary(again)
    assert "Resend that invitation" in error_summary(again)
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_expired_invitation_makes_way_for_a_new_one(client_of, alice, invited, invite):
    sent_days_ago(8)
    assert invite(client_of(alice)).url == reverse("access:index")
    old, new = Invitation.objects.order_by("created_at")
    assert old.status == InvitationStatus.REVOKED
    assert new.status == InvitationStatus.PENDING


def test_invitations_are_rate_limited_per_person(settings, client_of, alice, trust_a, invite):
    settings.INVITATIONS_PER_HOUR = 2
    client = client_of(alice)
    for number in (1, 2):
        assert invite(client, email=f"person{number}@alpha.nhs.uk").url == reverse("access:index")
    refused = invite(client, email="person3@alpha.nhs.uk")
    assert refused.status_code == 200
    assert "You can send up to 2 invitations an hour. Nothing was sent." in error_summary(refused)
    assert Invitation.objects.count() == 2
    assert len(mail.outbox) == 2
    # Resending counts too.
    first = Invitation.objects.first()
    client_of(alice).post(access_url("invitation_resend", "RAA", first.pk))
    first.refresh_from_db()
    assert first.resent_count == 0
    # Another administrator has their own allowance; an hour later Alice has hers back.
    assert invite(client_of(second_administrator(trust_a)), email="person4@alpha.nhs.uk").url == reverse("access:index")
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert invite(client_of(alice, fresh=True), email="person5@alpha.nhs.uk").url == reverse("access:index")


def test_only_the_organisations_administrators_can_invite(client_of, bob, charlie, auditor, csoc, invite):
    for person in (bob, charlie, auditor, csoc):
        assert invite(client_of(person), "RAA").status_code == 403
        assert client_of(person).get(access_url("invite", "RAA")).status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_forged_resend_and_revoke_for_another_organisation_are_refused(client_of, invited, charlie, bob, trust_b):
    invitation = Invitation.objects.get()
    for person in (charlie, bob):
        client = client_of(person)
        assert client.post(access_url("invitation_resend", "RAA", invitation.pk)).status_code == 403
        assert client.post(access_url("invitation_revoke", "RAA", invitation.pk)).status_code == 403
    # Charlie administers Trust B, but the invitation is not Trust B's.
    assert client_of(charlie).post(access_url("invitation_revoke", "RBB", invitation.pk)).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert invitation.resent_count == 0
    assert len(mail.outbox) == 1


def test_resend_and_revoke_only_answer_posts(client_of, alice, invited):
    invitation = Invitation.objects.get()
    assert client_of(alice).get(access_url("invitation_revoke", "RAA", invitation.pk)).status_code == 405
    assert Invitation.objects.get().status == InvitationStatus.PENDING


def test_someone_signed_in_as_another_person_cannot_accept(client_of, bob, invited):
    page = client_of(bob).post(invited, {"password1": PASSWORD, "password2": PASSWORD})
    assert "You are signed in as someone else" in page_text(page)
    assert "This invitation is for nia@alpha.nhs.uk, but you are signed in as bob@alpha.nhs.uk" in page_text(page)
    assert Invitation.objects.get().status == InvitationStatus.PENDING
    assert not User.objects.filter(email="nia@alpha.nhs.uk").exists()


def test_a_person_whose_account_was_created_since_signs_in_to_accept(client_of, invited, trust_a, trust_b):
    nia = UserFactory(email="nia@alpha.nhs.uk", full_name="Nia New", organisation=trust_b)

    anonymous = Client().get(invited)
    assert "Sign in to accept your invitation" in page_text(anonymous)
    assert Client().post(invited, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 200
    assert not Membership.objects.filter(user=nia).exists()

    client = client_of(nia)
    assert "Accept your invitation" in page_text(client.get(invited))
    response = client.post(invited)
    assert response.url == reverse("access:index")
    assert Membership.objects.get(user=nia, organisation=trust_a).role == Role.RESPONDER
    assert Invitation.objects.get().accepted_by == nia
    assert User.objects.filter(email="nia@alpha.nhs.uk").count() == 1


def test_administrators_see_their_organisations_invitations_only(client_of, alice, charlie, invited):
    assert "nia@alpha.nhs.uk" in page_text(client_of(alice).get(reverse("access:index")))
    assert "nia@alpha.nhs.uk" not in page_text(client_of(charlie).get(reverse("access:index")))
