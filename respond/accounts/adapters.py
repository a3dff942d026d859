import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.http import HttpRequest

from respond.accounts.mfa import id_token_asserts_mfa, remember_sso_mfa


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
        return authenticator.type != Authenticator.Type.TOTP

    def get_totp_issuer(self) -> str:
        return settings.SERVICE_NAME
