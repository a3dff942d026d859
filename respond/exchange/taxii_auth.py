"""Who is asking the TAXII server: nobody (the public collection only), or an API token, sent as HTTP Basic with
the token as the password (what most TAXII clients send; the user name is ignored) or as a Bearer token."""

import base64
import binascii

from django.http import HttpRequest

from respond.accounts.api_tokens import TokenAuth, authenticate_api_token
from respond.core.audit import client_ip


class BadCredentials(Exception):
    pass


def presented_secret(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return value
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as error:
            raise BadCredentials("The Basic credentials are not valid base64") from error
        _user, colon, password = decoded.partition(":")
        if colon and password:
            return password
    raise BadCredentials("Send an API token as the password of HTTP Basic authentication, or as a Bearer token")


def token_for(request: HttpRequest) -> TokenAuth | None:
    """None for an anonymous request; raises BadCredentials for a token that does not work (unknown, revoked,
    expired, or its owner no longer responds for any of its organisations)."""
    secret = presented_secret(request)
    if secret is None:
        return None
    auth = authenticate_api_token(secret, ip_address=client_ip(request))
    if auth is None:
        raise BadCredentials("The API token is not valid: it may have expired or been revoked")
    return auth
