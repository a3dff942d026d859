"""The "Your account" page: authenticator app, recovery codes, and confirming it is you."""

import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from tests.accounts.helpers import totp_code, wrong_code

pytestmark = pytest.mark.django_db


def test_the_account_page_shows_details_and_sign_in_methods(signed_in, alice):
    client = signed_in(alice)
    RecoveryCodes.activate(alice)

    content = client.get(reverse("mfa_index")).content.decode()

    assert "<h1>Your account</h1>" in content
    assert "alice@alpha.nhs.uk" in content
    assert "Alpha Hospitals NHS Trust" in content
    assert "Set up on " in content
    assert "10 unused" in content
    assert reverse("account_change_password") in content
    assert reverse("mfa_generate_recovery_codes") in content


def test_recovery_codes_can_be_viewed_and_downloaded(signed_in, alice):
    client = signed_in(alice)
    codes = RecoveryCodes.activate(alice).get_unused_codes()

    page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert all(f"<code>{code}</code>" in page for code in codes)

    download = client.get(reverse("mfa_download_recovery_codes"))
    assert download["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
    assert all(code in download.content.decode() for code in codes)


def test_new_recovery_codes_replace_the_old_ones(signed_in, alice):
    client = signed_in(alice)
    old_codes = RecoveryCodes.activate(alice).get_unused_codes()
    page = client.get(reverse("mfa_generate_recovery_codes")).content.decode()
    assert "Your 10 unused codes will stop working." in page

    response = client.post(reverse("mfa_generate_recovery_codes"))

    assert response.url == reverse("mfa_view_recovery_codes")
    new_codes = Authenticator.objects.get(user=alice, type=Authenticator.Type.RECOVERY_CODES).wrap().get_unused_codes()
    assert set(new_codes).isdisjoint(old_codes)
    assert all(f"<code>{code}</code>" in client.get(response.url).content.decode() for code in new_codes)


def test_the_authenticator_app_cannot_be_turned_off(signed_in, alice):
    client = signed_in(alice)

    # An enrolled person who opens the set-up page again is sent to allauth's "deactivate" page, which explains.
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    content = response.content.decode()
    assert "<h1>Your authenticator app is set up</h1>" in content
    assert "<title>Error:" not in content

    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()


def test_confirming_it_is_you_with_a_security_code(signed_in, alice):
    client = signed_in(alice)  # enrolled with the factories' secret

    with time_machine.travel(time.time() + 10 * 60, tick=False):
        response = client.get(reverse("mfa_reauthenticate") + "?next=" + reverse("mfa_generate_recovery_codes"))
        content = response.content.decode()
        assert "<h1>Enter a security code to continue</h1>" in content
        assert "Use your password" in content

        wrong = client.post(
            reverse("mfa_reauthenticate"),
            {"code": wrong_code("JBSWY3DPEHPK3PXP"), "next": reverse("mfa_generate_recovery_codes")},
        )
        assert "The security code is not correct" in wrong.content.decode()
        confirmed = client.post(
            reverse("mfa_reauthenticate"),
            {"code": totp_code("JBSWY3DPEHPK3PXP"), "next": reverse("mfa_generate_recovery_codes")},
        )
        assert confirmed.url == reverse("mfa_generate_recovery_codes")


def test_the_email_page_shows_the_address_and_who_changes_it(signed_in, alice):
    content = signed_in(alice).get(reverse("account_email")).content.decode()

    assert "<h1>Your email address</h1>" in content
    assert "You sign in with <strong>alice@alpha.nhs.uk</strong>" in content
    assert "contact the Cyber Security Operations Centre" in content


def test_a_wrong_email_confirmation_link_has_stopped_working(client):
    content = client.get(reverse("account_confirm_email", args=["not-a-key"])).content.decode()

    assert "<h1>This link has stopped working</h1>" in content


def test_the_single_sign_on_page_without_a_connection(signed_in, alice):
    content = signed_in(alice).get(reverse("socialaccount_connections")).content.decode()

    assert "<h1>Single sign-on</h1>" in content
    assert "Your account is not connected to single sign-on." in content


def test_stopping_single_sign_on(signed_in, alice, settings):
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
    account = SocialAccount.objects.create(
        user=alice, provider="nhsmail", uid="alice-at-nhsmail", extra_data={"email": "alice@nhs.net"}
    )
    client = signed_in(alice)

    content = client.get(reverse("socialaccount_connections")).content.decode()
    assert "NHSmail: " in content
    assert f'value="{account.pk}"' in content

    response = client.post(reverse("socialaccount_connections"), {"account": account.pk})
    assert response.status_code == 302
    assert not SocialAccount.objects.filter(user=alice).exists()
