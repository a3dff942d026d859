"""Writing and reading posts: a new post, a thread with its replies, editing with history, a moderator's delete,
pin and urgent, file downloads and the group's indicators as CSV."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from respond.core.audit import Auditor
from respond.groups import posts as post_services
from respond.groups.files import storage
from respond.groups.forms import EditPostForm, PostForm, show_errors
from respond.groups.indicators import indicators_csv as indicator_rows_csv
from respond.groups.models import Indicator, Post, PostFile
from respond.groups.views.common import confirm_page, membership, moderation, post_in

logger = logging.getLogger(__name__)

private = cache_control(private=True, no_store=True)


def _draft(form: PostForm | EditPostForm) -> post_services.Draft:
    data = form.cleaned_data
    return post_services.Draft(
        title=data.get("title", ""),
        body=data.get("body", ""),
        marking=data.get("marking", ""),
        indicators=data.get("indicators", ""),
    )


@login_required
@private
@require_http_methods(["GET", "HEAD", "POST"])
def new_post(request: HttpRequest, group_id: int) -> HttpResponse:
    member = membership(request, group_id)
    group = member.group
    if group.is_closed:
        return render(request, "groups/closed.html", {"group": group}, status=409)
    form = PostForm(request.POST or None, request.FILES or None, initial={"marking": group.default_marking})
    if request.method == "POST" and form.is_valid():
        try:
            post = post_services.post_create(
                group=group,
                author=request.user,  # type: ignore[arg-type]
                draft=_draft(form),
                uploads=form.cleaned_data["attachments"],
                auditor=Auditor.from_request(request),
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, "Your post is published to the group")
            return redirect("groups:post", group.pk, post.pk)
    return render(request, "groups/post_form.html", {"group": group, "member": member, "form": form})


@login_required
@private
@require_http_methods(["GET", "HEAD", "POST"])
def thread(request: HttpRequest, group_id: int, post_id: int) -> HttpResponse:
    """A post and its replies, with the reply form (a POST here is a reply)."""
    member = membership(request, group_id)
    group = member.group
    post = post_in(group, post_id)
    if post.parent_id:
        return redirect(post.get_absolute_url())
    form = PostForm(request.POST or None, request.FILES or None, is_reply=True, initial={"marking": post.marking})
    if request.method == "POST":
        if group.is_closed:
            return render(request, "groups/closed.html", {"group": group}, status=409)
        if form.is_valid():
            try:
                reply = post_services.post_create(
                    group=group,
                    author=request.user,  # type: ignore[arg-type]
                    draft=_draft(form),
                    parent=post,
                    uploads=form.cleaned_data["attachments"],
                    auditor=Auditor.from_request(request),
                )
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, "Your reply is published to the group")
                return redirect(reply.get_absolute_url())
    posts = list(
        Post.objects.filter(Q(pk=post.pk) | Q(parent=post), group=group)
        .select_related("author__organisation", "deleted_by")
        .prefetch_related(Prefetch("files", queryset=PostFile.objects.order_by("uploaded_at", "id")), "indicators")
        .order_by("created_at", "id")
    )
    status = 400 if form.errors else 200
    context = {"group": group, "member": member, "post": posts[0], "replies": posts[1:], "form": form}
    return render(request, "groups/thread.html", context, status=status)


@login_required
@private
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, group_id: int, post_id: int) -> HttpResponse:
    """The author (or a moderator) edits a post; what it said before stays in its history."""
    member = membership(request, group_id)
    post = post_in(member.group, post_id)
    if post.is_deleted:
        raise Http404("This post has been deleted")
    if post.author_id != member.user_id and not member.is_moderator:
        return render(request, "groups/not_yours.html", {"group": member.group, "post": post}, status=403)
    if member.group.is_closed:
        return render(request, "groups/closed.html", {"group": member.group}, status=409)
    initial = {"title": post.title, "body": post.body, "marking": post.marking}
    form = EditPostForm(request.POST or None, initial=initial, is_reply=bool(post.parent_id))
    if request.method == "POST" and form.is_valid():
        try:
            post_services.post_edit(
                post=post,
                draft=_draft(form),
                edited_by=request.user,  # type: ignore[arg-type]
                auditor=Auditor.from_request(request),
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, "Your changes are saved; the earlier version is in the post's history")
            return redirect(post.get_absolute_url())
    return render(request, "groups/edit.html", {"group": member.group, "post": post, "form": form})


@login_required
@private
def history(request: HttpRequest, group_id: int, post_id: int) -> HttpResponse:
    member = membership(request, group_id)
    post = post_in(member.group, post_id)
    revisions = post.revisions.select_related("replaced_by")
    return render(request, "groups/history.html", {"group": member.group, "post": post, "revisions": revisions})


def _moderator_action(request: HttpRequest, group_id: int, post_id: int, action: str) -> HttpResponse:
    member = moderation(request, group_id)
    post = post_in(member.group, post_id)
    if post.is_deleted:
        raise Http404("This post has been deleted")
    texts = ACTIONS[action]
    if request.method == "POST":
        auditor = Auditor.from_request(request)
        try:
            if action == "delete":
                post_services.post_delete(post=post, deleted_by=request.user, auditor=auditor)  # type: ignore[arg-type]
            elif action == "urgent":
                post_services.post_mark_urgent(post=post, auditor=auditor)
            else:
                post_services.post_pin(post=post, pinned=action == "pin", auditor=auditor)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, texts["done"])
        return redirect(
            post.get_absolute_url() if action != "delete" or post.parent_id else member.group.get_absolute_url()
        )
    return confirm_page(
        request,
        member.group,
        title=texts["title"],
        explanation=texts["explanation"],
        button_text=texts["button_text"],
        back=post.get_absolute_url(),
        warning=action == "delete",
    )


ACTIONS = {
    "delete": {
        "title": "Delete this post?",
        "explanation": "What it says, its files, indicators and history are deleted. Members see that a moderator "
        "deleted it.",
        "button_text": "Delete the post",
        "done": "The post is deleted",
    },
    "urgent": {
        "title": "Mark this post urgent?",
        "explanation": "Every member is emailed the post's title, and members who opted in to text messages about "
        "major incidents are texted a link to the group (never what the post says).",
        "button_text": "Mark urgent and tell members",
        "done": "The post is marked urgent: members are being told",
    },
    "pin": {
        "title": "Pin this post as a situation report?",
        "explanation": "It is shown first on the group's page.",
        "button_text": "Pin the post",
        "done": "The post is pinned as a situation report",
    },
    "unpin": {
        "title": "Unpin this post?",
        "explanation": "It goes back among the other posts, newest first.",
        "button_text": "Unpin the post",
        "done": "The post is no longer pinned",
    },
}


@login_required
@private
@require_http_methods(["GET", "HEAD", "POST"])
def moderate(request: HttpRequest, group_id: int, post_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such action")
    return _moderator_action(request, group_id, post_id, action)


@login_required
def download(request: HttpRequest, group_id: int, file_id: int) -> HttpResponse | FileResponse:
    """Members only, streamed as an attachment (never shown in the browser), and recorded in the audit log."""
    member = membership(request, group_id)
    post_file = (
        PostFile.objects.select_related("post")
        .filter(pk=file_id, post__group=member.group, post__deleted_at__isnull=True)
        .first()
    )
    if post_file is None:
        raise Http404("No such file")
    try:
        handle = storage().open(post_file.storage_name, "rb")
    except FileNotFoundError:
        # Not bad input: the stored copy has gone (a restored backup, a bucket emptied). Say so, and log it for staff.
        logger.error("Group file %s (group %s) is missing from storage", post_file.pk, member.group.pk)
        return render(request, "groups/file_missing.html", {"group": member.group, "post_file": post_file}, status=404)
    post_services.file_downloaded(post_file=post_file, auditor=Auditor.from_request(request))
    response = FileResponse(handle, as_attachment=True, filename=post_file.name, content_type=post_file.content_type)
    response.setdefault("Content-Length", str(post_file.size))  # a stream from S3 cannot be measured by seeking
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def indicators_csv(request: HttpRequest, group_id: int) -> StreamingHttpResponse:
    member = membership(request, group_id)
    group = member.group
    rows = indicator_rows_csv(Indicator.objects.filter(post__group=group))
    Auditor.from_request(request).log("group.indicators_downloaded", group, after={"format": "csv"})
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="group-{group.pk}-indicators.csv"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
