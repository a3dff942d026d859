"""Passkeys as the second factor, in Chromium with its virtual authenticator (a real WebAuthn ceremony, no mocks).

The live server answers at http://localhost:<port>: a secure context, and a valid relying party for WebAuthn.
"""

import re
from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from playwright.sync_api import CDPSession, expect

from respond.core.models import AuditLog
from tests.accounts.access_helpers import signed_in_client
from tests.browser.pages import CheckedPage
from tests.browser.test_sign_in import sign_in_with_password, sign_out
from tests.factories import UserFactory, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def passkey_site(settings, live_server) -> None:
    # The relying party is SITE_URL's host, as in production: here, the live server's "localhost".
    settings.SITE_URL = live_server.url
    assert live_server.url.startswith("http://localhost:")


@pytest.fixture
def authenticator(page: CheckedPage, passkey_site) -> Iterator[CDPSession]:
    """A platform authenticator (like Windows Hello or Touch ID) that verifies the person, in this browser context."""
    session = page.page.context.new_cdp_session(page.page)
    session.send("WebAuthn.enable", {"enableUI": False})
    added = session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    session.authenticator_id = added["authenticatorId"]  # type: ignore[attr-defined]
    yield session
    session.send("WebAuthn.disable")


def credentials(authenticator: CDPSession) -> list[dict]:
    return authenticator.send("WebAuthn.getCredentials", {"authenticatorId": authenticator.authenticator_id})[  # type: ignore[attr-defined]
        "credentials"
    ]


def test_a_new_person_adds_a_passkey_and_signs_in_with_it(page, authenticator):
    user = UserFactory(email="new.starter@alpha.nhs.uk", full_name="New Starter")

    # Signed in with a password only, they must add a second factor: a passkey instead of an authenticator app.
    sign_in_with_password(page, user.email)
    assert page.path == "/account/2fa/totp/activate/"
    page.click(page.page.get_by_role("link", name="Add a passkey instead"))
    assert page.path == "/account/2fa/webauthn/add/"
    print(f"Screenshot: {page.screenshot('passkey-add')}")

    page.page.get_by_label("Name your passkey").fill("Work laptop")
    page.click(page.page.get_by_role("button", name="Add a passkey"))

    # Adding it counts as the second factor, so the recovery codes (made for a first factor) can be shown.
    assert page.path == "/account/2fa/recovery-codes/"
    passkey = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    assert passkey.wrap().name == "Work laptop"
    assert len(credentials(authenticator)) == 1
    assert AuditLog.objects.filter(action="mfa.passkey_added", object_id=str(user.pk)).exists()
    page.click(page.page.get_by_role("main").get_by_role("button", name="Continue"))
    assert page.path == "/"
    sign_out(page)

    # Password, then the passkey.
    sign_in_with_password(page, user.email)
    assert page.path.startswith("/account/2fa/authenticate/")
    expect(page.page.get_by_role("heading", level=1)).to_have_text("Use your passkey")
    print(f"Screenshot: {page.screenshot('passkey-authenticate')}")
    page.click(page.page.get_by_role("button", name="Use your passkey"))

    assert page.path == "/"
    expect(page.page.get_by_role("banner")).to_contain_text("New Starter")
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None


def test_a_person_with_an_authenticator_app_adds_renames_and_removes_a_passkey(page, authenticator, bob):
    enrol_totp(bob, "JBSWY3DPEHPK3PXP")
    RecoveryCodes.activate(bob)
    page.page.context.add_cookies([{"name": "sessionid", "value": signed_in_session(bob), "url": page.base_url}])

    page.visit("/account/2fa/")
    expect(page.page.get_by_role("main")).to_contain_text("You have not added a passkey.")
    page.click(page.page.get_by_role("main").get_by_role("button", name="Add a passkey"))
    page.page.get_by_label("Name your passkey").fill("Security key")
    page.click(page.page.get_by_role("button", name="Add a passkey"))
    assert page.path == "/account/2fa/"
    expect(page.page.get_by_role("main")).to_contain_text("Security key")
    print(f"Screenshot: {page.screenshot('passkey-account')}")

    # The same authenticator again: the browser refuses (the page lists the passkeys already added), and says why.
    page.visit("/account/2fa/webauthn/add/")
    page.page.get_by_role("button", name="Add a passkey").click()
    expect(page.page.get_by_role("alert")).to_contain_text("This passkey is already added to your account.")
    expect(page.page.get_by_role("alert")).to_be_focused()
    page.check()
    assert Authenticator.objects.filter(user=bob, type=Authenticator.Type.WEBAUTHN).count() == 1
    page.visit("/account/2fa/")

    page.click(page.page.get_by_role("link", name="Rename passkey Security key"))
    page.page.get_by_label("Name").fill("Keyring YubiKey")
    page.click(page.page.get_by_role("button", name="Save"))
    assert page.path == "/account/2fa/"
    expect(page.page.get_by_role("main")).to_contain_text("Keyring YubiKey")

    page.click(page.page.get_by_role("link", name="Remove passkey Keyring YubiKey"))
    page.click(page.page.get_by_role("button", name="Remove passkey"))
    assert page.path == "/account/2fa/"
    expect(page.page.get_by_role("main")).to_contain_text("You have not added a passkey.")
    assert not Authenticator.objects.filter(user=bob, type=Authenticator.Type.WEBAUTHN).exists()
    assert [entry.action for entry in AuditLog.objects.filter(action__startswith="mfa.passkey").order_by("pk")] == [
        "mfa.passkey_added",
        "mfa.passkey_renamed",
        "mfa.passkey_removed",
    ]


def test_the_second_factor_page_offers_the_passkey_alongside_the_app(page, authenticator, bob):
    enrol_totp(bob, "JBSWY3DPEHPK3PXP")
    page.page.context.add_cookies([{"name": "sessionid", "value": signed_in_session(bob), "url": page.base_url}])
    page.visit("/account/2fa/webauthn/add/")
    page.click(page.page.get_by_role("button", name="Add a passkey"))
    page.page.context.clear_cookies()

    sign_in_with_password(page, bob.email)
    expect(page.page).to_have_title(re.compile(r"^Use your passkey or security code"))
    expect(page.page.get_by_label("Security code")).to_be_visible()
    page.click(page.page.get_by_role("button", name="Use your passkey"))
    assert page.path == "/"


def signed_in_session(user) -> str:
    """A session signed in with a password and the authenticator app, for the browser to use."""
    return signed_in_client(user).cookies["sessionid"].value
