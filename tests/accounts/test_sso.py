"""Single sign-on through OpenID Connect, end to end against a real provider on 127.0.0.1.

Each sign-in goes: our login URL -> the provider's authorization endpoint (a real HTTP request) -> our
callback, where allauth exchanges the code at the provider's token endpoint and reads its userinfo.
"""

import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from config.settings import openid_connect_providers
from respond.accounts.models import User
from tests.accounts.helpers import totp_code
from tests.factories import DEMO_PASSWORD, enrol_totp
from tests.oidc_provider import Identity, OidcProvider

CLIENT_ID = "respond-test-client"
CLIENT_SECRET = "respond-test-secret"
CALLBACK_URL = "http://testserver/account/oidc/nhsmail/login/callback/"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # What tests.factories.enrol_totp enrols.
PROTECTED_PATHS = ["/", "/organisations/", "/csoc/audit-log/"]


def start_provider(token_auth_method: str = "client_secret_post") -> OidcProvider:
    return OidcProvider(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=[CALLBACK_URL],
        token_auth_method=token_auth_method,
    ).start()


def use_provider(settings: Settings, provider: OidcProvider) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = openid_connect_providers(
        issuer=provider.issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, name="NHSmail"
    )


@pytest.fixture(scope="module")
def running_provider() -> Iterator[OidcProvider]:
    provider = start_provider()
    yield provider
    provider.stop()


@pytest.fixture
def provider(running_provider: OidcProvider, settings: Settings) -> OidcProvider:
    running_provider.reset()
    use_provider(settings, running_provider)
    return running_provider


def identity_for(user: User, **kwargs) -> Identity:
    return Identity(sub=f"nhsmail-{user.pk}", email=user.email, name=user.full_name, **kwargs)


def sso_sign_in(client: Client, provider: OidcProvider) -> HttpResponseBase:
    """Runs the browser's part of the flow and returns the response to the callback."""
    login_url = reverse("openid_connect_login", kwargs={"provider_id": "nhsmail"})
    assert login_url == "/account/oidc/nhsmail/login/"
    start = client.get(login_url)
    assert start.status_code == 302
    return finish_sign_in(client, provider, start["Location"])


def finish_sign_in(client: Client, provider: OidcProvider, authorize_url: str) -> HttpResponseBase:
    """Visits the provider's authorization endpoint for real, then brings its answer back to our callback."""
    assert authorize_url.startswith(provider.url("/authorize?"))
    at_provider = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK_URL
    return client.get(f"{back.path}?{back.query}")


def signed_in_user_id(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id is not None else None


def current_totp_code() -> str:
    return totp_code(TOTP_SECRET)


@pytest.mark.django_db
@pytest.mark.parametrize("has_totp", [False, True], ids=["no-local-totp", "local-totp"])
def test_provider_mfa_signs_in_without_a_local_second_factor(provider, alice, client, has_totp):
    if has_totp:
        enrol_totp(alice)
    provider.identity = identity_for(alice, amr=["pwd", "mfa"])

    response = sso_sign_in(client, provider)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) == alice.pk
    assert client.get("/").status_code == 200
    # The SSO identity is now linked, so the next sign-in finds the user by `sub`.
    assert SocialAccount.objects.filter(user=alice, provider="nhsmail", uid=f"nhsmail-{alice.pk}").exists()
    # allauth fetched the code's tokens and the profile from the provider itself.
    assert ("POST", "/token") in provider.requests
    assert ("GET", "/userinfo") in provider.requests


