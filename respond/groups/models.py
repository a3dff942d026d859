"""Closed incident groups: private rooms where CSOC and the affected organisations discuss a major incident.

Who may see a group is decided in one place, `IncidentGroup.objects.visible_to(user)`: an accepted member,
not removed and not gone, who still belongs to the organisation they were invited through. It is checked on
every request, so losing that organisation loses the group at once.
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from markupsafe import Markup

from respond.accounts.models import Membership
from respond.alerts.models import Alert
from respond.core.markdown import render_markdown
from respond.organisations.models import Organisation

if TYPE_CHECKING:
    from respond.accounts.models import User


class Marking(models.TextChoices):
    """Traffic Light Protocol 2.0 labels for what is said in a group."""

    CLEAR = "clear", "TLP:CLEAR"
    GREEN = "green", "TLP:GREEN"
    AMBER = "amber", "TLP:AMBER"
    AMBER_STRICT = "amber_strict", "TLP:AMBER+STRICT"
    RED = "red", "TLP:RED"


# A group's default: its content is for named recipients, never further.
GROUP_DEFAULT_MARKINGS = (Marking.AMBER_STRICT, Marking.RED)
MARKING_MEANINGS = {
    Marking.CLEAR: "Disclosure is not limited.",
    Marking.GREEN: "Limited disclosure: the health and care community only, not publicly.",
    Marking.AMBER: "Limited disclosure: need to know within your organisation and its clients.",
    Marking.AMBER_STRICT: "Limited disclosure: need to know within your organisation only.",
    Marking.RED: "For the eyes and ears of the people in this group only.",
}


class MemberRole(models.TextChoices):
    MODERATOR = "moderator", "Moderator"
    MEMBER = "member", "Member"


class MemberStatus(models.TextChoices):
    INVITED = "invited", "Invited, not yet accepted"
    ACTIVE = "active", "Member"
    DECLINED = "declined", "Declined"
    LEFT = "left", "Left"
    REMOVED = "removed", "Removed"


class Digest(models.TextChoices):
    IMMEDIATE = "immediate", "An email for each new post"
    HOURLY = "hourly", "One email an hour listing new posts"


def _still_in_invited_organisation() -> Q:
    """A member invited through an organisation must still belong to it; one invited by name need not."""
    return Q(organisation__isnull=True) | Q(
        Exists(Membership.objects.filter(user=OuterRef("user"), organisation=OuterRef("organisation")))
    )


class GroupMemberQuerySet(models.QuerySet["GroupMember"]):
    def current(self) -> "GroupMemberQuerySet":
        """Accepted members who still have access: the people a group's content and messages go to."""
        return self.filter(_still_in_invited_organisation(), status=MemberStatus.ACTIVE, user__is_active=True)

    def addressed_to(self, user: "User | Any") -> "GroupMemberQuerySet":
        """Rows about this person: invited as a user, or by their email address before they had an account."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(Q(user=user) | Q(user__isnull=True, email=user.email.lower()))


class IncidentGroupQuerySet(models.QuerySet["IncidentGroup"]):
    def visible_to(self, user: "User | Any") -> "IncidentGroupQuerySet":
        """Groups this person is a current member of; archived groups are hidden from everyone."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        mine = GroupMember.objects.current().filter(user=user)
        return self.filter(archived_at__isnull=True, pk__in=mine.values("group_id"))

    def invited(self, user: "User | Any") -> "IncidentGroupQuerySet":
        """Groups with an invitation waiting for this person's answer."""
        waiting = GroupMember.objects.addressed_to(user).filter(status=MemberStatus.INVITED)
        return self.filter(archived_at__isnull=True, closed_at__isnull=True, pk__in=waiting.values("group_id"))


class IncidentGroup(models.Model):
    name = models.CharField(max_length=120)
    purpose = models.TextField(help_text="Markdown")
    alerts = models.ManyToManyField(Alert, blank=True, related_name="incident_groups")
    default_marking = models.CharField(max_length=20, choices=Marking.choices, default=Marking.AMBER_STRICT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set by the scheduler once the retention period after closing has passed: kept, shown to nobody.
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = IncidentGroupQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["closed_at"], name="group_closed_at", condition=Q(archived_at__isnull=True))]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def purpose_html(self) -> Markup:
        return render_markdown(self.purpose)


