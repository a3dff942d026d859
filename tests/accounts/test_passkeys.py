"""Passkeys (WebAuthn) as a second factor, through the real allauth and fido2 code.

No WebAuthn code is mocked: SoftwarePasskey below is a minimal authenticator (an ECDSA P-256 key, "none"
attestation) that answers the challenges the service sets, and fido2 checks its answers as it would a browser's.
tests/browser/test_passkeys.py does the same with Chromium's virtual authenticator.
"""

import hashlib
import html
import json
import os
import re
from typing import Any

import pytest
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse
from fido2.cose import ES256
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData

from respond.accounts.mfa import session_is_multi_factor
from respond.core.models import AuditLog
from tests.accounts.access_helpers import signed_in_client, title
from tests.accounts.helpers import submit_password
from tests.factories import enrol_totp

pytestmark = pytest.mark.django_db

SITE = "http://localhost:8000"
PASSKEY_OPTIONS = re.compile(r"data-passkey-options='([^']*)'")
FLAGS_UP_UV = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.UV


class SoftwarePasskey:
    """One passkey, as an authenticator holds it: a private key, for one relying party, used from one origin."""

    def __init__(self, *, origin: str = SITE, rp_id: str = "localhost") -> None:
        self.origin, self.rp_id = origin, rp_id
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.user_handle = b""
        self.counter = 0

    def _client_data(self, kind: str, options: dict[str, Any]) -> CollectedClientData:
        return CollectedClientData.create(kind, options["publicKey"]["challenge"], self.origin)

    def _auth_data(self, flags: AuthenticatorData.FLAG, credential_data: bytes = b"") -> AuthenticatorData:
        self.counter += 1
        return AuthenticatorData.create(
            hashlib.sha256(self.rp_id.encode()).digest(), flags, self.counter, credential_data
        )

    def create(self, creation_options: dict[str, Any]) -> dict[str, Any]:
        self.user_handle = websafe_decode(creation_options["publicKey"]["user"]["id"])
        public_key = ES256.from_cryptography_key(self.private_key.public_key())
        credential_data = AttestedCredentialData.create(bytes(16), self.credential_id, public_key)
        auth_data = self._auth_data(FLAGS_UP_UV | AuthenticatorData.FLAG.AT, credential_data)
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(self._client_data("webauthn.create", creation_options)),
                "attestationObject": websafe_encode(AttestationObject.create("none", auth_data, {})),
                "transports": ["internal"],
            },
            "clientExtensionResults": {"credProps": {"rk": False}},
        }

    def get(self, request_options: dict[str, Any]) -> dict[str, Any]:
        client_data = self._client_data("webauthn.get", request_options)
        auth_data = self._auth_data(FLAGS_UP_UV)
        signature = self.private_key.sign(auth_data + client_data.hash, ec.ECDSA(hashes.SHA256()))
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "authenticatorData": websafe_encode(auth_data),
                "signature": websafe_encode(signature),
                "userHandle": websafe_encode(self.user_handle),
            },
            "clientExtensionResults": {},
        }


def js_data(response) -> dict[str, Any]:
    match = PASSKEY_OPTIONS.search(response.content.decode())
    assert match, "the page carries no passkey options"
    return json.loads(html.unescape(match.group(1)))


def add_passkey(client: Client, passkey: SoftwarePasskey, name: str = "Work laptop"):
    page = client.get(reverse("mfa_add_webauthn"))
    assert page.status_code == 200
    credential = passkey.create(js_data(page)["creation_options"])
    return client.post(reverse("mfa_add_webauthn"), {"name": name, "credential": json.dumps(credential)})


def password_only_client(user) -> Client:
    client = Client()
    response = submit_password(client, user.email)
    assert response.status_code == 302
    return client


