"""The test OpenID Connect provider is a real one: it enforces PKCE, single-use codes and client authentication."""

import base64
import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests

from tests.oidc_provider import Identity, OidcProvider, s256

CLIENT_ID = "client"
CLIENT_SECRET = "secret"
REDIRECT_URI = "http://client.example/callback"


@pytest.fixture(scope="module")
def running_provider() -> Iterator[OidcProvider]:
    with OidcProvider(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[REDIRECT_URI]) as provider:
        yield provider


@pytest.fixture
def provider(running_provider: OidcProvider) -> OidcProvider:
    running_provider.reset()
    running_provider.identity = Identity(
        sub="user-1", email="person@example.nhs.uk", name="A Person", amr=["pwd", "mfa"]
    )
    return running_provider


def authorize(provider: OidcProvider, verifier: str, **overrides: str) -> requests.Response:
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": "openid email profile",
        "state": "state-1",
        "nonce": "nonce-1",
        "code_challenge": s256(verifier),
        "code_challenge_method": "S256",
        **overrides,
    }
    return requests.get(f"{provider.url('/authorize')}?{urlencode(params)}", allow_redirects=False, timeout=10)


def redirect_params(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return {name: values[0] for name, values in parse_qs(location.query).items()}


def code_for(provider: OidcProvider, verifier: str) -> str:
    params = redirect_params(authorize(provider, verifier))
    assert params["state"] == "state-1"
    return params["code"]


def exchange(provider: OidcProvider, code: str, verifier: str, **overrides: str) -> requests.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        **overrides,
    }
    return requests.post(provider.url("/token"), data=form, timeout=10)


def new_verifier() -> str:
    return secrets.token_urlsafe(48)


def verify_id_token(provider: OidcProvider, id_token: str) -> dict:
    jwks = requests.get(provider.discovery()["jwks_uri"], timeout=10).json()
    key = jwt.PyJWK(jwks["keys"][0]).key
    return jwt.decode(id_token, key, algorithms=["RS256"], audience=CLIENT_ID, issuer=provider.issuer)


def test_discovery_describes_the_endpoints(provider):
    document = requests.get(provider.url("/.well-known/openid-configuration"), timeout=10).json()

    assert document["issuer"] == provider.issuer
    for endpoint in ["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"]:
        assert document[endpoint].startswith(f"{provider.issuer}/")
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["token_endpoint_auth_methods_supported"] == ["client_secret_post"]


def test_a_code_exchanged_with_its_verifier_gives_a_signed_id_token_and_userinfo(provider):
    verifier = new_verifier()
    response = exchange(provider, code_for(provider, verifier), verifier)

    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    tokens = response.json()
    claims = verify_id_token(provider, tokens["id_token"])
    assert claims["sub"] == "user-1"
    assert claims["aud"] == CLIENT_ID
    assert claims["nonce"] == "nonce-1"
    assert claims["amr"] == ["pwd", "mfa"]
    assert claims["email"] == "person@example.nhs.uk"
    assert claims["email_verified"] is True
    assert claims["exp"] > claims["iat"]

    userinfo = requests.get(
        provider.url("/userinfo"), headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10
    )
    assert userinfo.json() == {
        "sub": "user-1",
        "email": "person@example.nhs.uk",
        "email_verified": True,
        "name": "A Person",
    }


def test_a_wrong_pkce_verifier_is_rejected_and_burns_the_code(provider):
    verifier = new_verifier()
    code = code_for(provider, verifier)

    wrong = exchange(provider, code, new_verifier())

    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert "code_verifier does not match" in wrong.json()["error_description"]
    assert exchange(provider, code, verifier).json()["error"] == "invalid_grant"


def test_a_code_works_only_once(provider):
    verifier = new_verifier()
    code = code_for(provider, verifier)
    assert exchange(provider, code, verifier).status_code == 200

    again = exchange(provider, code, verifier)

    assert again.status_code == 400
    assert again.json() == {
        "error": "invalid_grant",
        "error_description": "The code is unknown, expired or already used.",
    }


def test_the_code_is_bound_to_its_redirect_uri(provider):
    verifier = new_verifier()

    response = exchange(provider, code_for(provider, verifier), verifier, redirect_uri="http://client.example/other")

    assert response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "credentials",
    [{"client_secret": "not-the-secret"}, {"client_id": "someone-else"}, {"client_secret": ""}],
    ids=["wrong-secret", "wrong-client", "no-secret"],
)
def test_the_client_must_authenticate(provider, credentials):
    verifier = new_verifier()

    response = exchange(provider, code_for(provider, verifier), verifier, **credentials)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_only_the_advertised_client_authentication_method_is_accepted(provider):
    verifier = new_verifier()
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()

    response = requests.post(
        provider.url("/token"),
        data={"grant_type": "authorization_code", "code": code_for(provider, verifier), "redirect_uri": REDIRECT_URI},
        headers={"Authorization": f"Basic {basic}"},
        timeout=10,
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_pkce_is_required(provider):
    response = authorize(provider, new_verifier(), code_challenge="", code_challenge_method="")

    params = redirect_params(response)
    assert params["error"] == "invalid_request"
    assert params["state"] == "state-1"
    assert "code" not in params


def test_an_unregistered_redirect_uri_is_never_redirected_to(provider):
    response = authorize(provider, new_verifier(), redirect_uri="http://attacker.example/callback")

    assert response.status_code == 400
    assert "Location" not in response.headers


def test_userinfo_needs_a_valid_bearer_token(provider):
    for headers in [{}, {"Authorization": "Bearer made-up"}]:
        response = requests.get(provider.url("/userinfo"), headers=headers, timeout=10)

        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_a_forged_id_token_does_not_verify_against_the_published_keys(provider):
    provider.sign_with_unpublished_key = True
    verifier = new_verifier()

    id_token = exchange(provider, code_for(provider, verifier), verifier).json()["id_token"]

    with pytest.raises(jwt.InvalidSignatureError):
        verify_id_token(provider, id_token)
