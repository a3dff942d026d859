from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from respond.organisations.models import Organisation

OrganisationView = Callable[..., HttpResponse]


def organisation_permission_required(perm: str) -> Callable[[OrganisationView], OrganisationView]:
    """For views of one organisation (`ods_code` in the URL): anonymous people are sent to sign in, people without
    `perm` on that organisation get 403, and the view receives the organisation."""

    def decorator(view: OrganisationView) -> OrganisationView:
        @wraps(view)
        def wrapped(request: HttpRequest, ods_code: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            organisation = get_object_or_404(Organisation, ods_code=ods_code.upper())
            if not request.user.has_perm(perm, organisation):
                raise PermissionDenied
            return view(request, organisation, *args, **kwargs)

        return wrapped

    return decorator


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Shows a service's ValidationError on the form: on a field the form has, otherwise above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
