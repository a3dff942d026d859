from typing import Any

from allauth.account.views import LoginView
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.views import ActivateTOTPView
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from respond.accounts.forms import ROLE_HINTS, CreateUserForm
from respond.accounts.mfa import record_enrolment
from respond.accounts.services import user_create
from respond.core.audit import Auditor
from respond.core.decorators import permission_required


def single_sign_on_provider() -> dict[str, str] | None:
    """The OpenID Connect provider (NHSmail) people can sign in with, when one is configured."""
    config = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect")
    if not config or not config.get("APPS"):
        return None
    app = config["APPS"][0]
    return {
        "name": app["name"],
        "login_url": reverse("openid_connect_login", kwargs={"provider_id": app["provider_id"]}),
    }


class SignInView(LoginView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_provider"] = single_sign_on_provider()
        return context


class EnrolTotpView(ActivateTOTPView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["is_mfa_enabled"] = is_mfa_enabled(self.request.user)  # type: ignore[arg-type]
        return context

    def form_valid(self, form) -> HttpResponse:  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        totp = Authenticator.objects.get(user=self.request.user, type=Authenticator.Type.TOTP)
        record_enrolment(self.request, totp)
        Auditor.from_request(self.request).log("mfa.totp_enrolled", self.request.user)  # type: ignore[arg-type]
        return response


@permission_required("accounts.create_user")
def create_user(request: HttpRequest) -> HttpResponse:
    form = CreateUserForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_create(
                email=data["email"],
                full_name=data["full_name"],
                organisation=data["organisation"],
                role=data["member_role"],
                global_role=data["global_role"],
                created_by_auditor=Auditor.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Account created for {user.display_name}. We have emailed {user.email} a link to set a password.",
            )
            return redirect("accounts:create_user")
    return render(request, "accounts/create_user.html", {"form": form, "role_hints": ROLE_HINTS})
