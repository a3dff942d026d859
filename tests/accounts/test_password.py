"""Forgotten password and password change."""

import re
import time

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from tests.accounts.helpers import submit_code, submit_password, totp_code
from tests.factories import DEMO_PASSWORD, enrol_totp

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "granite-lantern-meadow-7"


def test_a_forgotten_password_is_reset_from_the_emailed_link(client, alice):
    secret = "JBSWY3DPEHPK3PXP"
    enrol_totp(alice, secret)
    page = client.get(reverse("account_reset_password")).content.decode()
    assert "<h1>Reset your password</h1>" in page

    response = client.post(reverse("account_reset_password"), {"email": "Alice@Alpha.nhs.uk"})
    assert response.url == reverse("account_reset_password_done")
    assert "<h1>Check your email</h1>" in client.get(response.url).content.decode()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://testserver(/account/password/reset/key/\S+/)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert "<h1>Choose a new password</h1>" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True
    )
    assert "<h1>Your password has been saved</h1>" in done.content.decode()

    assert "not correct" in submit_password(client, alice.email).content.decode()
    assert submit_password(client, alice.email, NEW_PASSWORD).url == reverse("mfa_authenticate")
    assert submit_code(client, totp_code(secret)).url == reverse("home")


def test_an_unknown_email_gets_the_same_answer(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@alpha.nhs.uk"})

    # Nobody can find out which addresses have accounts.
    assert response.url == reverse("account_reset_password_done")


def test_the_reset_form_asks_for_an_email_address(client):
    response = client.post(reverse("account_reset_password"), {"email": "nonsense"})

    content = response.content.decode()
    assert "Enter an email address in the correct format" in content
    assert 'value="nonsense"' in content
    assert mail.outbox == []


def test_a_broken_link_says_it_has_stopped_working(client, alice):
    content = client.get("/account/password/reset/key/1-not-a-real-key/", follow=True).content.decode()

    assert "<h1>This link has stopped working</h1>" in content


def test_changing_the_password(signed_in, alice):
    client = signed_in(alice)
    assert "<h1>Change your password</h1>" in client.get(reverse("account_change_password")).content.decode()

    wrong = client.post(
        reverse("account_change_password"),
        {"oldpassword": "nope", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert "Your current password is not correct" in wrong.content.decode()

    empty = client.post(reverse("account_change_password"), {})
    for message in ("Enter your current password", "Enter a new password", "Enter your new password again"):
        assert message in empty.content.decode()

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": DEMO_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_changing_the_password_long_after_signing_in_asks_for_it_again(client, alice):
    secret = "JBSWY3DPEHPK3PXP"
    enrol_totp(alice, secret)
    submit_password(client, alice.email)
    submit_code(client, totp_code(secret))

    with time_machine.travel(time.time() + 10 * 60, tick=False):
        # Recovery codes are sensitive: ten minutes after signing in, allauth asks the person to confirm it is them.
        response = client.get(reverse("mfa_generate_recovery_codes"))
        assert response.url.startswith(reverse("account_reauthenticate"))
        page = client.get(response.url).content.decode()
        assert "<h1>Enter your password to continue</h1>" in page
        assert "Use your authenticator app or a recovery code" in page

        wrong = client.post(response.url, {"password": "nope"})
        assert "Your password is not correct" in wrong.content.decode()
        confirmed = client.post(response.url, {"password": DEMO_PASSWORD})
        assert confirmed.url == reverse("mfa_generate_recovery_codes")
        assert "<h1>Get new recovery codes</h1>" in client.get(confirmed.url).content.decode()