@pytest.mark.django_db
def test_without_provider_mfa_an_enrolled_user_must_enter_their_totp_code(provider, alice, client):
    enrol_totp(alice)
    provider.identity = identity_for(alice, amr=["pwd"])

    response = sso_sign_in(client, provider)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_user_id(client) is None
    for path in PROTECTED_PATHS:
        page = client.get(path)
        assert page.status_code == 302
        assert page["Location"].startswith(reverse("account_login"))

    # Time stands still so that the code cannot expire between working it out and entering it.
    with time_machine.travel(time.time(), tick=False):
        code = current_totp_code()
        wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if code != "000000" else "111111"})
        assert wrong.status_code == 200
        assert signed_in_user_id(client) is None

        response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) == alice.pk
    assert client.get("/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("amr", [["pwd"], []], ids=["amr-pwd", "no-amr-claim"])
def test_without_provider_mfa_a_user_with_no_second_factor_must_enrol(provider, alice, client, amr):
    provider.identity = identity_for(alice, amr=amr)

    response = sso_sign_in(client, provider)

    assert response.status_code == 302
    assert signed_in_user_id(client) == alice.pk
    for path in PROTECTED_PATHS:
        page = client.get(path)
        assert page.status_code == 302
        assert page["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert not Authenticator.objects.filter(user=alice).exists()


@pytest.mark.django_db
def test_provider_mfa_counts_only_for_the_sign_in_that_asserted_it(provider, alice):
    provider.identity = identity_for(alice, amr=["pwd", "mfa"])
    first = Client()
    sso_sign_in(first, provider)
    assert first.get("/").status_code == 200

    # Signed in again through the now-linked account, this time without MFA at the provider.
    provider.identity = identity_for(alice, amr=["pwd"])
    second = Client()
    sso_sign_in(second, provider)

    assert signed_in_user_id(second) == alice.pk
    assert second.get("/")["Location"] == reverse("mfa_activate_totp")
    assert first.get("/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("address", "keeps_password"),
    [(None, False), (False, False), (True, True)],
    ids=["no-address-record", "unverified-address", "verified-address"],
)
def test_the_first_sso_sign_in_keeps_the_password_only_of_a_verified_address(
    provider, alice, client, address, keeps_password
):
    # allauth's guard against someone who set up an account in another person's name: signing in by
    # email wipes the password unless the local address is verified.
    if address is not None:
        EmailAddress.objects.create(user=alice, email=alice.email, verified=address, primary=True)
    provider.identity = identity_for(alice, amr=["pwd", "mfa"])

    sso_sign_in(client, provider)

    assert signed_in_user_id(client) == alice.pk
    alice.refresh_from_db()
    assert alice.has_usable_password() is keeps_password


@pytest.mark.django_db
def test_the_email_address_matches_whatever_its_case(provider, alice, client):
    provider.identity = identity_for(alice, amr=["pwd", "mfa"])
    provider.identity.email = alice.email.upper()

    sso_sign_in(client, provider)

    assert signed_in_user_id(client) == alice.pk


@pytest.mark.django_db
def test_a_deactivated_user_cannot_sign_in(provider, alice, client):
    alice.is_active = False
    alice.save()
    provider.identity = identity_for(alice, amr=["pwd", "mfa"])

    sso_sign_in(client, provider)

    assert signed_in_user_id(client) is None
    assert client.get("/")["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_an_unfinished_sso_sign_in_does_not_excuse_a_later_password_sign_in_from_mfa(provider, alice, client):
    alice.is_active = False
    alice.save()
    provider.identity = identity_for(alice, amr=["pwd", "mfa"])
    sso_sign_in(client, provider)
    assert signed_in_user_id(client) is None
    alice.is_active = True
    alice.save()
    enrol_totp(alice)

    response = client.post(reverse("account_login"), {"login": alice.email, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_user_id(client) is None


@pytest.mark.django_db
def test_an_unknown_email_address_is_refused_and_nothing_is_created(provider, alice, client):
    users_before = User.objects.count()
    provider.identity = Identity(sub="stranger", email="stranger@alpha.nhs.uk", name="Stranger", amr=["pwd", "mfa"])

    response = sso_sign_in(client, provider)

    assert response.status_code == 200  # allauth's "sign-up closed" page
    assert signed_in_user_id(client) is None
    assert User.objects.count() == users_before
    assert not User.objects.filter(email="stranger@alpha.nhs.uk").exists()
    assert not SocialAccount.objects.exists()
    assert client.get("/")["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_an_unverified_email_address_does_not_sign_in_as_its_owner(provider, alice, client):
    users_before = User.objects.count()
    provider.identity = identity_for(alice, email_verified=False, amr=["pwd", "mfa"])

    sso_sign_in(client, provider)

    assert signed_in_user_id(client) is None
    assert not SocialAccount.objects.exists()
    assert User.objects.count() == users_before
    alice.refresh_from_db()
    assert alice.has_usable_password()
    assert client.get("/")["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "another-client"},
        {"aud": ["another-client", "and-another"]},
        {"iss": "http://127.0.0.1:9/"},
        {"exp": int(time.time()) - 120},
    ],
    ids=["wrong-audience", "wrong-audiences", "wrong-issuer", "expired"],
)
def test_an_id_token_failing_validation_does_not_sign_in(provider, alice, client, overrides):
    provider.identity = identity_for(alice, amr=["pwd", "mfa"])
    provider.id_token_overrides = overrides

    response = sso_sign_in(client, provider)

    assert response.status_code == 401  # allauth's authentication error page
    assert signed_in_user_id(client) is None
    assert not SocialAccount.objects.exists()


@pytest.mark.django_db
def test_a_replayed_callback_does_not_sign_in(provider, alice, client):
    provider.identity = identity_for(alice, amr=["pwd", "mfa"])
    start = client.get(reverse("openid_connect_login", kwargs={"provider_id": "nhsmail"}))
    callback = requests.get(start["Location"], allow_redirects=False, timeout=10).headers["Location"]
    callback_path = callback.removeprefix("http://testserver")
    assert signed_in_user_id(client) is None
    client.get(callback_path)
    assert signed_in_user_id(client) == alice.pk

    attacker = Client()
    response = attacker.get(callback_path)

    assert response.status_code == 401
    assert signed_in_user_id(attacker) is None


@pytest.mark.django_db
def test_cancelling_at_the_provider_does_not_sign_in(provider, client):
    provider.identity = None  # The provider answers access_denied.

    response = sso_sign_in(client, provider)

    assert response.status_code == 302
    assert response["Location"] == reverse("socialaccount_login_cancelled")
    assert signed_in_user_id(client) is None


@pytest.mark.django_db
def test_the_authorization_request_uses_pkce_and_the_registered_callback(provider, alice, client):
    start = client.get(reverse("openid_connect_login", kwargs={"provider_id": "nhsmail"}))

    params = parse_qs(urlsplit(start["Location"]).query)
    assert params["client_id"] == [CLIENT_ID]
    assert params["redirect_uri"] == [CALLBACK_URL]
    assert params["response_type"] == ["code"]
    assert params["code_challenge_method"] == ["S256"]
    assert set(params["scope"][0].split()) == {"openid", "email", "profile"}
    assert params["state"][0]


@pytest.mark.django_db
def test_client_secret_basic_authentication_works_when_it_is_the_only_method_offered(alice, client, settings):
    provider = start_provider("client_secret_basic")
    try:
        use_provider(settings, provider)
        provider.identity = identity_for(alice, amr=["mfa"])

        sso_sign_in(client, provider)

        assert signed_in_user_id(client) == alice.pk
        assert client.get("/").status_code == 200
    finally:
        provider.stop()


@pytest.mark.django_db
def test_without_configuration_there_is_no_single_sign_on(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}

    assert client.get("/account/oidc/nhsmail/login/").status_code == 404
    assert "/account/oidc/nhsmail/login/" not in client.get(reverse("account_login")).text


@pytest.mark.django_db
def test_the_sign_in_page_offers_single_sign_on_when_configured(provider, client):
    page = client.get(reverse("account_login"))

    assert page.status_code == 200
    assert "/account/oidc/nhsmail/login/" in page.text


@pytest.mark.django_db
def test_the_sign_in_page_button_starts_single_sign_on(provider, alice):
    provider.identity = identity_for(alice, amr=["pwd", "mfa"])
    browser = Client(enforce_csrf_checks=True)
    assert "/account/oidc/nhsmail/login/" in browser.get(reverse("account_login")).text

    # What the page's form sends.
    start = browser.post(
        "/account/oidc/nhsmail/login/",
        {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value, "process": "login"},
    )
    assert start.status_code == 302
    finish_sign_in(browser, provider, start["Location"])

    assert signed_in_user_id(browser) == alice.pk
    assert browser.get("/").status_code == 200


@pytest.mark.django_db
def test_a_user_created_by_csoc_keeps_their_password_at_the_first_sso_sign_in(provider, trust_a, csoc, client):
    from respond.accounts.services import user_create
    from respond.core.audit import Auditor

    user = user_create(
        email="dana@alpha.nhs.uk",
        full_name="Dana Doe",
        organisation=trust_a,
        role="responder",
        global_role="",
        created_by_auditor=Auditor.for_user(csoc),
        send_invitation=False,
    )
    user.set_password("a-long-password-she-chose")
    user.save()
    provider.identity = identity_for(user, amr=["pwd", "mfa"])

    sso_sign_in(client, provider)

    assert signed_in_user_id(client) == user.pk
    user.refresh_from_db()
    assert user.has_usable_password()
