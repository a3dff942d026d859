"""Every URL the project serves, found by walking config.urls (allauth's included), is either public or guarded.

A route added anywhere is picked up here automatically: an anonymous person must be sent to sign in, and a
signed-in person without a second factor must be sent to MFA enrolment, unless the route is listed below.
"""

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils.regex_helper import normalize

from respond.accounts.middleware import URLS_ALLOWED_WITHOUT_MFA
from tests.factories import UserFactory, enrol_totp

# Routes anyone may open without signing in, by url name (or by route, for allauth's unnamed redirects).
# Adding a route here makes it public: say why.
PUBLIC_ROUTES = {
    "healthz": "load balancer health check",
    "readyz": "load balancer readiness check",
    "metrics": "Prometheus metrics: authenticated by a bearer token (404 when none is configured)",
    "accessibility": "accessibility statement",
    "privacy": "privacy notice",
    "cookies": "cookie notice",
    "account_login": "sign in",
    "account_signup": "sign-up is closed: explains that accounts are created by invitation",
    "account_inactive": "tells a person their account is inactive",
    "account_reset_password": "forgotten password",
    "account_reset_password_done": "forgotten password",
    "account_reset_password_from_key": "forgotten password: the link from the email",
    "account_reset_password_from_key_done": "forgotten password",
    "account_email_verification_sent": "email confirmation",
    "account_confirm_email": "email confirmation: the link from the email",
    "socialaccount_login_cancelled": "single sign-on was cancelled at the identity provider",
    "socialaccount_login_error": "single sign-on failed at the identity provider",
    "openid_connect_login": "starts single sign-on (404 when no provider is configured)",
    "openid_connect_callback": "the identity provider returns here (404 when no provider is configured)",
    "alerts:list": "published alerts: TLP:CLEAR ones for everyone, restricted ones only for their recipients",
    "alerts:detail": "an alert: TLP:CLEAR for everyone, restricted only for its recipients (404 otherwise)",
    "alerts:feed_rss": "RSS feed of TLP:CLEAR alerts",
    "alerts:feed_atom": "Atom feed of TLP:CLEAR alerts",
    "alerts_api:index": "JSON API of TLP:CLEAR alerts, compatible with NHS Digital's CyberAlert API",
    "alerts_api:page": "JSON API of TLP:CLEAR alerts",
    "alerts_api:single": "JSON API of TLP:CLEAR alerts",
    "exchange:alert_stix": "an alert's STIX 2.1 bundle: the same TLP rules as the alert's page (404 otherwise)",
    **{
        f"taxii:{name}": "TAXII 2.1 for threat intelligence platforms: the public collection (TLP:CLEAR) needs no "
        "token; every other collection needs an API token (401 without one, 404 for another token's)"
        for name in ("discovery", "api_root", "collections", "collection", "objects", "manifest", "object")
    },
    "taxii:object_versions": "TAXII 2.1: an object's versions, with the same rules as its collection",
    "notifications:delivery_receipt": "GOV.UK Notify delivery receipts: authenticated by a bearer token",
    "access:accept_invitation": "the link in an invitation email: its secret token admits the invited person",
    "api-v1:openapi-json": "the REST API's OpenAPI document: it describes the endpoints and holds no data",
    "api-v1:openapi-view": "the REST API's documentation page (Swagger UI over the OpenAPI document)",
    **dict.fromkeys(
        [
            "api-v1:api-root",
            "api-v1:alert_list",
            "api-v1:alert_detail",
            "api-v1:organisation_list",
            "api-v1:response_detail",
            "api-v1:bulk_response",
            "api-v1:compliance",
            "api-v1:chase",
            "api-v1:delivery",
            "api_not_found",
        ],
        "the REST API: authenticated by an API token (JSON 401 without one), never by a session",
    ),
    "exports:calendar_feed": (
        "a person's deadline calendar, read by calendar apps that cannot sign in: the long random token in the "
        "address is the credential (stored hashed, revocable; 404 when unknown, revoked or its owner deactivated)"
    ),
}

# Reviewed copy of respond.accounts.middleware.URLS_ALLOWED_WITHOUT_MFA: widening it needs a reviewed change here too.
REVIEWED_URLS_ALLOWED_WITHOUT_MFA = {
    "mfa_activate_totp",
    "mfa_add_webauthn",
    "account_logout",
    "account_reauthenticate",
    "healthz",
    "readyz",
    "metrics",
    "accessibility",
    "privacy",
    "cookies",
}

# Values for path parameters, by parameter name; others get the first GENERIC_VALUES entry that the route accepts.
PLAUSIBLE_VALUES = {
    "ods_code": "RAA",
    "threat_id": "CC-4000",
    "provider_id": "nhsmail",
    "uidb36": "1",
    "key": "set-password-key",
}
GENERIC_VALUES = ["1", "RAA", "abc", "00000000-0000-4000-8000-000000000001", "2026-01-31"]


@dataclass(frozen=True)
class Route:
    route: str  # as written in the urlconfs, prefixes joined
    name: str | None  # namespaced url name
    path: str  # a concrete URL that resolves to this route

    @property
    def key(self) -> str:
        return self.name or self.route


Endpoint = tuple[tuple, URLPattern, str]  # the patterns leading to it, the pattern, its namespace prefix


def _endpoints(resolver: URLResolver, chain: tuple = (), namespace: str = "") -> Iterator[Endpoint]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _endpoints(entry, (*chain, entry.pattern), inner)
        else:
            yield (*chain, entry.pattern), entry, namespace