@pytest.fixture(autouse=True)
def site_on_localhost(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def bob_with_a_passkey(bob):
    """Bob, whose only second factor is a passkey (and recovery codes)."""
    passkey = SoftwarePasskey()
    response = add_passkey(password_only_client(bob), passkey)
    assert response.status_code == 302
    return bob, passkey


# Settings


def test_passkeys_are_a_supported_second_factor_and_origins_are_always_checked():
    assert "webauthn" in settings.MFA_SUPPORTED_TYPES
    assert settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN is False


def test_signing_in_with_a_passkey_alone_is_off():
    assert settings.MFA_PASSKEY_LOGIN_ENABLED is False
    with pytest.raises(NoReverseMatch):
        reverse("mfa_login_webauthn")
    with pytest.raises(NoReverseMatch):
        reverse("mfa_signup_webauthn")


def test_the_relying_party_is_the_site_url_host_not_the_request_host(settings, alice):
    settings.SITE_URL = "https://respond.example.nhs.uk"
    settings.ALLOWED_HOSTS = ["respond.example.nhs.uk", "elsewhere.example.com"]
    client = signed_in_client(alice)

    page = client.get(reverse("mfa_add_webauthn"), HTTP_HOST="elsewhere.example.com")

    rp = js_data(page)["creation_options"]["publicKey"]["rp"]
    assert rp == {"id": "respond.example.nhs.uk", "name": settings.SERVICE_NAME}


def test_a_passkey_made_for_another_origin_is_refused(alice):
    client = signed_in_client(alice)
    impostor = SoftwarePasskey(origin="https://respond.example.nhs.uk.evil.example", rp_id="localhost")

    response = add_passkey(client, impostor)

    assert response.status_code == 200
    assert "Your passkey was not added" in response.content.decode()
    assert not Authenticator.objects.filter(user=alice, type=Authenticator.Type.WEBAUTHN).exists()


def test_a_passkey_made_for_another_relying_party_is_refused(alice):
    response = add_passkey(signed_in_client(alice), SoftwarePasskey(rp_id="evil.example"))

    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=alice, type=Authenticator.Type.WEBAUTHN).exists()


# Adding a passkey as the first second factor


def test_a_person_without_a_second_factor_may_add_a_passkey(bob):
    client = password_only_client(bob)
    assert client.get(reverse("home")).url == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"))
    assert reverse("mfa_add_webauthn") in page.content.decode()

    response = add_passkey(client, SoftwarePasskey(), name="Work laptop")

    # Recovery codes come with a first second factor, and the session now counts as multi-factor.
    assert response.url == reverse("mfa_view_recovery_codes")
    assert client.get(reverse("mfa_view_recovery_codes")).status_code == 200
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert session_is_multi_factor(home.wsgi_request)
    passkey = Authenticator.objects.get(user=bob, type=Authenticator.Type.WEBAUTHN)
    assert passkey.wrap().name == "Work laptop"
    entry = AuditLog.objects.get(action="mfa.passkey_added")
    assert (entry.actor, entry.object_id) == (bob, str(bob.pk))
    assert entry.after == {"authenticator_id": passkey.pk, "name": "Work laptop"}


def test_posting_no_passkey_shows_an_error_and_adds_nothing(bob):
    client = password_only_client(bob)
    client.get(reverse("mfa_add_webauthn"))

    response = client.post(reverse("mfa_add_webauthn"), {"name": "Laptop", "credential": ""})

    assert response.status_code == 200
    content = response.content.decode()
    assert "<title>Error: Add a passkey" in content
    assert "Your passkey was not added" in content
    assert not Authenticator.objects.filter(user=bob).exists()
    assert not session_is_multi_factor(response.wsgi_request)


def test_a_person_with_a_second_factor_who_skipped_it_cannot_add_a_passkey(bob_with_a_passkey):
    bob, _ = bob_with_a_passkey
    client = Client()
    client.force_login(bob, backend="django.contrib.auth.backends.ModelBackend")

    response = client.get(reverse("mfa_add_webauthn"))

    # Passkey enrolled, yet this session has no second factor: signed out, not offered another enrolment (which
    # would make the session multi-factor on a password alone).
    assert response.url == reverse("account_login")
    assert "_auth_user_id" not in client.session


# Signing in: password, then the passkey


