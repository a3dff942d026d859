"""Signing in with a password and an authenticator app, through the real allauth views."""

import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import reverse

from respond.accounts.mfa import session_is_multi_factor
from tests.accounts.helpers import secret_shown, submit_code, submit_password, totp_code, wrong_code
from tests.factories import enrol_totp

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXP"


def test_password_then_code_from_the_app_signs_in(client, alice):
    enrol_totp(alice, SECRET)

    response = submit_password(client, alice.email)
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    # Between the two steps the person is not signed in.
    assert client.get(reverse("home")).status_code == 302

    page = client.get(reverse("mfa_authenticate"))
    assert "Enter your security code" in page.content.decode()

    response = submit_code(client, totp_code(SECRET))
    assert response.status_code == 302
    assert response.url == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Alpha Hospitals NHS Trust" in home.content.decode()
    assert session_is_multi_factor(home.wsgi_request)


def test_a_wrong_code_is_refused(client, alice):
    enrol_totp(alice, SECRET)
    submit_password(client, alice.email)

    response = submit_code(client, wrong_code(SECRET))

    assert response.status_code == 200
    content = response.content.decode()
    assert "<title>Error: Enter your security code" in content
    assert "The security code is not correct" in content
    assert client.get(reverse("home")).status_code == 302


def test_a_code_from_long_ago_is_refused(client, alice):
    enrol_totp(alice, SECRET)
    submit_password(client, alice.email)

    response = submit_code(client, totp_code(SECRET, at=time.time() - 3600))

    assert response.status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_a_used_code_cannot_be_replayed(client, alice):
    enrol_totp(alice, SECRET)
    code = totp_code(SECRET)
    submit_password(client, alice.email)
    submit_code(client, code)
    client.post(reverse("account_logout"))

    submit_password(client, alice.email)
    response = submit_code(client, code)

    assert "The security code is not correct" in response.content.decode()


def test_the_wrong_password_is_refused_and_the_email_is_kept(client, alice):
    response = submit_password(client, alice.email, "not-the-password")

    content = response.content.decode()
    assert response.status_code == 200
    assert "The email address or password is not correct" in content
    assert 'value="alice@alpha.nhs.uk"' in content


def test_empty_fields_get_specific_errors(client):
    response = client.post(reverse("account_login"), {"login": "not-an-email", "password": ""})

    content = response.content.decode()
    assert "Enter an email address in the correct format" in content
    assert "Enter your password" in content
    assert 'href="#id_login"' in content
    assert 'value="not-an-email"' in content


def test_a_recovery_code_works_once(client, alice):
    enrol_totp(alice, SECRET)
    recovery_code = RecoveryCodes.activate(alice).get_unused_codes()[0]

    submit_password(client, alice.email)
    response = submit_code(client, recovery_code)
    assert response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("account_logout"))

    submit_password(client, alice.email)
    response = submit_code(client, recovery_code)
    assert response.status_code == 200
    assert "The security code is not correct" in response.content.decode()


def test_an_unenrolled_user_is_sent_to_set_up_an_authenticator_app(client, bob):
    response = submit_password(client, bob.email)
    assert response.status_code == 302

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    assert client.get(reverse("organisations:list")).url == reverse("mfa_activate_totp")


def test_enrolling_with_a_valid_code_reaches_the_home_page(client, bob):
    submit_password(client, bob.email)
    page = client.get(reverse("mfa_activate_totp"))
    content = page.content.decode()
    assert "<h1>Set up your authenticator app</h1>" in content
    assert 'src="data:image/svg+xml;base64,' in content
    assert 'alt="QR code to add' in content
    secret = secret_shown(page)
    assert secret == client.session["mfa.totp.secret"]
    assert len(secret) == 32

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response.url == reverse("mfa_view_recovery_codes")
    codes_page = client.get(response.url).content.decode()
    assert "<h1>Your recovery codes</h1>" in codes_page
    assert "You have 10 unused codes out of 10." in codes_page
    assert client.get(reverse("home")).status_code == 200
    assert Authenticator.objects.filter(user=bob, type=Authenticator.Type.TOTP).exists()


def test_enrolling_with_a_wrong_code_is_refused(client, bob):
    submit_password(client, bob.email)
    secret = secret_shown(client.get(reverse("mfa_activate_totp")))

    response = client.post(reverse("mfa_activate_totp"), {"code": wrong_code(secret)})

    assert response.status_code == 200
    content = response.content.decode()
    assert "<title>Error: Set up your authenticator app" in content
    assert "The security code is not correct" in content
    # The same secret is shown again, so the app the person already set up still works.
    assert secret_shown(response) == secret
    assert not Authenticator.objects.filter(user=bob).exists()
    assert client.get(reverse("home")).url == reverse("mfa_activate_totp")


def test_enrolling_with_no_code_asks_for_one(client, bob):
    submit_password(client, bob.email)
    client.get(reverse("mfa_activate_totp"))

    response = client.post(reverse("mfa_activate_totp"), {"code": ""})

    assert "Enter the 6-digit code from your authenticator app" in response.content.decode()


def test_after_enrolling_the_next_sign_in_asks_for_a_code(client, bob):
    submit_password(client, bob.email)
    secret = secret_shown(client.get(reverse("mfa_activate_totp")))
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    client.post(reverse("account_logout"))

    with time_machine.travel(time.time() + 60, tick=False):
        response = submit_password(client, bob.email)
        assert response.url == reverse("mfa_authenticate")
        response = submit_code(client, totp_code(secret))
        assert response.url == reverse("home")


def test_the_sign_in_page_has_no_single_sign_on_button_unless_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    content = client.get(reverse("account_login")).content.decode()

    assert "<title>Sign in \N{EN DASH} Respond to a cyber alert" in content
    assert "Sign in with NHSmail" not in content


def test_the_sign_in_page_offers_nhsmail_when_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "nhsmail",
                    "name": "NHSmail",
                    "client_id": "respond",
                    "secret": "s3cret",
                    "settings": {"server_url": "https://sso.example.nhs.uk/.well-known/openid-configuration"},
                }
            ]
        }
    }

    content = client.get(reverse("account_login") + "?next=/organisations/").content.decode()

    sso_url = reverse("openid_connect_login", kwargs={"provider_id": "nhsmail"})
    assert f'<form method="post" action="{sso_url}">' in content
    assert "Sign in with NHSmail" in content
    assert '<input type="hidden" name="next" value="/organisations/">' in content


def test_signing_out_asks_for_confirmation(signed_in, alice):
    client = signed_in(alice)

    page = client.get(reverse("account_logout"))
    assert "Are you sure you want to sign out?" in page.content.decode()
    assert client.get(reverse("home")).status_code == 200

    response = client.post(reverse("account_logout"))
    assert response.url == reverse("account_login")
    assert client.get(reverse("home")).status_code == 302


def test_an_inactive_account_cannot_sign_in(client, alice):
    alice.is_active = False
    alice.save()

    response = submit_password(client, alice.email)

    assert response.url == reverse("account_inactive")
    assert "<h1>Your account has been deactivated</h1>" in client.get(response.url).content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_the_account_inactive_page(client):
    content = client.get(reverse("account_inactive")).content.decode()

    assert "<h1>Your account has been deactivated</h1>" in content
