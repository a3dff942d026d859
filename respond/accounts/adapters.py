import time
from typing import Any
from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from respond.accounts.mfa import SECOND_FACTOR_TYPES, id_token_asserts_mfa, remember_sso_mfa


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "The email address or password is not correct",
        "too_many_login_attempts": "You have tried to sign in too many times. Wait 5 minutes, then try again.",
        "enter_current_password": "Your current password is not correct",
        "incorrect_password": "Your password is not correct",
        "rate_limited": "You have made too many requests. Wait a few minutes, then try again.",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People arrive by invitation, or CSOC creates their account.
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        # Signing in counts as authenticating: someone who signed in minutes ago (say, to set up their
        # authenticator app for the first time) is not asked for their password again straight away.
        request = context.request
        if request is not None and request.user.is_authenticated:
            records = get_authentication_records(request, request.user)
            if records and time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT:
                return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def get_login_stages(self) -> list[str]:
        return [
            "respond.accounts.mfa.MfaAuthenticateStage" if stage == "allauth.mfa.stages.AuthenticateStage" else stage
            for stage in super().get_login_stages()
        ]


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        id_token = sociallogin.account.extra_data.get("id_token") or {}
        user_id = sociallogin.user.pk if sociallogin.is_existing else None
        remember_sso_mfa(request, user_id, id_token_asserts_mfa(id_token))


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "The security code is not correct. Enter the code your authenticator app shows now.",
        "cannot_delete_authenticator": "You cannot turn off your authenticator app: every account needs one.",
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # A second factor is mandatory: removing the only one would leave the account protected by a password alone.
        if authenticator.type == Authenticator.Type.TOTP:
            return False
        if authenticator.type == Authenticator.Type.WEBAUTHN:
            return (
                Authenticator.objects.filter(user_id=authenticator.user_id, type__in=SECOND_FACTOR_TYPES)
                .exclude(pk=authenticator.pk)
                .exists()
            )
        return True

    def get_totp_issuer(self) -> str:
        return settings.SERVICE_NAME

    def generate_authenticator_name(self, user: AbstractBaseUser, type: Authenticator.Type) -> str:
        count = Authenticator.objects.filter(user_id=user.pk, type=type).count()
        return "Passkey" if count == 0 else f"Passkey {count + 1}"

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        # The relying party is the service's public host, never the request's Host header: a passkey is bound to it,
        # and the browser and fido2 accept it only from https://that host (or http://localhost outside production).
        return {"id": passkey_relying_party_id(), "name": settings.SERVICE_NAME}


def passkey_relying_party_id() -> str:
    host = urlsplit(settings.SITE_URL).hostname
    if not host:
        raise ImproperlyConfigured("SITE_URL needs a host name for passkeys (WebAuthn).")
    return host
