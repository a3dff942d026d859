"""The header's navigation for every page: only what this person can use, which depends on how they signed in."""

from django.conf import settings
from django.http import HttpRequest

from respond.accounts.mfa import session_is_multi_factor
from respond.core.components import url  # reverse(), remembered: the header's links are the same on every page

WORKED_OUT = "_service_context"


def service(request: HttpRequest) -> dict:
    """The header's navigation: only what this person can use. Worked out once for each request: a page whose
    content is a rendered part (respond.core.fragments) renders twice."""
    if (known := getattr(request, WORKED_OUT, None)) is not None:
        return known
    worked_out = _service(request)
    setattr(request, WORKED_OUT, worked_out)
    return worked_out


def _service(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    navigation: list[dict[str, str]] = []
    account: list[dict[str, object]] = []
    signed_in_fully = user is not None and user.is_authenticated and session_is_multi_factor(request)
    if signed_in_fully:
        navigation.append({"href": url("home"), "text": "Your alerts"})
    navigation.append({"href": url("alerts:list"), "text": "Cyber alerts"})
    if user is not None and user.is_authenticated:
        if signed_in_fully:
            navigation.append({"href": url("organisations:list"), "text": "Organisations"})
            navigation.append({"href": url("access:index"), "text": "Manage access"})
            navigation.append({"href": url("groups:list"), "text": "Incident groups"})
            if user.is_auditor or user.is_csoc:
                navigation.append({"href": url("reports:index"), "text": "Reports"})
            if user.is_csoc:
                navigation.append({"href": url("core:csoc_tools"), "text": "CSOC tools"})
            account.append({"href": url("mfa_index"), "text": user.full_name or user.email, "icon": True})
            account.append({"href": url("notifications:contact_preferences"), "text": "Contact preferences"})
            account.append({"href": url("exports:calendar"), "text": "Deadline calendar"})
            account.append({"href": url("api_tokens:index"), "text": "API tokens"})
        account.append({"href": url("account_logout"), "text": "Sign out"})
    return {
        "header_navigation": navigation,
        "header_account": account,
        "current_path": request.path,
        "site_url": settings.SITE_URL,
    }
