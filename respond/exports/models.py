"""The secret address of each person's deadline calendar."""

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from respond.accounts.models import token_hash

if TYPE_CHECKING:
    from respond.accounts.models import User


class CalendarFeedQuerySet(models.QuerySet["CalendarFeed"]):
    def active(self) -> "CalendarFeedQuerySet":
        """Not revoked, and its owner's account is active."""
        return self.filter(revoked_at__isnull=True, user__is_active=True)

    def for_token(self, token: str) -> "CalendarFeed | None":
        return self.active().select_related("user").filter(token_hash=token_hash(token)).first()


class CalendarFeed(models.Model):
    """A calendar app reads the feed without signing in, so its address carries a long random token; only the
    token's SHA-256 is stored, so the table alone gives nobody a working address. Revoked feeds stay as a record."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="one_live_feed_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}, created {self.created_at:%Y-%m-%d}"

    @classmethod
    def issue(cls, user: "User") -> tuple["CalendarFeed", str]:
        """A new feed and its token, which is never stored and so can be shown only now."""
        token = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, token_hash=token_hash(token)), token

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
