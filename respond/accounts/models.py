from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models

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


class Membership(models.Model):
    """A user's role in one organisation: their own, or one they respond for on its behalf."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")]
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return f"{self.user.email}: {self.get_role_display()} of {self.organisation.ods_code}"

    @property
    def on_behalf(self) -> bool:
        return self.user.organisation_id != self.organisation_id
