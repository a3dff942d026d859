from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from markupsafe import Markup

from respond.core.components import url
from respond.core.markdown import render_markdown
from respond.organisations.models import Organisation, OrganisationQuerySet, Region

if TYPE_CHECKING:
    from respond.accounts.models import User


class Severity(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    INFORMATION = "information", "Information only"


class Tlp(models.TextChoices):
    """Traffic Light Protocol 2.0. Only CLEAR may appear on public pages and feeds."""

    CLEAR = "clear", "TLP:CLEAR"
    GREEN = "green", "TLP:GREEN"
    AMBER = "amber", "TLP:AMBER"
    AMBER_STRICT = "amber_strict", "TLP:AMBER+STRICT"


TLP_MEANINGS = {
    Tlp.CLEAR: "Disclosure is not limited.",
    Tlp.GREEN: "Limited disclosure: you may share this within the health and care community, not publicly.",
    Tlp.AMBER: (
        "Limited disclosure: you may share this only on a need-to-know basis within your organisation "
        "and with its clients."
    ),
    Tlp.AMBER_STRICT: "Limited disclosure: you may share this only on a need-to-know basis within your organisation.",
}


class AlertStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    APPROVED = "approved", "Approved, not yet published"
    PUBLISHED = "published", "Published"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Statuses whose content can still be edited; an edit sends the alert back to draft.
EDITABLE_STATUSES = {AlertStatus.DRAFT, AlertStatus.AWAITING_APPROVAL, AlertStatus.APPROVED}
# Statuses in which recipients may read the alert.
RELEASED_STATUSES = {AlertStatus.PUBLISHED, AlertStatus.CLOSED}
# The version (respond.core.versions) of every alert: raised by each write of alerts (a database trigger).
ALERTS_VERSION = "alerts"


# The version of one alert and what is part of it (remediation steps, updates, recorded changes), named by this
# and the alert's id: raised by each write of them (database triggers), so that what is kept of one alert (its
# STIX objects) is worked out again.
ALERT_CONTENT_VERSION = "alert:"
# An alert's text and lists, which pages listing alerts never show: left out of their queries (defer), as reading
# and decoding them for a hundred rows cost more than the rest of each row.
ALERT_TEXT_FIELDS = (
    "short_summary",
    "summary",
    "threat_details",
    "remediation_intro",
    "indicators_of_compromise",
    "categories",
    "threat_vectors",
    "cve_ids",
    "sources",
    "scope_organisation_types",
    "closed_reason",
    "withdrawn_reason",
)


class ThreatIdSequence(models.Model):
    """One row holding the next CC- number; locked inside the publish transaction, so never reused."""

    next_number = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"Next threat ID: CC-{self.next_number}"


class AlertQuerySet(models.QuerySet["Alert"]):
    def released(self) -> "AlertQuerySet":
        return self.filter(status__in=RELEASED_STATUSES)

    def public(self) -> "AlertQuerySet":
        """What anyone may read, on public pages, in feeds and in the JSON API."""
        return self.released().filter(tlp=Tlp.CLEAR)

    def visible_to(self, user: "User | Any") -> "AlertQuerySet":
        """Released alerts this person may read: TLP:CLEAR ones, and restricted ones sent to an organisation they
        belong to. CSOC staff and auditors read them all."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.public()
        if user.is_csoc or user.is_auditor:
            return self.released()
        sent_to_them = Alert.organisations.through.objects.filter(organisation__memberships__user=user)
        return self.released().filter(Q(tlp=Tlp.CLEAR) | Q(pk__in=sent_to_them.values("alert_id")))

    def workspace_for(self, user: "User | Any") -> "AlertQuerySet":
        """Every alert, drafts included, for the CSOC pages: CSOC staff and auditors only."""
        if getattr(user, "is_authenticated", False) and (user.is_csoc or user.is_auditor):
            return self.all()
        return self.none()

    def search(self, text: str) -> "AlertQuerySet":
        text = text.strip()
        if not text:
            return self
        # cve_ids is a JSON list: searching its text for the quoted ID matches whole IDs on SQLite and PostgreSQL.
        return self.filter(
            Q(threat_id__iexact=text)
            | Q(cve_ids__icontains=f'"{text}"')
            | Q(title__icontains=text)
            | Q(short_summary__icontains=text)
            | Q(summary__icontains=text)
        )


class Alert(models.Model):
    # Allocated at publication from ThreatIdSequence: never reused.
    threat_id = models.CharField(max_length=12, unique=True, null=True, blank=True)
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=AlertStatus.choices, default=AlertStatus.DRAFT, db_index=True)
    severity = models.CharField(max_length=20, choices=Severity.choices)
    threat_type = models.CharField(max_length=100, blank=True)
    categories = models.JSONField(default=list, blank=True)
    threat_vectors = models.JSONField(default=list, blank=True)
    short_summary = models.CharField(max_length=500)
    summary = models.TextField(help_text="Markdown")
    threat_details = models.TextField(blank=True, help_text="Markdown")
    remediation_intro = models.TextField(blank=True, help_text="Markdown")
    indicators_of_compromise = models.TextField(blank=True, help_text="Markdown")
    cve_ids = models.JSONField(default=list, blank=True)
    ncsc_link = models.URLField(blank=True)
    sources = models.JSONField(default=list, blank=True)
    tlp = models.CharField("TLP marking", max_length=20, choices=Tlp.choices)
    response_required = models.BooleanField(default=True)
    response_window_hours = models.PositiveIntegerField(default=48)
    # When organisations were asked to respond, if not at publication: a raise to high severity that made a
    # response required. Their deadline counts from it.
    responses_asked_at = models.DateTimeField(null=True, blank=True)
    major_incident = models.BooleanField(default=False, help_text="Also sent by SMS")
    # Scope: every mandated organisation, narrowed by these when set.
    scope_organisation_types = models.JSONField(default=list, blank=True)
    scope_regions = models.ManyToManyField(Region, blank=True, related_name="+")
    # The organisations that must respond, fixed at publication.
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="alerts")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]

    def __str__(self) -> str:
        return f"{self.threat_id or 'Draft'}: {self.title}"

    def get_absolute_url(self) -> str:
        return url("alerts:detail", self.threat_id) if self.threat_id else ""

    def get_csoc_url(self) -> str:
        return reverse("alerts_csoc:detail", args=[self.pk])

    @property
    def deadline_at(self) -> datetime | None:
        """When organisations must have acknowledged the alert: the response window from when they were asked
        (as respond.reports.statistics.deadline_expression works it out in SQL)."""
        asked_at = self.responses_asked_at or self.published_at
        if not asked_at or not self.response_required:
            return None
        return asked_at + timedelta(hours=self.response_window_hours)

    @property
    def is_public(self) -> bool:
        return self.tlp == Tlp.CLEAR and self.status in RELEASED_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_released(self) -> bool:
        return self.status in RELEASED_STATUSES

    @property
    def tlp_meaning(self) -> str:
        return TLP_MEANINGS.get(Tlp(self.tlp), "") if self.tlp in Tlp.values else ""

    @property
    def last_updated_at(self) -> datetime | None:
        """When recipients last saw a change: publication, or the latest change recorded since."""
        if not self.published_at:
            return None
        latest = self.versions.filter(created_at__gt=self.published_at).aggregate(at=models.Max("created_at"))["at"]
        return max(self.published_at, latest) if latest else self.published_at

    @cached_property
    def summary_html(self) -> Markup:
        return render_markdown(self.summary)

    @cached_property
    def threat_details_html(self) -> Markup:
        return render_markdown(self.threat_details)

    @cached_property
    def remediation_intro_html(self) -> Markup:
        return render_markdown(self.remediation_intro)

    @cached_property
    def indicators_of_compromise_html(self) -> Markup:
        return render_markdown(self.indicators_of_compromise)

    def in_scope_organisations(self) -> OrganisationQuerySet:
        """Who must respond: fixed at publication; before that, computed from the scope."""
        if self.published_at:
            return self.organisations.all()  # type: ignore[return-value]
        organisations = Organisation.objects.mandated()
        if self.scope_organisation_types:
            organisations = organisations.filter(organisation_type__in=self.scope_organisation_types)
        if self.pk and self.scope_regions.exists():
            organisations = organisations.filter(region__in=self.scope_regions.all())
        return organisations


def nvd_url(cve_id: str) -> str:
    return f"https://nvd.nist.gov/vuln/detail/{cve_id}"


class AffectedPlatform(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="affected_platforms")
    position = models.PositiveSmallIntegerField()
    platform = models.CharField(max_length=200)
    # One version or range per line, as the vendor words it.
    versions = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.platform

    @property
    def version_list(self) -> list[str]:
        return [line.strip() for line in self.versions.splitlines() if line.strip()]


class RemediationType(models.TextChoices):
    UPGRADE = "Upgrade", "Upgrade"
    MITIGATION = "Mitigation", "Mitigation"
    WORKAROUND = "Workaround", "Workaround"
    GUIDANCE = "Guidance", "Guidance"


class RemediationStep(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="remediation_steps")
    position = models.PositiveSmallIntegerField()
    step_type = models.CharField("type", max_length=20, choices=RemediationType.choices)
    step = models.TextField()
    link = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.step_type}: {self.step[:60]}"


class AlertSeverityChange(models.Model):
    """The alert's severity over time; the first row is the severity it was published with."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="severity_changes")
    from_severity = models.CharField(max_length=20, choices=Severity.choices, blank=True)
    to_severity = models.CharField(max_length=20, choices=Severity.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_severity or 'none'} to {self.to_severity}"


class AlertVersion(models.Model):
    """A snapshot of the alert after each change, written by every service that changes an alert."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    summary = models.CharField(max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["alert", "number"], name="one_alert_version_number")]

    def __str__(self) -> str:
        return f"Version {self.number}: {self.summary}"


class ThreatUpdate(models.Model):
    """A dated update appended to a published alert; never edited away."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(help_text="Markdown")
    requires_reacknowledgement = models.BooleanField(default=False)
    # Added by a raise to high severity that asked every organisation in scope to respond: its email says by when.
    asks_for_responses = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Update to {self.alert.threat_id} at {self.created_at:%Y-%m-%d %H:%M}"

    @cached_property
    def text_html(self) -> Markup:
        return render_markdown(self.text)

    @property
    def reacknowledge_by(self) -> datetime | None:
        """When organisations that had acknowledged the alert must acknowledge this update: the alert's response
        window again, from the update."""
        if not self.requires_reacknowledgement or not self.alert.response_required or self.created_at is None:
            return None
        return self.created_at + timedelta(hours=self.alert.response_window_hours)