class GroupMember(models.Model):
    """One person's place in a group, from invitation to leaving. Rows are never deleted: the history stays."""

    group = models.ForeignKey(IncidentGroup, on_delete=models.CASCADE, related_name="members")
    # Empty until someone invited by email address has an account and answers.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="group_memberships"
    )
    email = models.EmailField(help_text="Lower case; how an invitation finds someone without an account yet")
    # The organisation they were invited through, whose membership they must keep; empty when invited by name.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="group_memberships"
    )
    role = models.CharField(max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER)
    status = models.CharField(max_length=20, choices=MemberStatus.choices, default=MemberStatus.INVITED)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    digest = models.CharField(max_length=20, choices=Digest.choices, default=Digest.IMMEDIATE)
    # Hourly digests list posts after this moment.
    digest_sent_up_to = models.DateTimeField(null=True, blank=True)

    objects = GroupMemberQuerySet.as_manager()

    class Meta:
        ordering = ["group", "email"]
        constraints = [
            models.UniqueConstraint(fields=["group", "email"], name="one_group_member_per_email"),
            models.UniqueConstraint(
                fields=["group", "user"], condition=Q(user__isnull=False), name="one_group_member_per_user"
            ),
        ]
        indexes = [models.Index(fields=["user", "status"], name="group_member_user_status")]

    def __str__(self) -> str:
        return f"{self.email} in {self.group_id}: {self.status}"

    @property
    def is_moderator(self) -> bool:
        return self.role == MemberRole.MODERATOR

    @property
    def name(self) -> str:
        if self.user_id:
            return self.user.display_name  # type: ignore[union-attr]
        return self.email


class PostQuerySet(models.QuerySet["Post"]):
    def threads(self) -> "PostQuerySet":
        return self.filter(parent__isnull=True)


class Post(models.Model):
    """A post (with a title) or a reply to one (parent set, no title). Deleting leaves a tombstone."""

    group = models.ForeignKey(IncidentGroup, on_delete=models.CASCADE, related_name="posts")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(help_text="Markdown")
    marking = models.CharField(max_length=20, choices=Marking.choices)
    pinned = models.BooleanField(default=False, help_text="A situation report, shown first")
    urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["group", "parent", "-pinned", "-created_at"], name="group_post_threads"),
            models.Index(fields=["group", "created_at"], name="group_post_created"),
        ]

    def __str__(self) -> str:
        # Never the title: this is what audit entries and logs show, and they carry no group content.
        return f"{'Reply' if self.parent_id else 'Post'} {self.pk} in group {self.group_id}"

    def get_absolute_url(self) -> str:
        return reverse("groups:post", args=[self.group_id, self.parent_id or self.pk]) + (
            f"#post-{self.pk}" if self.parent_id else ""
        )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @cached_property
    def body_html(self) -> Markup:
        return render_markdown(self.body)


class PostRevision(models.Model):
    """What a post said before an edit: the visible history."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    marking = models.CharField(max_length=20, choices=Marking.choices)
    written_at = models.DateTimeField(help_text="When this version was written")
    replaced_at = models.DateTimeField(default=timezone.now)
    replaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-replaced_at", "-id"]

    def __str__(self) -> str:
        return f"Revision of post {self.post_id} at {self.written_at:%Y-%m-%d %H:%M}"

    @property
    def body_html(self) -> Markup:
        return render_markdown(self.body)


class PostFile(models.Model):
    """A file attached to a post, stored through the group files storage (see respond.groups.files)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=150, help_text="The sanitised name it downloads as")
    storage_name = models.CharField(max_length=300, unique=True, help_text="Its key in the storage")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"File {self.pk} of post {self.post_id}"


class IndicatorType(models.TextChoices):
    IPV4 = "ipv4", "IPv4 address"
    IPV6 = "ipv6", "IPv6 address"
    DOMAIN = "domain", "Domain name"
    URL = "url", "URL"
    MD5 = "md5", "MD5 hash"
    SHA1 = "sha1", "SHA-1 hash"
    SHA256 = "sha256", "SHA-256 hash"


class Indicator(models.Model):
    """An indicator of compromise carried by a post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="indicators")
    indicator_type = models.CharField(max_length=10, choices=IndicatorType.choices)
    value = models.CharField(max_length=2000)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["post", "position"]

    def __str__(self) -> str:
        return f"Indicator {self.pk} of post {self.post_id}"
