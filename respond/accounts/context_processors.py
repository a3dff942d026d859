"""The header's navigation for every page: only what this person can use, which depends on how they signed in."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from respond.accounts.mfa import session_is_multi_factor


def service(request: HttpRequest) -> dict:
    """The header's navigation: only what this person can use."""
    user = getattr(request, "user", None)
    navigation: list[dict[str, str]] = []
    account: list[dict[str, object]] = []
    signed_in_fully = user is not None and user.is_authenticated and session_is_multi_factor(request)
    if signed_in_fully:
        navigation.append({"href": reverse("home"), "text": "Your alerts"})
    navigation.append({"href": reverse("alerts:list"), "text": "Cyber alerts"})
    if user is not None and user.is_authenticated:
        if signed_in_fully:
            navigation.append({"href": reverse("organisations:list"), "text": "Organisations"})
            navigation.append({"href": reverse("access:index"), "text": "Manage access"})
            navigation.append({"href": reverse("groups:list"), "text": "Incident groups"})
            if user.is_auditor or user.is_csoc:
                navigation.append({"href": reverse("reports:index"), "text": "Reports"})
            if user.is_csoc:
                navigation.append({"href": reverse("core:csoc_tools"), "text": "CSOC tools"})
            account.append({"href": reverse("mfa_index"), "text": user.full_name or user.email, "icon": True})
            account.append({"href": reverse("notifications:contact_preferences"), "text": "Contact preferences"})
            account.append({"href": reverse("exports:calendar"), "text": "Deadline calendar"})
            account.append({"href": reverse("api_tokens:index"), "text": "API tokens"})
        account.append({"href": reverse("account_logout"), "text": "Sign out"})
    return {
        "header_navigation": navigation,
        "header_account": account,
        "current_path": request.path,
        "site_url": settings.SITE_URL,
    }
