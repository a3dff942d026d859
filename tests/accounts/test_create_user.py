"""CSOC creates users (page and command); the new user sets a password from the emailed link, then enrols MFA."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from respond.accounts.models import GlobalRole, Membership, Role, User
from respond.accounts.services import user_create
from respond.core.audit import Auditor
from respond.core.models import AuditLog
from tests.accounts.helpers import secret_shown, submit_password, totp_code
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "plum-harbour-violin-42"


def link_in(message) -> str:
    match = re.search(r"http://127\.0\.0\.1:8000(/account/password/reset/key/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def create(client, **data):
    return client.post(reverse("accounts:create_user"), data)


def test_csoc_creates_a_responder_who_gets_an_email_with_a_link(
    signed_in, csoc, trust_a, django_capture_on_commit_callbacks
):
    client = signed_in(csoc)
    page = client.get(reverse("accounts:create_user"))
    assert "<h1>Create a user</h1>" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = create(
            client, email=" New.Person@Alpha.nhs.uk ", full_name="New  Person", organisation="raa", role="responder"
        )

    assert response.status_code == 302
    user = User.objects.get(email="new.person@alpha.nhs.uk")
    assert user.full_name == "New Person"
    assert user.organisation == trust_a
    assert user.global_role == ""
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).role == Role.RESPONDER
    confirmation = client.get(response.url).content.decode()
    assert "Account created for New Person (Alpha Hospitals NHS Trust)" in confirmation

    entry = AuditLog.objects.get(action="user.created")
    assert entry.actor == csoc
    assert entry.object_id == str(user.pk)
    assert entry.after == {
        "email": "new.person@alpha.nhs.uk",
        "full_name": "New Person",
        "organisation": "RAA",
        "role": "responder",
        "global_role": "",
    }

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@alpha.nhs.uk"]
    assert message.subject == "[Respond to a cyber alert] Set your password"
    assert "Dear New Person," in message.body
    assert "/account/password/reset/key/" in message.body


def test_the_new_user_sets_a_password_then_must_enrol_mfa(client, csoc, trust_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user_create(
            email="new@alpha.nhs.uk",
            full_name="Nia New",
            organisation=trust_a,
            role=Role.ADMINISTRATOR,
            global_role="",
            created_by_auditor=Auditor.for_user(csoc),
        )
    link = link_in(mail.outbox[0])

    form_page = client.get(link, follow=True)
    assert "<h1>Create your password</h1>" in form_page.content.decode()
    action = form_page.redirect_chain[-1][0]
    mismatch = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert "You must type the same password each time." in mismatch.content.decode()
    too_short = client.post(action, {"password1": "short", "password2": "short"})
    assert "This password is too short" in too_short.content.decode()
    done = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True)
    assert "<h1>Your password has been saved</h1>" in done.content.decode()

    # The link works once.
    again = client.get(link, follow=True)
    assert "<h1>This link has stopped working</h1>" in again.content.decode()

    submit_password(client, "new@alpha.nhs.uk", NEW_PASSWORD)
    assert client.get(reverse("home")).url == reverse("mfa_activate_totp")
    secret = secret_shown(client.get(reverse("mfa_activate_totp")))
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert client.get(reverse("home")).status_code == 200
    assert Authenticator.objects.filter(user__email="new@alpha.nhs.uk", type=Authenticator.Type.TOTP).exists()


def test_csoc_creates_an_auditor_without_an_organisation(signed_in, csoc, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        create(signed_in(csoc), email="aud@england.nhs.uk", full_name="Aud Itor", organisation="", role="auditor")

    user = User.objects.get(email="aud@england.nhs.uk")
    assert user.global_role == GlobalRole.AUDITOR
    assert user.organisation is None
    assert not user.memberships.exists()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "", "full_name": "A", "organisation": "RAA", "role": "responder"}, "Enter their email address"),
        (
            {"email": "not-an-email", "full_name": "A", "organisation": "RAA", "role": "responder"},
            "Enter an email address in the correct format",
        ),
        (
            {"email": "BOB@alpha.nhs.uk", "full_name": "A", "organisation": "RAA", "role": "responder"},
            "There is already an account for bob@alpha.nhs.uk",
        ),
        (
            {"email": "a@alpha.nhs.uk", "full_name": " ", "organisation": "RAA", "role": "responder"},
            "Enter their full name",
        ),
        (
            {"email": "a@alpha.nhs.uk", "full_name": "A", "organisation": "ZZZ", "role": "responder"},
            "There is no organisation with the ODS code ZZZ",
        ),
        (
            {"email": "a@alpha.nhs.uk", "full_name": "A", "organisation": "", "role": "administrator"},
            "Enter the ODS code of their organisation",
        ),
        ({"email": "a@alpha.nhs.uk", "full_name": "A", "organisation": "RAA", "role": ""}, "Select their role"),
        (
            {"email": "a@alpha.nhs.uk", "full_name": "A", "organisation": "RAA", "role": "owner"},
            "Select a valid choice",
        ),
    ],
)
def test_the_page_explains_each_mistake_and_creates_nothing(signed_in, csoc, bob, data, message):
    users_before = User.objects.count()

    response = create(signed_in(csoc), **data)

    content = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Create a user" in content
    assert message in content
    assert User.objects.count() == users_before
    assert not AuditLog.objects.filter(action="user.created").exists()
    assert mail.outbox == []
    if data["email"]:
        assert f'value="{data["email"]}"' in content
    if message == "Select their role":
        # The error summary links to the first radio.
        assert 'href="#id_role"' in content
        assert 'id="id_role"' in content


def test_a_closed_organisation_is_refused(signed_in, csoc):
    OrganisationFactory(ods_code="RCL", name="Closed Hospitals NHS Trust", active=False)

    response = create(signed_in(csoc), email="a@closed.nhs.uk", full_name="A", organisation="RCL", role="responder")

    assert "Closed Hospitals NHS Trust (RCL) has closed" in response.content.decode()
    assert not User.objects.filter(email="a@closed.nhs.uk").exists()


@pytest.mark.parametrize("user_fixture", ["alice", "bob", "auditor"])
def test_only_csoc_can_create_users(request, signed_in, user_fixture, trust_a):
    client = signed_in(request.getfixturevalue(user_fixture))

    assert client.get(reverse("accounts:create_user")).status_code == 403
    response = create(client, email="x@alpha.nhs.uk", full_name="X", organisation="RAA", role="responder")
    assert response.status_code == 403
    assert not User.objects.filter(email="x@alpha.nhs.uk").exists()


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse("accounts:create_user"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("role", "global_role", "organisation", "message"),
    [
        ("responder", "auditor", True, "either a role in their organisation or a global role, not both"),
        ("", "", True, "Give a role in their organisation (administrator or responder) or a global role"),
        ("owner", "", True, "owner is not a role in an organisation"),
        ("", "king", False, "king is not a global role"),
        ("responder", "", False, "An administrator or responder needs their organisation's ODS code"),
    ],
)
def test_the_service_refuses_bad_role_combinations(csoc, trust_a, role, global_role, organisation, message):
    with pytest.raises(Exception, match=re.escape(message)):
        user_create(
            email="x@alpha.nhs.uk",
            full_name="X",
            organisation=trust_a if organisation else None,
            role=role,
            global_role=global_role,
            created_by_auditor=Auditor.for_user(csoc),
        )
    assert not User.objects.filter(email="x@alpha.nhs.uk").exists()


def test_the_command_creates_a_user_and_emails_them(capsys, trust_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_user",
            "--email",
            "cmd@alpha.nhs.uk",
            "--name",
            "Cam Command",
            "--organisation",
            "raa",
            "--role",
            "Administrator",
        )

    user = User.objects.get(email="cmd@alpha.nhs.uk")
    assert user.memberships.get().role == Role.ADMINISTRATOR
    assert (
        "Created Cam Command (Alpha Hospitals NHS Trust), cmd@alpha.nhs.uk: Administrator." in capsys.readouterr().out
    )
    entry = AuditLog.objects.get(action="user.created")
    assert entry.actor_label == "system: create_user"
    assert entry.actor is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["cmd@alpha.nhs.uk"]


def test_the_command_creates_csoc_staff():
    call_command("create_user", "--email", "staff@csoc.nhs.uk", "--name", "Sam Staff", "--global-role", "csoc")

    assert User.objects.get(email="staff@csoc.nhs.uk").is_csoc


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--email", "bob@alpha.nhs.uk", "--organisation", "RAA", "--role", "responder"],
            "There is already an account for bob@alpha.nhs.uk",
        ),
        (
            ["--email", "new@x.nhs.uk", "--organisation", "NOPE", "--role", "responder"],
            "There is no organisation with the ODS code NOPE",
        ),
        (
            ["--email", "new@x.nhs.uk", "--organisation", "RAA", "--role", "responder", "--global-role", "csoc"],
            "not both",
        ),
        (["--email", "new@x.nhs.uk", "--organisation", "RAA"], "Give a role in their organisation"),
        (["--email", "not an email", "--global-role", "csoc"], "not an email is not a valid email address"),
        (
            ["--email", "new@x.nhs.uk", "--role", "responder"],
            "An administrator or responder needs their organisation's ODS code",
        ),
    ],
)
def test_the_command_explains_each_mistake_and_creates_nothing(bob, arguments, message):
    users_before = User.objects.count()

    with pytest.raises(CommandError, match=re.escape(message)) as error:
        call_command("create_user", "--name", "New Person", *arguments)

    assert str(error.value).startswith("Nothing was created.")
    assert User.objects.count() == users_before
    assert not AuditLog.objects.filter(action="user.created").exists()
    assert mail.outbox == []


def test_the_email_is_plain_text_without_html_escaping(csoc, trust_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user_create(
            email="sean@alpha.nhs.uk",
            full_name="Seán O'Brien & Co",
            organisation=trust_a,
            role=Role.RESPONDER,
            global_role="",
            created_by_auditor=Auditor.for_user(csoc),
        )

    body = mail.outbox[0].body
    assert "Dear Seán O'Brien & Co," in body
    assert "&#39;" not in body
    assert "&amp;" not in body
    assert "stops working after 3 days" in body
