"""When a session counts as multi-factor: a local second factor, or SSO whose ID token says `amr: mfa`."""

from typing import Any

from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.stages import AuthenticateStage
from django.http import HttpRequest

SSO_MFA_SESSION_KEY = "sso_mfa_user_id"
# Each is a second factor on its own; recovery codes only stand in for one.
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def id_token_asserts_mfa(id_token: dict[str, Any]) -> bool:
    amr = id_token.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return "mfa" in amr


def remember_sso_mfa(request: HttpRequest, user_id: int | None, asserted: bool) -> None:
    if asserted and user_id is not None:
        request.session[SSO_MFA_SESSION_KEY] = user_id
    else:
        request.session.pop(SSO_MFA_SESSION_KEY, None)


def sso_asserted_mfa(request: HttpRequest, user_id: int | None) -> bool:
    return user_id is not None and request.session.get(SSO_MFA_SESSION_KEY) == user_id


def session_is_multi_factor(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    if sso_asserted_mfa(request, user.pk):
        return True
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


def record_enrolment(request: HttpRequest, authenticator: Authenticator) -> None:
    """Enrolling proves the factor (a valid code was entered, or the passkey answered the challenge we set), so the
    session counts as multi-factor, just as if the person had then used it to sign in."""
    record_authentication(request, request.user, "mfa", id=authenticator.pk, type=authenticator.type, enrolled=True)


class MfaAuthenticateStage(AuthenticateStage):
    """allauth's second-factor step, skipped when the identity provider already did MFA."""

    def _should_handle(self, request: HttpRequest) -> bool:
        user = self.login.user
        is_sso = bool(self.login.signal_kwargs and self.login.signal_kwargs.get("sociallogin"))
        if not is_sso:
            # An SSO attempt that stopped short (an inactive account, say) must not vouch for a password sign-in.
            remember_sso_mfa(request, None, asserted=False)
        elif user is not None and sso_asserted_mfa(request, user.pk):
            return False
        return super()._should_handle(request)
