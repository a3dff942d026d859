"""Emails and text messages about groups, through the notifications outbox.

They carry the group's name and a link, never what is said in it: the one exception is an urgent post's title,
which its email gives (the issue asks for it). Text messages go only to members who opted in to text messages
about major incidents and gave a mobile number.
"""

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from respond.core.plaintext import MessageTemplates
from respond.groups.models import GroupMember, IncidentGroup, Post
from respond.notifications.messages import deadline_text
from respond.notifications.models import MessageKind, UserContactDetails
from respond.notifications.services import OutgoingMessage, Recipient, queue_composed_messages

TEMPLATES = MessageTemplates(Path(__file__).parent)


def _render(template: str, **context: object) -> str:
    return TEMPLATES.render(template, **context)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _mobiles(user_ids: Sequence[int]) -> dict[int, str]:
    opted_in = UserContactDetails.objects.filter(user_id__in=user_ids, sms_opt_in=True).exclude(mobile_number="")
    return dict(opted_in.values_list("user_id", "mobile_number"))


def _email_recipients(members: Sequence[GroupMember]) -> list[Recipient]:
    return [Recipient(address=m.email, user_id=m.user_id, organisation_id=m.organisation_id) for m in members]


def _sms_recipients(members: Sequence[GroupMember]) -> list[Recipient]:
    mobiles = _mobiles([m.user_id for m in members if m.user_id])
    return [
        Recipient(address=mobiles[m.user_id], user_id=m.user_id, organisation_id=m.organisation_id)
        for m in members
        if m.user_id in mobiles
    ]


def queue_invitations(*, group: IncidentGroup, members: Sequence[GroupMember]) -> None:
    if not members:
        return
    invitations_url = _absolute(reverse("groups:list"))
    context = {"group_name": group.name, "invitations_url": invitations_url}
    with_account = [m for m in members if m.user_id]
    without_account = [m for m in members if not m.user_id]
    subject = f"Invitation to the closed incident group {group.name}"
    messages = [
        OutgoingMessage(
            kind=MessageKind.GROUP_EMAIL,
            subject=subject,
            body=_render("invitation_email.txt", needs_account=False, **context),
            recipients=_email_recipients(with_account),
        ),
        OutgoingMessage(
            kind=MessageKind.GROUP_EMAIL,
            subject=subject,
            body=_render("invitation_email.txt", needs_account=True, **context),
            recipients=_email_recipients(without_account),
        ),
        OutgoingMessage(
            kind=MessageKind.GROUP_SMS,
            body=_render("invitation_sms.txt", **context),
            recipients=_sms_recipients(with_account),
        ),
    ]
    queue_composed_messages(messages=messages)


def queue_new_post(*, post: Post) -> None:
    """Members who chose an email for each post hear of it now (not its author); the others in their digest."""
    group = post.group
    members = list(
        GroupMember.objects.current()
        .filter(group=group, digest="immediate")
        .exclude(user_id=post.author_id)
        .only("email", "user_id", "organisation_id")
    )
    body = _render("new_post_email.txt", group_name=group.name, group_url=_absolute(group.get_absolute_url()))
    queue_composed_messages(
        messages=[
            OutgoingMessage(
                kind=MessageKind.GROUP_EMAIL,
                subject=f"New post in the closed incident group {group.name}",
                body=body,
                recipients=_email_recipients(members),
            )
        ]
    )


def queue_urgent(*, post: Post) -> None:
    """Every current member: an email with the post's title, and a text message (signpost only) if opted in."""
    group = post.group
    members = list(GroupMember.objects.current().filter(group=group).only("email", "user_id", "organisation_id"))
    group_url = _absolute(group.get_absolute_url())
    context = {"group_name": group.name, "group_url": group_url}
    queue_composed_messages(
        messages=[
            OutgoingMessage(
                kind=MessageKind.GROUP_EMAIL,
                subject=f"Urgent post in the closed incident group {group.name}",
                body=_render(
                    "urgent_email.txt", post_title=post.title, post_url=_absolute(post.get_absolute_url()), **context
                ),
                recipients=_email_recipients(members),
            ),
            OutgoingMessage(
                kind=MessageKind.GROUP_SMS,
                body=_render("urgent_sms.txt", **context),
                recipients=_sms_recipients(members),
            ),
        ]
    )


def digest_message(
    *, group: IncidentGroup, count: int, since: datetime, members: Sequence[GroupMember]
) -> OutgoingMessage:
    return OutgoingMessage(
        kind=MessageKind.GROUP_EMAIL,
        subject=f"New posts in the closed incident group {group.name}",
        body=_render(
            "digest_email.txt",
            group_name=group.name,
            count=count,
            since=deadline_text(since) if since else deadline_text(timezone.now()),
            group_url=_absolute(group.get_absolute_url()),
        ),
        recipients=_email_recipients(members),
    )