def test_password_then_passkey_signs_in_with_multi_factor(bob_with_a_passkey):
    bob, passkey = bob_with_a_passkey
    client = Client()

    response = submit_password(client, bob.email)
    assert response.url == reverse("mfa_authenticate")
    page = client.get(reverse("mfa_authenticate"))
    assert title(page).startswith("Use your passkey \N{EN DASH}")
    assert client.get(reverse("home")).status_code == 302

    credential = passkey.get(js_data(page)["request_options"])
    response = client.post(reverse("mfa_authenticate"), {"credential": json.dumps(credential)})

    assert response.url == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert session_is_multi_factor(home.wsgi_request)
    records = get_authentication_records(home.wsgi_request, bob)
    assert [record["method"] for record in records] == ["password", "mfa"]
    assert records[-1]["type"] == "webauthn"
    assert "passwordless" not in records[-1]


def test_a_passkey_that_is_not_theirs_is_refused(bob_with_a_passkey, alice):
    bob, _ = bob_with_a_passkey
    alices = SoftwarePasskey()
    add_passkey(signed_in_client(alice), alices)
    client = Client()
    submit_password(client, bob.email)
    page = client.get(reverse("mfa_authenticate"))

    credential = alices.get(js_data(page)["request_options"])
    response = client.post(reverse("mfa_authenticate"), {"credential": json.dumps(credential)})

    assert response.status_code == 200
    content = response.content.decode()
    assert "<title>Error: Use your passkey" in content
    assert "Your passkey was not recognised" in content
    assert client.get(reverse("home")).status_code == 302


def test_an_answer_to_an_old_challenge_is_refused(bob_with_a_passkey):
    bob, passkey = bob_with_a_passkey
    client = Client()
    submit_password(client, bob.email)
    old = js_data(client.get(reverse("mfa_authenticate")))["request_options"]
    client.get(reverse("mfa_authenticate"))  # a new challenge replaces the old one

    response = client.post(reverse("mfa_authenticate"), {"credential": json.dumps(passkey.get(old))})

    assert response.status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_a_recovery_code_still_works_when_the_passkey_is_lost(bob_with_a_passkey):
    bob, _ = bob_with_a_passkey
    recovery_codes = Authenticator.objects.get(user=bob, type=Authenticator.Type.RECOVERY_CODES)
    code = RecoveryCodes(recovery_codes).get_unused_codes()[0]
    client = Client()
    submit_password(client, bob.email)
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert "Recovery code" in page
    assert "Security code" not in page

    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.url == reverse("home")


def test_the_second_factor_page_offers_both_the_app_and_the_passkey(alice):
    add_passkey(signed_in_client(alice), SoftwarePasskey())
    client = Client()
    submit_password(client, alice.email)

    page = client.get(reverse("mfa_authenticate")).content.decode()

    assert "<title>Use your passkey or security code" in page
    assert 'name="code"' in page
    assert 'data-passkey="authenticate"' in page


# Pages, scripts and the Content-Security-Policy


def test_passkey_pages_load_their_scripts_with_the_csp_nonce_and_no_inline_script(alice):
    client = signed_in_client(alice)

    response = client.get(reverse("mfa_add_webauthn"))

    content = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    for script in ("mfa/js/webauthn-json.js", "mfa/js/webauthn.js", "accounts/passkeys.js"):
        assert re.search(rf'<script [^>]*src="/static/{re.escape(script)}"[^>]*nonce="{nonce}"', content), script
        assert client.get(f"/static/{script}").status_code == 200
    # Any inline script runs only with the nonce (the layout has one).
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", content)
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline)
    assert not re.search(r"\son[a-z]+=", content), "inline event handler"
    # Without script (or passkey support) the form stays hidden, and the page says what to do instead.
    assert re.search(r'<div data-passkey="add" data-passkey-options=\'[^\']*\' hidden>', content)
    assert "data-passkey-fallback" in content
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_account_page_lists_passkeys_to_rename_and_remove(alice):
    client = signed_in_client(alice)
    add_passkey(client, SoftwarePasskey(), name="Security key")
    passkey = Authenticator.objects.get(user=alice, type=Authenticator.Type.WEBAUTHN)

    page = client.get(reverse("mfa_index")).content.decode()

    assert "Security key" in page
    assert reverse("mfa_edit_webauthn", kwargs={"pk": passkey.pk}) in page
    assert reverse("mfa_remove_webauthn", kwargs={"pk": passkey.pk}) in page
    assert client.get(reverse("mfa_list_webauthn")).url == reverse("mfa_index")


