from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from respond.core.components import url

# The version (respond.core.versions) of the organisations' types, regions and names, which reports group and
# list them by: raised by each write of organisations or regions (database triggers).
ORGANISATION_DETAILS_VERSION = "organisation-details"


class Region(models.Model):
    """An NHS England region (ODS national grouping, e.g. Y56 London)."""

    code = models.CharField(max_length=10, unique=True)
    ons_code = models.CharField(max_length=12, blank=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationType(models.TextChoices):
    NHS_TRUST = "nhs_trust", "NHS Trust"
    FOUNDATION_TRUST = "foundation_trust", "Foundation Trust"
    CARE_TRUST = "care_trust", "Care Trust"
    ICB = "icb", "Integrated Care Board"
    SUB_ICB_LOCATION = "sub_icb_location", "Sub-ICB location"
    CSU = "csu", "Commissioning Support Unit"
    OTHER = "other", "Other"


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def active(self) -> "OrganisationQuerySet":
        return self.filter(active=True)

    def mandated(self) -> "OrganisationQuerySet":
        return self.filter(mandated=True, active=True)

    def search(self, text: str) -> "OrganisationQuerySet":
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(ods_code__iexact=text) | Q(name__icontains=text))

    # Any person: memberships (respond.accounts) are reached by their relation's name, as accounts builds on this.
    def respondable_by(self, user: AbstractBaseUser | AnonymousUser) -> "OrganisationQuerySet":
        """Organisations the user may respond for: their memberships, as administrator or responder."""
        if not user.is_authenticated:
            return self.none()
        # No DISTINCT: a person has one membership of an organisation at most (one_membership_per_org).
        return self.filter(memberships__user=user)

    def administered_by(self, user: AbstractBaseUser | AnonymousUser) -> "OrganisationQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user, memberships__role="administrator")


class Organisation(models.Model):
    ods_code = models.CharField("ODS code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    organisation_type = models.CharField(max_length=20, choices=OrganisationType.choices, db_index=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="organisations")
    parent_icb = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        limit_choices_to={"organisation_type": OrganisationType.ICB},
        verbose_name="parent ICB",
    )
    address = models.CharField(max_length=400, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    open_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True, db_index=True)
    mandated = models.BooleanField(default=False, db_index=True, help_text="Must respond to high-severity alerts")
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(ods_code=Upper("ods_code")), name="ods_code_uppercase")]
        # Lists by name, a page at a time: an alert report's 50 of its 10,000 organisations are read by index.
        indexes = [models.Index(fields=["name", "id"], name="organisation_by_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"

    def get_absolute_url(self) -> str:
        return url("organisations:detail", self.ods_code)
