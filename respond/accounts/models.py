import hashlib
from datetime import datetime
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from respond.organisations.models import Organisation


class GlobalRole(models.TextChoices):
    NONE = "", "None"
    AUDITOR = "auditor", "Auditor"
    CSOC = "csoc", "CSOC staff"


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    RESPONDER = "responder", "Responder"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("Users need an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True, global_role=GlobalRole.CSOC)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Email is the login identifier."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    # The organisation the person works for; memberships of other organisations are "on behalf".
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    global_role = models.CharField(max_length=10, choices=GlobalRole.choices, blank=True, default="")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """How the person appears everywhere: "<name> (<their organisation>)"."""
        name = self.full_name or self.email
        return f"{name} ({self.organisation.name})" if self.organisation_id else name  # type: ignore[union-attr]

    @property
    def is_csoc(self) -> bool:
        return self.is_active and self.global_role == GlobalRole.CSOC

    @property
    def is_auditor(self) -> bool:
        return self.is_active and self.global_role == GlobalRole.AUDITOR

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class MembershipQuerySet(models.QuerySet["Membership"]):
    def administrators(self) -> "MembershipQuerySet":
        """Administrator memberships of active accounts: the ones that can manage an organisation."""
        return self.filter(role=Role.ADMINISTRATOR, user__is_active=True)


class Membership(models.Model):
    """A user's role in one organisation: their own, or one they respond for on its behalf."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")]
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return f"{self.user.email}: {self.get_role_display()} of {self.organisation.ods_code}"

    @property
    def on_behalf(self) -> bool:
        return self.user.organisation_id != self.organisation_id


def token_hash(token: str) -> str:
    """Invitation links carry a random token; only its SHA-256 is stored, so the table alone cannot accept one."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be accepted"
    EXPIRED = "expired", "Expired"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> "InvitationQuerySet":
        """Neither accepted nor revoked (perhaps expired): at most one per address and organisation."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def nominations(self) -> "InvitationQuerySet":
        """Lead administrators registered by CSOC on their SIRO's nomination."""
        return self.exclude(nominated_by_name="")


class Invitation(models.Model):
    """An invitation, emailed as a single-use link, to join an organisation as administrator or responder.

    A lead administrator nomination is an administrator invitation sent by CSOC, with the SIRO who nominated them.
    """

    email = models.EmailField()
    full_name = models.CharField(max_length=200)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    nominated_by_name = models.CharField(max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    resent_count = models.PositiveIntegerField(default=0)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "organisation"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email_and_organisation",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_accepted_or_revoked_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organisation.ods_code} as {self.role}"

    @property
    def is_nomination(self) -> bool:
        return bool(self.nominated_by_name)

    def status_at(self, now: datetime) -> InvitationStatus:
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= now:
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    @property
    def status(self) -> InvitationStatus:
        return self.status_at(timezone.now())

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class AccessRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AccessRequestQuerySet(models.QuerySet["AccessRequest"]):
    def pending(self) -> "AccessRequestQuerySet":
        return self.filter(status=AccessRequestStatus.PENDING)


class AccessRequest(models.Model):
    """A request to respond on behalf of another organisation, decided by that organisation's administrators."""

    requester = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_requests")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="access_requests")
    reason = models.TextField()
    status = models.CharField(
        max_length=20, choices=AccessRequestStatus.choices, default=AccessRequestStatus.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Who approved or denied it (or the requester, who withdrew it), and when.
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    role_granted = models.CharField(max_length=20, choices=Role.choices, blank=True)

    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "organisation"],
                condition=Q(status=AccessRequestStatus.PENDING),
                name="one_pending_access_request_per_organisation",
            ),
            models.CheckConstraint(
                condition=Q(status=AccessRequestStatus.APPROVED, role_granted__in=Role.values)
                | (~Q(status=AccessRequestStatus.APPROVED) & Q(role_granted="")),
                name="access_request_role_only_when_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"Request by {self.requester.email} to respond for {self.organisation.ods_code}"

    @property
    def is_pending(self) -> bool:
        return self.status == AccessRequestStatus.PENDING


class ApiTokenAccess(models.TextChoices):
    READ = "read", "Read only"
    RESPOND = "respond", "Read and respond"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, *, now: datetime) -> "ApiTokenQuerySet":
        """Neither revoked nor expired, of an account still active."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)

    def visible_to(self, user: "User") -> "ApiTokenQuerySet":
        """A person's own tokens, and those acting for an organisation they administer."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        administered = Membership.objects.filter(user=user, role=Role.ADMINISTRATOR).values("organisation_id")
        acting_for_theirs = ApiToken.organisations.through.objects.filter(organisation_id__in=administered)
        return self.filter(Q(user=user) | Q(pk__in=acting_for_theirs.values("apitoken_id")))


class ApiToken(models.Model):
    """A personal token for the API (and TAXII): it acts as its owner, for some of the owner's organisations.
    Only the SHA-256 of the secret is stored; the prefix is kept so that people can tell their tokens apart."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    secret_hash = models.CharField(max_length=64, unique=True)
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="+")
    access = models.CharField(max_length=10, choices=ApiTokenAccess.choices, default=ApiTokenAccess.READ)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"API token {self.name} ({self.prefix}…) of {self.user.email}"

    @property
    def can_respond(self) -> bool:
        return self.access == ApiTokenAccess.RESPOND

    def status_at(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        if self.expires_at <= now:
            return "Expired"
        return "Active"
