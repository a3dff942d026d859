"""The notifications outbox as the apps that may not import it see it: emails written in the caller's transaction
and sent by the outbox's workers once it commits, exactly once.

Responses and notifications are peers that never import each other (the layers in pyproject.toml), so a response
write cannot call the notifications services; it hands its emails to this port instead, and config names the
writer behind it (settings.OUTBOX_EMAIL_WRITER, respond.notifications.services.queue_keyed_emails), as it names
the mail backend. Nothing is sent for a write that rolls back, and nothing is lost when a process dies after the
commit: the rows are there for any worker to claim.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class OutboxEmail:
    """One email to one address, its words written once."""

    # Stable for the email (say, "response-entry:12:confirmation"): one key is queued once, whoever asks again.
    key: str
    to: str
    subject: str
    body: str
    # Who it is for, shown beside the row; neither is needed to send it.
    user_id: int | None = None
    organisation_id: int | None = None


def queue_emails(emails: Sequence[OutboxEmail]) -> None:
    """Writes the emails to the outbox inside the caller's transaction; they are sent once it commits."""
    if emails:
        writer: Callable[..., None] = import_string(settings.OUTBOX_EMAIL_WRITER)
        writer(emails=emails)
