"""allauth's passkey (WebAuthn) views, audited, and back to the account page when done."""

from typing import Any

from allauth.mfa.adapter import get_adapter
from allauth.mfa.utils import is_mfa_enabled
from allauth.mfa.webauthn.internal import flows
from allauth.mfa.webauthn.views import (
    AddWebAuthnView,
    EditWebAuthnView,
    ReauthenticateWebAuthnView,
    RemoveWebAuthnView,
)
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy

from respond.accounts.mfa import record_enrolment
from respond.core.audit import Auditor


class KeepInvalidFormMixin:
    """allauth's WebAuthn views build a fresh form for the page, so a form's errors would never be shown."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        if "form" in kwargs:
            context["form"] = kwargs["form"]
        return context


class AddPasskeyView(KeepInvalidFormMixin, AddWebAuthnView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["is_mfa_enabled"] = is_mfa_enabled(self.request.user)  # type: ignore[arg-type]
        return context

    @transaction.atomic
    def form_valid(self, form) -> HttpResponse:  # type: ignore[no-untyped-def]
        # allauth's form_valid, keeping the passkey it adds.
        passkey, recovery_codes = flows.add_authenticator(
            self.request, name=form.cleaned_data["name"], credential=form.cleaned_data["credential"]
        )
        self.did_generate_recovery_codes = bool(recovery_codes)
        # Someone adding their first second factor is signed in with a password alone: this makes it two.
        record_enrolment(self.request, passkey)
        Auditor.from_request(self.request).log(
            "mfa.passkey_added",
            self.request.user,  # type: ignore[arg-type]
            after={"authenticator_id": passkey.pk, "name": passkey.wrap().name},
        )
        return HttpResponseRedirect(self.get_success_url())


class ReauthenticateWithPasskeyView(KeepInvalidFormMixin, ReauthenticateWebAuthnView):
    def form_invalid(self, form) -> HttpResponse:  # type: ignore[no-untyped-def]
        # allauth sends the person to the sign-in page with a message; show the error here instead, to try again.
        return self.render_to_response(self.get_context_data(form=form))


class RenamePasskeyView(EditWebAuthnView):
    success_url = reverse_lazy("mfa_index")

    @transaction.atomic
    def form_valid(self, form) -> HttpResponse:  # type: ignore[no-untyped-def]
        before = self.object.wrap().name
        response = super().form_valid(form)
        Auditor.from_request(self.request).log(
            "mfa.passkey_renamed",
            self.request.user,  # type: ignore[arg-type]
            before={"authenticator_id": self.object.pk, "name": before},
            after={"authenticator_id": self.object.pk, "name": self.object.wrap().name},
        )
        return response


class RemovePasskeyView(RemoveWebAuthnView):
    success_url = reverse_lazy("mfa_index")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_remove"] = get_adapter().can_delete_authenticator(self.object)
        return context

    @transaction.atomic
    def form_valid(self, form) -> HttpResponse:  # type: ignore[no-untyped-def]
        passkey = self.get_object()
        if not get_adapter().can_delete_authenticator(passkey):
            # Every account keeps a second factor: the page explains, so this is only a forged or stale post.
            return redirect("mfa_remove_webauthn", pk=passkey.pk)
        name, pk = passkey.wrap().name, passkey.pk
        response = super().form_valid(form)
        Auditor.from_request(self.request).log(
            "mfa.passkey_removed",
            self.request.user,  # type: ignore[arg-type]
            before={"authenticator_id": pk, "name": name},
        )
        return response


@login_required
def list_passkeys(request: HttpRequest) -> HttpResponse:
    """The account page lists passkeys, with the other ways of signing in."""
    return redirect(reverse("mfa_index"))


add_passkey = AddPasskeyView.as_view()
reauthenticate_with_passkey = ReauthenticateWithPasskeyView.as_view()
rename_passkey = RenamePasskeyView.as_view()
remove_passkey = RemovePasskeyView.as_view()
