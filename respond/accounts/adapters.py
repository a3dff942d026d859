from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.http import HttpRequest

from respond.accounts.mfa import id_token_asserts_mfa, remember_sso_mfa


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People arrive by invitation, or CSOC creates their account.
        return False

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
    def get_totp_issuer(self) -> str:
        return settings.SERVICE_NAME
