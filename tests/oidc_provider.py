"""A small but real OpenID Connect provider for tests, served over HTTP on 127.0.0.1 in a background thread.

It speaks the authorization code flow: PKCE (S256) is required, the client authenticates with its secret
(one method, as advertised in discovery), codes are single-use and bound to the client, redirect URI,
nonce and code challenge, and ID tokens are RS256-signed with a key published at the JWKS endpoint.
There is no login page: the authorization endpoint approves whichever identity the test has set.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CODE_LIFETIME_SECONDS = 60
TOKEN_LIFETIME_SECONDS = 300
TOKEN_AUTH_METHODS = ("client_secret_post", "client_secret_basic")
# RFC 7636: 43 to 128 characters from the unreserved set.
CODE_VERIFIER_PATTERN = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


@dataclass
class Identity:
    """The person the provider signs in, and the authentication methods it asserts for them (`amr`)."""

    sub: str
    email: str
    name: str = ""
    email_verified: bool = True
    amr: list[str] = field(default_factory=lambda: ["pwd"])


@dataclass(frozen=True)
class _Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    identity: Identity
    expires_at: float


class ProviderError(Exception):
    """An OAuth 2.0 error response (RFC 6749 sections 4.1.2.1 and 5.2)."""

    def __init__(self, error: str, description: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


class OidcProvider:
    """Start with `with OidcProvider(...) as provider:`; set `provider.identity` before each sign-in."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        redirect_uris: Iterable[str],
        token_auth_method: str = "client_secret_post",
    ) -> None:
        if token_auth_method not in TOKEN_AUTH_METHODS:
            raise ValueError(f"token_auth_method must be one of {TOKEN_AUTH_METHODS}, not {token_auth_method!r}")
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = frozenset(redirect_uris)
        self.token_auth_method = token_auth_method
        self._signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = secrets.token_hex(8)
        self._lock = threading.Lock()
        self._codes: dict[str, _Grant] = {}
        self._access_tokens: dict[str, tuple[Identity, float]] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.reset()

    def reset(self) -> None:
        """Forget the identity, any injected faults and the request log (codes and tokens stay valid)."""
        self.identity: Identity | None = None
        # Claims to put in (or, with None, leave out of) the next ID tokens, to test a client's checks.
        self.id_token_overrides: dict[str, Any] = {}
        # Sign ID tokens with a key the JWKS does not publish, as a forger would.
        self.sign_with_unpublished_key = False
        self.requests: list[tuple[str, str]] = []

    # Lifecycle

    def start(self) -> OidcProvider:
        # A short poll: shutting down waits for the next one (half a second by default).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="oidc-provider", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> OidcProvider:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # Endpoints

    def url(self, path: str) -> str:
        return f"{self.issuer}{path}"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.url("/authorize"),
            "token_endpoint": self.url("/token"),
            "userinfo_endpoint": self.url("/userinfo"),
            "jwks_uri": self.url("/jwks"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": [self.token_auth_method],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "amr", "email", "email_verified", "name"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self._signing_key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self._kid, "alg": "RS256", "use": "sig"}]}

    def authorize(self, params: dict[str, str]) -> str:
        """Returns where to send the browser. Raises ProviderError when it must not redirect at all."""
        if params.get("client_id") != self.client_id:
            raise ProviderError("invalid_client", "Unknown client_id.")
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in self.redirect_uris:
            raise ProviderError("invalid_request", f"redirect_uri {redirect_uri!r} is not registered for this client.")
        state = params.get("state")
        try:
            code = self._issue_code(params, redirect_uri)
        except ProviderError as error:
            return _with_query(redirect_uri, {"error": error.error, "error_description": error.description}, state)
        return _with_query(redirect_uri, {"code": code}, state)

    def _issue_code(self, params: dict[str, str], redirect_uri: str) -> str:
        if params.get("response_type") != "code":
            raise ProviderError("unsupported_response_type", "Only response_type=code is supported.")
        if "openid" not in params.get("scope", "").split():
            raise ProviderError("invalid_scope", "The openid scope is required.")
        if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
            raise ProviderError("invalid_request", "PKCE is required: send code_challenge with method S256.")
        if self.identity is None:
            raise ProviderError("access_denied", "No one is signed in at the provider.")
        identity = replace(self.identity, amr=list(self.identity.amr))
        code = secrets.token_urlsafe(32)
        grant = _Grant(
            client_id=self.client_id,
            redirect_uri=redirect_uri,
            code_challenge=params["code_challenge"],
            nonce=params.get("nonce"),
            identity=identity,
            expires_at=time.time() + CODE_LIFETIME_SECONDS,
        )
        with self._lock:
            self._codes[code] = grant
        return code

    def token(self, form: dict[str, str], authorization: str | None) -> dict[str, Any]:
        self._authenticate_client(form, authorization)
        if form.get("grant_type") != "authorization_code":
            raise ProviderError("unsupported_grant_type", "Only grant_type=authorization_code is supported.")
        with self._lock:
            # Single use: a code is gone once presented, whether or not the rest of the request is valid.
            grant = self._codes.pop(form.get("code", ""), None)
        if grant is None:
            raise ProviderError("invalid_grant", "The code is unknown, expired or already used.")
        if grant.client_id != self.client_id or grant.expires_at < time.time():
            raise ProviderError("invalid_grant", "The code is unknown, expired or already used.")
        if form.get("redirect_uri") != grant.redirect_uri:
            raise ProviderError("invalid_grant", "redirect_uri does not match the authorization request.")
        verifier = form.get("code_verifier", "")
        if not CODE_VERIFIER_PATTERN.fullmatch(verifier):
            raise ProviderError("invalid_grant", "code_verifier is missing or malformed.")
        if not secrets.compare_digest(s256(verifier), grant.code_challenge):
            raise ProviderError("invalid_grant", "code_verifier does not match the code_challenge.")

        access_token = secrets.token_urlsafe(32)
        with self._lock:
            self._access_tokens[access_token] = (grant.identity, time.time() + TOKEN_LIFETIME_SECONDS)
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECONDS,
            "id_token": self._id_token(grant),
        }

    def userinfo(self, authorization: str | None) -> dict[str, Any]:
        scheme, _, access_token = (authorization or "").partition(" ")
        with self._lock:
            entry = self._access_tokens.get(access_token) if scheme.lower() == "bearer" else None
        if entry is None or entry[1] < time.time():
            raise ProviderError(
                "invalid_token", "The access token is missing, unknown or expired.", HTTPStatus.UNAUTHORIZED
            )
        return _profile_claims(entry[0])

    def _authenticate_client(self, form: dict[str, str], authorization: str | None) -> None:
        if authorization and authorization.lower().startswith("basic "):
            if self.token_auth_method != "client_secret_basic":
                raise ProviderError("invalid_client", "Use client_secret_post.", HTTPStatus.UNAUTHORIZED)
            if "client_secret" in form:
                raise ProviderError("invalid_request", "Use one client authentication method, not two.")
            try:
                decoded = base64.b64decode(authorization[6:], validate=True).decode()
            except ValueError as error:
                raise ProviderError(
                    "invalid_client", "Malformed Basic credentials.", HTTPStatus.UNAUTHORIZED
                ) from error
            raw_id, _, raw_secret = decoded.partition(":")
            client_id, client_secret = unquote(raw_id), unquote(raw_secret)
        else:
            if self.token_auth_method != "client_secret_post":
                raise ProviderError("invalid_client", "Use client_secret_basic.", HTTPStatus.UNAUTHORIZED)
            client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        if client_id != self.client_id or not secrets.compare_digest(client_secret, self.client_secret):
            raise ProviderError("invalid_client", "Client authentication failed.", HTTPStatus.UNAUTHORIZED)

    def _id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": grant.identity.sub,
            "aud": grant.client_id,
            "exp": now + TOKEN_LIFETIME_SECONDS,
            "iat": now,
            "auth_time": now,
            "jti": secrets.token_hex(16),
            **_profile_claims(grant.identity),
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        if grant.identity.amr:
            claims["amr"] = grant.identity.amr
        for name, value in self.id_token_overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        key = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if self.sign_with_unpublished_key
            else self._signing_key
        )
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self._kid})

    def _log(self, method: str, path: str) -> None:
        with self._lock:
            self.requests.append((method, path))