def _candidate_paths(patterns: tuple) -> Iterator[str]:
    # normalize() is what reverse() uses: it turns each regex into "literal %(param)s text" forms.
    for forms in itertools.product(*(normalize(pattern.regex.pattern) for pattern in patterns)):
        template = "".join(form for form, _ in forms)
        params = [param for _, names in forms for param in names]
        choices = [[PLAUSIBLE_VALUES[p], *GENERIC_VALUES] if p in PLAUSIBLE_VALUES else GENERIC_VALUES for p in params]
        for values in itertools.product(*choices):
            yield "/" + template % dict(zip(params, values, strict=True))


def _concrete_path(patterns: tuple, endpoint: URLPattern) -> str | None:
    for path in _candidate_paths(patterns):
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.func is endpoint.callback:
            return path
    return None


def walk_routes() -> tuple[list[Route], list[str]]:
    """Every reachable route with a concrete URL, and the routes no URL could be built for."""
    routes: list[Route] = []
    unbuildable: list[str] = []
    for patterns, endpoint, namespace in _endpoints(get_resolver()):
        route = "".join(str(pattern) for pattern in patterns)
        name = f"{namespace}{endpoint.name}" if endpoint.name else None
        path = _concrete_path(patterns, endpoint)
        if path is not None:
            routes.append(Route(route=route, name=name, path=path))
        elif not any(known.route == route for known in routes):
            # A route written twice is served by the first: only a route nobody shadows is unbuildable.
            unbuildable.append(route)
    return routes, unbuildable


ROUTES, UNBUILDABLE = walk_routes()
PUBLIC = [route for route in ROUTES if route.key in PUBLIC_ROUTES]
NOT_PUBLIC = [route for route in ROUTES if route.key not in PUBLIC_ROUTES]
ALLOWED_WITHOUT_MFA = [route for route in ROUTES if route.name in URLS_ALLOWED_WITHOUT_MFA]
# Public pages are open to anyone: whether a session without MFA may see them is for the middleware to decide.
NEEDS_MFA = [route for route in NOT_PUBLIC if route.name not in URLS_ALLOWED_WITHOUT_MFA]


def _ids(routes: list[Route]) -> list[str]:
    return [route.key for route in routes]


def _path_name(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.view_name if match.url_name else match.route


def _signed_in_with_password_only(user) -> Client:
    """A session after the password step, as allauth records it, with no second factor."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "password", "at": time.time(), "email": user.email}]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
    return client


def test_the_walk_finds_the_project_and_allauth_routes():
    keys = {route.key for route in ROUTES}
    assert {"home", "organisations:detail", "core:audit_log", "account_login", "mfa_authenticate"} <= keys
    assert "/organisations/RAA/" in {route.path for route in ROUTES}


def test_every_route_has_a_concrete_url():
    assert not UNBUILDABLE, f"No URL could be built for {UNBUILDABLE}: add its parameters to PLAUSIBLE_VALUES"


def test_every_public_route_exists():
    stale = set(PUBLIC_ROUTES) - {route.key for route in ROUTES}
    assert not stale, f"PUBLIC_ROUTES names routes that no longer exist: {sorted(stale)}"


def test_the_mfa_allow_list_is_the_reviewed_one():
    assert URLS_ALLOWED_WITHOUT_MFA == REVIEWED_URLS_ALLOWED_WITHOUT_MFA
    assert {route.name for route in ALLOWED_WITHOUT_MFA} == URLS_ALLOWED_WITHOUT_MFA


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("route", NOT_PUBLIC, ids=_ids(NOT_PUBLIC))
def test_anonymous_people_are_sent_to_sign_in(client, route, method):
    response = getattr(client, method)(route.path, follow=True)
    assert response.redirect_chain, f"{method.upper()} {route.path} answered {response.status_code} without signing in"
    landed_on = response.redirect_chain[-1][0]
    assert _path_name(landed_on) in PUBLIC_ROUTES, f"{route.path} sent an anonymous person to {landed_on}"
    assert response.status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize("route", PUBLIC, ids=_ids(PUBLIC))
def test_public_routes_answer_anonymous_people(client, route):
    response = client.get(route.path)
    assert response.status_code < 500
    if response.status_code in (301, 302):
        assert _path_name(response["Location"]) != "account_login", f"{route.key} is listed as public but needs sign-in"


@pytest.mark.django_db
@pytest.mark.parametrize("route", NEEDS_MFA, ids=_ids(NEEDS_MFA))
def test_people_without_a_second_factor_are_sent_to_enrol(route):
    client = _signed_in_with_password_only(UserFactory())
    response = client.get(route.path)
    assert response.status_code == 302, f"{route.path} answered {response.status_code} to a session without MFA"
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
@pytest.mark.parametrize("route", ALLOWED_WITHOUT_MFA, ids=_ids(ALLOWED_WITHOUT_MFA))
def test_the_allow_list_is_reachable_without_a_second_factor(route):
    client = _signed_in_with_password_only(UserFactory())
    response = client.get(route.path)
    assert response.status_code < 500
    assert response.get("Location") != reverse("mfa_activate_totp")
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("route", NEEDS_MFA, ids=_ids(NEEDS_MFA))
def test_an_enrolled_person_who_skipped_the_second_factor_is_signed_out(route):
    user = UserFactory()
    enrol_totp(user)
    client = _signed_in_with_password_only(user)
    response = client.get(route.path)
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_URL)
    assert "_auth_user_id" not in client.session
