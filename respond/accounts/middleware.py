import time
from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from respond.accounts.mfa import session_is_multi_factor

SESSION_STARTED_KEY = "signed_in_at"

# What a signed-in user without a second factor may still reach.
URLS_ALLOWED_WITHOUT_MFA = {
    "mfa_activate_totp",
    "account_logout",
    "account_reauthenticate",
    "healthz",
    "accessibility",
    "privacy",
    "cookies",
}
PATH_PREFIXES_ALLOWED_WITHOUT_MFA = ("/static/",)


class SessionLifetimeMiddleware:
    """Signs a person out after an absolute lifetime, however active (the idle timeout is the cookie's age)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(SESSION_STARTED_KEY, now)
            if now - started > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
                logout(request)
                messages.info(request, "You have been signed out because your session reached its time limit.")
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class MfaRequiredMiddleware:
    """A signed-in user whose session has no second factor can reach only MFA enrolment and sign-out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not session_is_multi_factor(request) and not self._allowed(request):
            if Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
                # Enrolled, yet this session skipped the second factor: start again from sign-in.
                logout(request)
                return redirect(settings.LOGIN_URL)
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _allowed(request: HttpRequest) -> bool:
        if request.path.startswith(PATH_PREFIXES_ALLOWED_WITHOUT_MFA):
            return True
        try:
            return resolve(request.path_info).url_name in URLS_ALLOWED_WITHOUT_MFA
        except Resolver404:
            return True