def s256(verifier: str) -> str:
    """The PKCE S256 code challenge for a verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _profile_claims(identity: Identity) -> dict[str, Any]:
    return {
        "sub": identity.sub,
        "email": identity.email,
        "email_verified": identity.email_verified,
        "name": identity.name,
    }


def _with_query(url: str, params: dict[str, str], state: str | None) -> str:
    if state is not None:
        params = {**params, "state": state}
    separator = "&" if urlsplit(url).query else "?"
    return f"{url}{separator}{urlencode(params)}"


def _single_values(query: str) -> dict[str, str]:
    values = parse_qs(query, keep_blank_values=True)
    repeated = sorted(name for name, items in values.items() if len(items) > 1)
    if repeated:
        raise ProviderError("invalid_request", f"Parameters must not repeat: {', '.join(repeated)}.")
    return {name: items[0] for name, items in values.items()}


def _handler_for(provider: OidcProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def _dispatch(self, method: str) -> None:
            url = urlsplit(self.path)
            provider._log(method, url.path)
            try:
                if method == "GET" and url.path == "/.well-known/openid-configuration":
                    self._json(HTTPStatus.OK, provider.discovery())
                elif method == "GET" and url.path == "/jwks":
                    self._json(HTTPStatus.OK, provider.jwks())
                elif method == "GET" and url.path == "/authorize":
                    self._redirect(provider.authorize(_single_values(url.query)))
                elif method == "POST" and url.path == "/token":
                    tokens = provider.token(self._form(), self.headers.get("Authorization"))
                    self._json(HTTPStatus.OK, tokens, {"Cache-Control": "no-store", "Pragma": "no-cache"})
                elif url.path == "/userinfo":
                    self._json(HTTPStatus.OK, provider.userinfo(self.headers.get("Authorization")))
                else:
                    self._json(HTTPStatus.NOT_FOUND, {"error": "not_found"})
            except ProviderError as error:
                headers = {}
                if error.status == HTTPStatus.UNAUTHORIZED:
                    scheme = "Bearer" if url.path == "/userinfo" else "Basic"
                    headers["WWW-Authenticate"] = f'{scheme} error="{error.error}"'
                self._json(error.status, {"error": error.error, "error_description": error.description}, headers)

        def _form(self) -> dict[str, str]:
            if self.headers.get_content_type() != "application/x-www-form-urlencoded":
                raise ProviderError("invalid_request", "The body must be application/x-www-form-urlencoded.")
            length = int(self.headers.get("Content-Length") or 0)
            return _single_values(self.rfile.read(length).decode())

        def _json(self, status: HTTPStatus, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _redirect(self, location: str) -> None:
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # The request log on the provider is enough; keep test output quiet.

    return Handler
