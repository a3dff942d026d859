"""Who is in a group: the members page, inviting, answering an invitation, removing, leaving, changing roles."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from respond.accounts.ratelimit import RateLimitExceeded
from respond.core.audit import Auditor
from respond.groups import services
from respond.groups.forms import AnswerForm, InviteForm, RoleForm, show_errors
from respond.groups.invitees import resolve_invitees
from respond.groups.models import GroupMember, MemberStatus
from respond.groups.views.common import confirm_page, membership, moderation

private = cache_control(private=True, no_store=True)


@login_required
@private
def member_list(request: HttpRequest, group_id: int) -> HttpResponse:
    member = membership(request, group_id)
    group = member.group
    people = list(
        GroupMember.objects.filter(group=group)
        .select_related("user__organisation", "organisation", "invited_by")
        .order_by("role", "status", "email")
    )
    current = {m.pk for m in GroupMember.objects.current().filter(group=group).only("pk")}
    context = {
        "group": group,
        "member": member,
        "current": [m for m in people if m.pk in current],
        # Moderators see who has not answered, who declined and who went.
        "waiting": [m for m in people if m.status == MemberStatus.INVITED],
        "gone": [m for m in people if m.pk not in current and m.status != MemberStatus.INVITED],
        "lost_ids": {m.pk for m in people if m.pk not in current and m.status == MemberStatus.ACTIVE},
    }
    return render(request, "groups/members.html", context)


@login_required
@private
@require_http_methods(["GET", "HEAD", "POST"])
def invite(request: HttpRequest, group_id: int) -> HttpResponse:
    member = moderation(request, group_id)
    group = member.group
    if group.is_closed:
        return render(request, "groups/closed.html", {"group": group}, status=409)
    alerts = group.alerts.all()
    form = InviteForm(request.POST or None, alerts=alerts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            chosen = resolve_invitees(
                users=data["users"],
                alert=alerts.filter(pk=data["alert"]).first() if data["alert"] else None,
                regions=data["regions"],
                organisation_types=data["organisation_types"],
                ods_codes=data["ods_codes"],
                new_email=data["new_email"],
                new_full_name=data["new_full_name"],
                new_ods_code=data["new_ods_code"],
            )
            outcome = services.members_invite(
                group=group,
                invitees=chosen.invitees,
                invited_by=request.user,  # type: ignore[arg-type]
                auditor=Auditor.from_request(request),
            )
        except RateLimitExceeded as error:
            form.add_error(None, error.messages)
        except ValidationError as error:
            show_errors(form, error)
        else:
            _report(request, outcome, chosen.without_administrators)
            return redirect("groups:members", group.pk)
    return render(request, "groups/invite.html", {"group": group, "form": form})


def _report(request: HttpRequest, outcome: services.InviteOutcome, without: list) -> None:
    count = len(outcome.invited)
    messages.success(request, f"{count} {'person' if count == 1 else 'people'} invited")
    if outcome.already:
        messages.info(request, f"Already invited or in the group: {', '.join(outcome.already)}")
    if without:
        names = ", ".join(f"{o.name} ({o.ods_code})" for o in without)
        messages.warning(request, f"No administrators to invite at: {names}")


@login_required
@private
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, group_id: int) -> HttpResponse:
    """The invited person accepts or declines. Anyone else gets 404."""
    invitation = (
        GroupMember.objects.addressed_to(request.user)
        .select_related("group")
        .filter(
            group_id=group_id,
            status=MemberStatus.INVITED,
            group__archived_at__isnull=True,
            group__closed_at__isnull=True,
        )
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation")
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["answer"] == "accept"
        try:
            services.invitation_answer(
                member=invitation,
                user=request.user,  # type: ignore[arg-type]
                accept=accept,
                auditor=Auditor.from_request(request),
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            if accept:
                messages.success(request, f"You joined {invitation.group.name}")
                return redirect("groups:detail", group_id)
            messages.success(request, f"You declined the invitation to {invitation.group.name}")
            return redirect("groups:list")
    return render(request, "groups/answer.html", {"group": invitation.group, "invitation": invitation, "form": form})


def _other_member(group_id: int, member_id: int) -> GroupMember:
    found = GroupMember.objects.select_related("user", "group").filter(group_id=group_id, pk=member_id).first()
    if found is None:
        raise Http404("No such member")
    return found


@login_required
@private
@require_http_methods(["GET", "HEAD", "POST"])
def remove(request: HttpRequest, group_id: int, member_id: int) -> HttpResponse:
    moderator = moderation(request, group_id)
    target = _other_member(group_id, member_id)
    if request.method == "POST":
        try:
            services.member_remove(member=target, auditor=Auditor.from_request(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{target.name} is removed from the group")
        return redirect("groups:members", group_id)
    return confirm_page(
        request,
        moderator.group,
        title=f"Remove {target.name}?",
        explanation="They will no longer be able to open the group or anything in it.",
        button_text="Remove from the group",
        back=reverse("groups:members", args=[group_id]),
        warning=True,
    )


@login_required
@private
@require_http_methods(["GET", "HEAD", "POST"])
def leave(request: HttpRequest, group_id: int) -> HttpResponse:
    member = membership(request, group_id)
    if request.method == "POST":
        try:
            services.member_leave(member=member, auditor=Auditor.from_request(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("groups:detail", group_id)
        messages.success(request, f"You left {member.group.name}")
        return redirect("groups:list")
    return confirm_page(
        request,
        member.group,
        title=f"Leave {member.group.name}?",
        explanation="You will no longer be able to open the group. A moderator can invite you again.",
        button_text="Leave the group",
        back=member.group.get_absolute_url(),
        warning=True,
    )


@login_required
@private
@require_http_methods(["GET", "HEAD", "POST"])
def change_role(request: HttpRequest, group_id: int, member_id: int) -> HttpResponse:
    moderator = moderation(request, group_id)
    target = _other_member(group_id, member_id)
    form = RoleForm(request.POST or None, initial={"role": target.role})
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.member_change_role(
                member=target, role=form.cleaned_data["role"], auditor=Auditor.from_request(request)
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"{changed.name} is now a {changed.get_role_display().lower()}")
            return redirect("groups:members", group_id)
    return render(request, "groups/role.html", {"group": moderator.group, "target": target, "form": form})
