"""Your groups, opening a group, a group's page, closing it and choosing how to hear of new posts."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from respond.accounts.models import GlobalRole, User
from respond.alerts.models import Alert
from respond.core.audit import Auditor
from respond.groups import services
from respond.groups.forms import DigestForm, GroupOpenForm, show_errors
from respond.groups.models import MARKING_MEANINGS, IncidentGroup, Marking, Post
from respond.groups.views.common import confirm_page, membership, moderation

private = cache_control(private=True, no_store=True)


@login_required
@private
def group_list(request: HttpRequest) -> HttpResponse:
    mine = IncidentGroup.objects.visible_to(request.user).order_by("closed_at", "-created_at")
    invited = IncidentGroup.objects.invited(request.user).order_by("-created_at")
    return render(request, "groups/list.html", {"groups": mine, "invited": invited, "can_open": request.user.is_csoc})  # type: ignore[union-attr]


@login_required
@private
@require_http_methods(["GET", "HEAD", "POST"])
def open_group(request: HttpRequest) -> HttpResponse:
    if not request.user.is_csoc:  # type: ignore[union-attr]
        raise PermissionDenied("Only CSOC staff can open a closed incident group")
    alerts = Alert.objects.released().order_by("-major_incident", "-published_at")[:50]
    staff = User.objects.filter(global_role=GlobalRole.CSOC, is_active=True).exclude(pk=request.user.pk)  # type: ignore[misc]
    initial: dict[str, object] = {"default_marking": Marking.AMBER_STRICT}
    if threat_id := request.GET.get("alert", ""):
        chosen = Alert.objects.released().filter(threat_id=threat_id.upper()).first()
        if chosen is not None:
            initial.update(alerts=[str(chosen.pk)], name=f"{chosen.threat_id} incident group")
    form = GroupOpenForm(request.POST or None, initial=initial, alerts=alerts, csoc_staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_open(
                name=form.cleaned_data["name"],
                purpose=form.cleaned_data["purpose"],
                alerts=list(Alert.objects.filter(pk__in=form.cleaned_data["alerts"])),
                default_marking=form.cleaned_data["default_marking"],
                moderators=list(staff.filter(pk__in=form.cleaned_data["moderators"])),
                opened_by=request.user,  # type: ignore[arg-type]
                auditor=Auditor.from_request(request),
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"You opened the group {group.name}. Now invite its members.")
            return redirect("groups:invite", group.pk)
    return render(request, "groups/open.html", {"form": form})


@login_required
@private
def detail(request: HttpRequest, group_id: int) -> HttpResponse:
    member = membership(request, group_id)
    group = member.group
    replies = (
        Post.objects.filter(parent=OuterRef("pk"), deleted_at__isnull=True)
        .order_by()
        .values("parent")
        .annotate(count=Count("pk"))
        .values("count")
    )
    threads = (
        Post.objects.threads()
        .filter(group=group)
        .select_related("author__organisation")
        # A subquery, worked out for the page's rows only (a join and GROUP BY would count every thread's).
        .annotate(reply_count=Coalesce(Subquery(replies), 0))
        .order_by("-pinned", "-created_at", "-id")
    )
    page = Paginator(threads, settings.GROUP_POSTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "group": group,
        "member": member,
        "page": page,
        "alerts": group.alerts.all(),
        "marking_meaning": MARKING_MEANINGS[Marking(group.default_marking)],
        "digest_form": DigestForm(initial={"digest": member.digest}),
    }
    return render(request, "groups/detail.html", context)


@login_required
@private
def choose_digest(request: HttpRequest, group_id: int) -> HttpResponse:
    member = membership(request, group_id)  # first, so that a non-member gets 404 whatever the method
    form = DigestForm(request.POST)
    if request.method == "POST" and form.is_valid():
        services.digest_choose(member=member, digest=form.cleaned_data["digest"], auditor=Auditor.from_request(request))
        messages.success(request, "Your choice of emails is saved")
    return redirect("groups:detail", group_id)


@login_required
@private
@require_http_methods(["GET", "HEAD", "POST"])
def close(request: HttpRequest, group_id: int) -> HttpResponse:
    member = moderation(request, group_id)
    group = member.group
    if request.method == "POST":
        try:
            services.group_close(group=group, closed_by=request.user, auditor=Auditor.from_request(request))  # type: ignore[arg-type]
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"The group {group.name} is closed. Members can still read it.")
        return redirect("groups:detail", group.pk)
    return confirm_page(
        request,
        group,
        title=f"Close {group.name}?",
        explanation="Nobody will be able to post, reply, invite or change anything. Members can still read "
        f"the group until it is archived, {services.retention().days} days after it closes.",
        button_text="Close the group",
        back=group.get_absolute_url(),
    )
