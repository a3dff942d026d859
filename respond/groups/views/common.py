"""How every group view finds its group: through the member's own current place in it, or 404.

A person who is not a current member (never invited, removed, gone, or no longer in the organisation they
were invited through) gets 404 for every group URL, as if the group did not exist. A member who is not a
moderator gets 403 for a moderator's action: they already know the group exists."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from respond.groups.models import GroupMember, IncidentGroup, Post


def membership(request: HttpRequest, group_id: int) -> GroupMember:
    """The signed-in person's current membership of the group (with the group), in one query; or 404."""
    member = (
        GroupMember.objects.current()
        .select_related("group")
        .filter(group_id=group_id, group__archived_at__isnull=True, user=request.user)  # type: ignore[misc]
        .first()
    )
    if member is None:
        raise Http404("No such group")
    return member


def moderation(request: HttpRequest, group_id: int) -> GroupMember:
    member = membership(request, group_id)
    if not member.is_moderator:
        raise PermissionDenied("Only the group's moderators can do this")
    return member


def post_in(group: IncidentGroup, post_id: int) -> Post:
    post = Post.objects.filter(group=group, pk=post_id).select_related("author__organisation", "parent").first()
    if post is None:
        raise Http404("No such post")
    return post


def confirm_page(
    request: HttpRequest,
    group: IncidentGroup,
    *,
    title: str,
    explanation: str,
    button_text: str,
    back: str,
    warning: bool = False,
) -> HttpResponse:
    """A page that asks before a moderator's or member's action; its button posts to the same address."""
    context = {
        "group": group,
        "title": title,
        "explanation": explanation,
        "button_text": button_text,
        "action": request.path,
        "back": back,
        "warning": warning,
    }
    return render(request, "groups/confirm.html", context)
