"""Posts, replies, their files and indicators: writing, editing with history, deleting to a tombstone, pinning
and marking urgent. Keyword-only; each call is one transaction.

Nothing here writes what a post says anywhere but its own tables: audit entries name posts by id.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from respond.accounts.models import User
from respond.core.audit import Auditor
from respond.core.markdown import markdown_problems
from respond.groups import files as group_files
from respond.groups import notices
from respond.groups.indicators import IndicatorErrors, ParsedIndicator, parse_indicators
from respond.groups.models import (
    Digest,
    GroupMember,
    IncidentGroup,
    Indicator,
    Marking,
    Post,
    PostFile,
    PostRevision,
)
from respond.notifications.services import queue_composed_messages

MAX_FILES_PER_POST = 5


@dataclass(frozen=True)
class Draft:
    """What a person typed: checked by `check_draft`, which names every problem by field."""

    body: str
    marking: str
    title: str = ""
    indicators: str = ""


def check_draft(*, draft: Draft, is_reply: bool, uploads: Sequence[UploadedFile] = ()) -> list[ParsedIndicator]:
    errors: dict[str, list[str]] = {}
    if not is_reply and not draft.title.strip():
        errors["title"] = ["Enter a title for the post"]
    if len(draft.title) > 200:
        errors["title"] = ["The title must be 200 characters or fewer"]
    if not draft.body.strip():
        errors["body"] = ["Enter the reply" if is_reply else "Enter the post"]
    elif problems := markdown_problems(draft.body):
        errors["body"] = problems
    if draft.marking not in Marking.values:
        errors["marking"] = ["Select the TLP marking"]
    indicators: list[ParsedIndicator] = []
    try:
        indicators = parse_indicators(draft.indicators)
    except IndicatorErrors as error:
        errors["indicators"] = error.problems
    if len(uploads) > MAX_FILES_PER_POST:
        errors["attachments"] = [f"Attach at most {MAX_FILES_PER_POST} files to a post"]
    elif file_problems := [problem for upload in uploads if (problem := group_files.file_problem(upload))]:
        errors["attachments"] = file_problems
    if errors:
        raise ValidationError(errors)
    return indicators


def _writable(group: IncidentGroup) -> None:
    if group.is_closed:
        raise ValidationError("This group is closed: it can be read but not changed")


def _store_files(*, post: Post, uploads: Sequence[UploadedFile], uploaded_by: User, stored: list[str]) -> None:
    """Saves each upload to the storage (recording its key in `stored`, for the caller to remove on failure)."""
    rows = []
    for upload in uploads:
        key = group_files.save_upload(group_id=post.group_id, upload=upload)
        stored.append(key)
        rows.append(
            PostFile(
                post=post,
                name=group_files.safe_name(upload.name or "file"),
                storage_name=key,
                content_type=group_files.content_type_for(upload.name or ""),
                size=upload.size or 0,
                uploaded_by=uploaded_by,
            )
        )
    PostFile.objects.bulk_create(rows)


def _delete_stored(keys: Sequence[str]) -> None:
    storage = group_files.storage()
    for key in keys:
        storage.delete(key)


def post_create(
    *,
    group: IncidentGroup,
    author: User,
    draft: Draft,
    parent: Post | None = None,
    uploads: Sequence[UploadedFile] = (),
    auditor: Auditor,
) -> Post:
    """A new post, or a reply to one (never to a deleted post, never in a closed group). Raises ValidationError
    keyed by field, and then writes nothing: no row, no file."""
    _writable(group)
    if parent is not None and (parent.is_deleted or parent.group_id != group.pk):
        raise ValidationError({"body": ["You cannot reply to this post: a moderator has deleted it"]})
    parsed = check_draft(draft=draft, is_reply=parent is not None, uploads=uploads)
    thread = parent.parent if parent is not None and parent.parent_id else parent  # replies stay in one thread
    stored: list[str] = []
    try:
        with transaction.atomic():
            if thread is not None and Post.objects.select_for_update().get(pk=thread.pk).is_deleted:
                raise ValidationError({"body": ["You cannot reply to this post: a moderator has deleted it"]})
            post = Post.objects.create(
                group=group,
                parent=thread,
                author=author,
                title="" if thread is not None else draft.title.strip(),
                body=draft.body.strip(),
                marking=draft.marking,
            )
            Indicator.objects.bulk_create(
                Indicator(post=post, indicator_type=item.indicator_type, value=item.value, position=number)
                for number, item in enumerate(parsed)
            )
            _store_files(post=post, uploads=uploads, uploaded_by=author, stored=stored)
            auditor.log(
                "group.post_written",
                post,
                after={"group": group.pk, "reply_to": thread.pk if thread else None, "files": len(stored)},
            )
            notices.queue_new_post(post=post)
    except BaseException:
        _delete_stored(stored)
        raise
    return post


@transaction.atomic
def post_edit(*, post: Post, draft: Draft, edited_by: User, auditor: Auditor) -> Post:
    """Keeps what the post said before as a revision that everyone in the group can read."""
    post = Post.objects.select_for_update().select_related("group").get(pk=post.pk)
    _writable(post.group)
    if post.is_deleted:
        raise ValidationError("This post has been deleted")
    check_draft(
        draft=Draft(body=draft.body, marking=draft.marking, title=draft.title), is_reply=post.parent_id is not None
    )
    title = "" if post.parent_id else draft.title.strip()
    if (title, draft.body.strip(), draft.marking) == (post.title, post.body, post.marking):
        return post
    now = timezone.now()
    PostRevision.objects.create(
        post=post,
        title=post.title,
        body=post.body,
        marking=post.marking,
        written_at=post.edited_at or post.created_at,
        replaced_at=now,
        replaced_by=edited_by,
    )
    post.title, post.body, post.marking, post.edited_at = title, draft.body.strip(), draft.marking, now
    post.save(update_fields=["title", "body", "marking", "edited_at"])
    auditor.log("group.post_edited", post, after={"group": post.group_id, "edited_at": now})
    return post


@transaction.atomic
def post_delete(*, post: Post, deleted_by: User, auditor: Auditor) -> Post:
    """A moderator's action: what the post said, its history, files and indicators go; a tombstone stays."""
    post = Post.objects.select_for_update().select_related("group").get(pk=post.pk)
    _writable(post.group)
    if post.is_deleted:
        return post
    keys = list(post.files.values_list("storage_name", flat=True))
    post.files.all().delete()
    post.indicators.all().delete()
    post.revisions.all().delete()
    post.title, post.body, post.pinned, post.urgent = "", "", False, False
    post.deleted_at, post.deleted_by = timezone.now(), deleted_by
    post.save(update_fields=["title", "body", "pinned", "urgent", "deleted_at", "deleted_by"])
    auditor.log("group.post_deleted", post, after={"group": post.group_id, "files": len(keys)})
    transaction.on_commit(partial(_delete_stored, keys), robust=True)
    return post


