import time
from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from respond.accounts.mfa import SECOND_FACTOR_TYPES, session_is_multi_factor

SESSION_STARTED_KEY = "signed_in_at"

# What a signed-in user without a second factor may still reach.
URLS_ALLOWED_WITHOUT_MFA = {
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
PATH_PREFIXES_ALLOWED_WITHOUT_MFA = ("/static/",)
# Adding a first second factor: only for someone who has none yet.
ENROLMENT_URLS = {"mfa_activate_totp", "mfa_add_webauthn"}


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
        if request.user.is_authenticated and not session_is_multi_factor(request):
            url_name = self._url_name(request)
            allowed = url_name is None or url_name in URLS_ALLOWED_WITHOUT_MFA
            enrolling = url_name in ENROLMENT_URLS
            if (not allowed or enrolling) and self._enrolled(request):
                # Enrolled, yet this session skipped the second factor: start again from sign-in. Enrolling another
                # factor would otherwise make the session multi-factor on a password alone.
                logout(request)
                return redirect(settings.LOGIN_URL)
            if not allowed:
                return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _enrolled(request: HttpRequest) -> bool:
        return Authenticator.objects.filter(user=request.user, type__in=SECOND_FACTOR_TYPES).exists()

    @staticmethod
    def _url_name(request: HttpRequest) -> str | None:
        """The URL's name; None for what is always allowed (static files, and paths that answer 404)."""
        if request.path.startswith(PATH_PREFIXES_ALLOWED_WITHOUT_MFA):
            return None
        try:
            return resolve(request.path_info).url_name or ""
        except Resolver404:
            return None
