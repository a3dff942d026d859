"""The "API tokens" page: a person's own tokens, and those acting for the organisations they administer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from respond.accounts.api_token_forms import ApiTokenForm
from respond.accounts.api_tokens import api_token_create, api_token_revoke, max_days
from respond.accounts.models import ApiToken, User
from respond.accounts.views.common import add_service_error
from respond.core.audit import Auditor
from respond.core.decorators import permission_required
from respond.organisations.models import Organisation

MANAGE = "accounts.manage_api_tokens"


def _tokens(user: User) -> list[ApiToken]:
    return list(
        ApiToken.objects.visible_to(user)
        .select_related("user", "revoked_by")
        .prefetch_related("organisations")
        .order_by("-created_at", "-pk")
    )


@permission_required(MANAGE)
def index(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    organisations = list(Organisation.objects.respondable_by(user).order_by("name"))
    initial = {"valid_days": str(max_days()), "organisations": [str(o.pk) for o in organisations]}
    form = ApiTokenForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = api_token_create(
                user=user,
                name=form.cleaned_data["name"],
                organisations=form.chosen_organisations(),
                access=form.cleaned_data["access"],
                valid_days=int(form.cleaned_data["valid_days"]),
                auditor=Auditor.from_request(request),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            # Shown once, on this response only: it is not stored anywhere we could show it from again.
            return render(request, "accounts/api_tokens/created.html", {"token": token, "secret": secret})
    tokens = _tokens(user)
    context = {
        "form": form,
        "own_tokens": [token for token in tokens if token.user_id == user.pk],
        "organisation_tokens": [token for token in tokens if token.user_id != user.pk],
        "now": timezone.now(),
        "max_days": max_days(),
    }
    return render(request, "accounts/api_tokens/index.html", context)


@permission_required(MANAGE)
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    token = get_object_or_404(ApiToken.objects.visible_to(user).select_related("user"), pk=pk)
    api_token_revoke(token=token, by=user, auditor=Auditor.from_request(request))
    messages.success(request, f"You have revoked the token “{token.name}”: it no longer works.")
    return redirect("api_tokens:index")