@transaction.atomic
def post_pin(*, post: Post, pinned: bool, auditor: Auditor) -> Post:
    post = Post.objects.select_for_update().select_related("group").get(pk=post.pk)
    _writable(post.group)
    if post.is_deleted or post.parent_id:
        raise ValidationError("Only a post that has not been deleted, not a reply, can be pinned")
    post.pinned = pinned
    post.save(update_fields=["pinned"])
    auditor.log("group.post_pinned" if pinned else "group.post_unpinned", post, after={"group": post.group_id})
    return post


@transaction.atomic
def post_mark_urgent(*, post: Post, auditor: Auditor) -> Post:
    """Texts members a signpost to the group (never the post) and emails them the post's title, once."""
    post = Post.objects.select_for_update().select_related("group").get(pk=post.pk)
    _writable(post.group)
    if post.is_deleted or post.parent_id:
        raise ValidationError("Only a post that has not been deleted, not a reply, can be marked urgent")
    if post.urgent:
        raise ValidationError("This post is already marked urgent: members have been told")
    post.urgent = True
    post.save(update_fields=["urgent"])
    auditor.log("group.post_marked_urgent", post, after={"group": post.group_id})
    notices.queue_urgent(post=post)
    return post


def file_downloaded(*, post_file: PostFile, auditor: Auditor) -> None:
    auditor.log("group.file_downloaded", post_file, after={"group": post_file.post.group_id, "size": post_file.size})


@transaction.atomic
def send_digests(*, now: datetime) -> int:
    """One email to each member who chose hourly digests and has new posts (by others) since their last."""
    members = list(
        GroupMember.objects.current()
        .select_for_update(of=("self",))
        .filter(digest=Digest.HOURLY, group__archived_at__isnull=True)
        .select_related("group")
    )
    messages = []
    for member in members:
        since = member.digest_sent_up_to or member.answered_at or member.invited_at
        new = Post.objects.filter(group_id=member.group_id, created_at__gt=since, created_at__lte=now).exclude(
            author_id=member.user_id
        )
        count = new.count()
        if count:
            messages.append(notices.digest_message(group=member.group, count=count, since=since, members=[member]))
    GroupMember.objects.filter(pk__in=[m.pk for m in members]).update(digest_sent_up_to=now)
    queue_composed_messages(messages=messages)
    return len(messages)
