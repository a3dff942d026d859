"""API requests authenticate with a personal token (respond.accounts.api_tokens), sent as a Bearer token, and are
rate limited per token. What a token may read and change is the scoped querysets' answer for its owner, narrowed
to the token's organisations (respond.api.scope)."""

from typing import cast

from django.http import HttpRequest
from ninja.security import HttpBearer

from respond.accounts.api_tokens import TokenAuth, authenticate_api_token, rate_limit_wait
from respond.api.errors import ApiError, RateLimited
from respond.core.audit import client_ip


class TokenBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> TokenAuth | None:
        auth = authenticate_api_token(token, ip_address=client_ip(request))
        if auth is None:
            return None
        wait = rate_limit_wait(auth.token)
        if wait:
            raise RateLimited(wait)
        return auth


def token_auth(request: HttpRequest) -> TokenAuth:
    return cast(TokenAuth, request.auth)  # type: ignore[attr-defined]


def require_respond_access(auth: TokenAuth) -> None:
    if not auth.can_respond:
        raise ApiError(403, "This token is read-only: make a read-and-respond token to record responses")