def test_renaming_a_passkey_is_audited(alice):
    client = signed_in_client(alice)
    add_passkey(client, SoftwarePasskey(), name="Laptop")
    passkey = Authenticator.objects.get(user=alice, type=Authenticator.Type.WEBAUTHN)
    url = reverse("mfa_edit_webauthn", kwargs={"pk": passkey.pk})

    empty = client.post(url, {"name": ""})
    assert "Enter a name for your passkey" in empty.content.decode()
    response = client.post(url, {"name": "Old laptop"})

    assert response.url == reverse("mfa_index")
    passkey.refresh_from_db()
    assert passkey.wrap().name == "Old laptop"
    entry = AuditLog.objects.get(action="mfa.passkey_renamed")
    assert (entry.before["name"], entry.after["name"]) == ("Laptop", "Old laptop")


def test_removing_a_passkey_is_audited(alice):
    client = signed_in_client(alice)
    add_passkey(client, SoftwarePasskey(), name="Laptop")
    passkey = Authenticator.objects.get(user=alice, type=Authenticator.Type.WEBAUTHN)
    url = reverse("mfa_remove_webauthn", kwargs={"pk": passkey.pk})
    assert "Remove your passkey" in client.get(url).content.decode()

    response = client.post(url)

    assert response.url == reverse("mfa_index")
    assert not Authenticator.objects.filter(pk=passkey.pk).exists()
    entry = AuditLog.objects.get(action="mfa.passkey_removed")
    assert entry.before == {"authenticator_id": passkey.pk, "name": "Laptop"}


def test_the_only_second_factor_cannot_be_removed(bob_with_a_passkey):
    bob, _ = bob_with_a_passkey
    passkey = Authenticator.objects.get(user=bob, type=Authenticator.Type.WEBAUTHN)
    client = signed_in_client(bob)  # also enrols an authenticator app, so remove that first
    Authenticator.objects.filter(user=bob, type=Authenticator.Type.TOTP).delete()
    url = reverse("mfa_remove_webauthn", kwargs={"pk": passkey.pk})

    assert "You cannot remove this passkey" in client.get(url).content.decode()
    client.post(url)

    assert Authenticator.objects.filter(pk=passkey.pk).exists()
    assert not AuditLog.objects.filter(action="mfa.passkey_removed").exists()


def test_nobody_can_rename_or_remove_another_persons_passkey(bob_with_a_passkey, alice):
    bob, _ = bob_with_a_passkey
    passkey = Authenticator.objects.get(user=bob, type=Authenticator.Type.WEBAUTHN)
    client = signed_in_client(alice)

    assert client.get(reverse("mfa_edit_webauthn", kwargs={"pk": passkey.pk})).status_code == 404
    assert client.post(reverse("mfa_remove_webauthn", kwargs={"pk": passkey.pk})).status_code == 404
    assert Authenticator.objects.filter(pk=passkey.pk).exists()


def test_reauthenticating_with_a_passkey(bob_with_a_passkey):
    bob, passkey = bob_with_a_passkey
    enrol_totp(bob)
    client = signed_in_client(bob)
    url = reverse("mfa_reauthenticate_webauthn")

    page = client.get(url)
    assert "<title>Use your passkey to continue" in page.content.decode()
    refused = client.post(url, {"credential": json.dumps(SoftwarePasskey().get(js_data(page)["request_options"]))})
    assert refused.status_code == 200
    assert "Your passkey was not recognised" in refused.content.decode()

    page = client.get(url)
    response = client.post(url, {"credential": json.dumps(passkey.get(js_data(page)["request_options"]))})
    assert response.status_code == 302
    assert get_authentication_records(response.wsgi_request, bob)[-1]["reauthenticated"] is True


def test_guessing_at_the_passkey_step_is_rate_limited(bob_with_a_passkey):
    bob, passkey = bob_with_a_passkey
    client = Client()
    submit_password(client, bob.email)

    def answer(with_passkey: SoftwarePasskey):
        options = js_data(client.get(reverse("mfa_authenticate")))["request_options"]
        return client.post(reverse("mfa_authenticate"), {"credential": json.dumps(with_passkey.get(options))})

    for _ in range(5):
        assert "Your passkey was not recognised" in answer(SoftwarePasskey()).content.decode()
    response = answer(passkey)

    assert "You have tried to sign in too many times" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
