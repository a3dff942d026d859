"""Summary rows of the responses, kept up to date in the transaction of every response write (see
respond.responses.summaries), so that the reports read a few rows rather than work the figures out again.

Counts are by alert, split by organisation type and region (region 0: none), so that every grouping the alert
reports show is a sum of rows. Times (to acknowledge, to complete) are counted per whole minute of delay, from
which a median is read exactly: the median of the delays in whole minutes.

Compliance over time reads its figures by month of publication for each group the page shows (every organisation,
each region, each type): the counts (MonthCounts), and the middle delays (MonthMedians), which each write moves
along the delays per whole minute (MonthDelays). So a page reads one row per month, group and figure, however many
responses there are, and the medians are exact."""

from django.db import models

from respond.alerts.models import Alert
from respond.organisations.models import Organisation


class Counts(models.Model):
    """What a group of responses counts: in scope, acknowledged (and of those, late), and by current status."""

    organisation_type = models.CharField(max_length=30)
    region_key = models.PositiveIntegerField()  # the organisation's region's id; 0 for none
    in_scope = models.IntegerField(default=0)
    acknowledged = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    in_progress = models.IntegerField(default=0)
    complete = models.IntegerField(default=0)
    not_applicable = models.IntegerField(default=0)
    unable_to_implement = models.IntegerField(default=0)

    class Meta:
        abstract = True


class AlertCounts(Counts):
    """An alert's in-scope responses, by organisation type and region."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="+", db_constraint=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "organisation_type", "region_key"], name="one_alert_counts_row")
        ]

    def __str__(self) -> str:
        return f"Alert {self.alert_id}, {self.organisation_type}, region {self.region_key}: {self.in_scope} in scope"


class DelayKind(models.TextChoices):
    ACKNOWLEDGE = "a", "Time to acknowledge"
    COMPLETE = "c", "Time to complete"


class AlertDelays(models.Model):
    """How many of an alert's responses took each whole number of minutes to acknowledge, or to complete."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    kind = models.CharField(max_length=1, choices=DelayKind.choices)
    minutes = models.IntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "kind", "minutes"], name="one_alert_delays_row")]
        # An alert's report reads its medians from these rows in order (respond.reports.services.ALERT_MEDIANS_SQL):
        # from this index alone on PostgreSQL, rather than from rows spread over a page each (3.6 ms to 1.3 ms for
        # the national alert). SQLite has no covering indexes and does without (models.W040 is silenced).
        indexes = [models.Index(fields=["alert", "kind", "minutes"], include=["count"], name="alert_delays_in_order")]

    def __str__(self) -> str:
        return f"Alert {self.alert_id}, {self.get_kind_display()}: {self.count} in {self.minutes} minutes"


class Grouping(models.TextChoices):
    """The groups compliance over time shows: every organisation, by region (by name: the key is the first region
    of that name's id, 0 for none), by organisation type (the key is the type)."""

    ALL = "a", "All"
    REGION = "r", "Region"
    TYPE = "t", "Organisation type"


class MonthCounts(models.Model):
    """The in-scope responses to the alerts published in a month (in London), and counted by the reports (released
    and asking for a response), by group: how many, acknowledged, and of those, late."""

    month = models.IntegerField()  # year * 12 + month - 1
    grouping = models.CharField(max_length=1, choices=Grouping.choices)
    group_key = models.CharField(max_length=30)
    in_scope = models.IntegerField(default=0)
    acknowledged = models.IntegerField(default=0)
    late = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "grouping", "group_key"], name="one_month_counts_row")]

    def __str__(self) -> str:
        return f"Month {self.month}, {self.grouping} {self.group_key}: {self.in_scope} in scope"


class MonthDelays(models.Model):
    """How many of those responses took each whole number of minutes to acknowledge, or to complete, by group."""

    month = models.IntegerField()
    grouping = models.CharField(max_length=1, choices=Grouping.choices)
    group_key = models.CharField(max_length=30)
    kind = models.CharField(max_length=1, choices=DelayKind.choices)
    minutes = models.IntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "grouping", "group_key", "kind", "minutes"], name="one_month_delays_minute"
            )
        ]

    def __str__(self) -> str:
        return f"Month {self.month}, {self.grouping} {self.group_key}, {self.kind}: {self.count} in {self.minutes} min"


class MonthMedians(models.Model):
    """The middle delays of a month's group's MonthDelays (the median is halfway between them), kept with them in
    the same transaction: how many delays there are, the low middle one (the ((total - 1) // 2)th, counting from 0)
    and how many come before it, and the high middle one (the (total // 2)th). A write moves the middles from where
    they were, reading only the minutes between (respond.responses.month_medians)."""

    month = models.IntegerField()
    grouping = models.CharField(max_length=1, choices=Grouping.choices)
    group_key = models.CharField(max_length=30)
    kind = models.CharField(max_length=1, choices=DelayKind.choices)
    total = models.IntegerField(default=0)
    below = models.IntegerField(default=0)  # delays shorter than the low middle one
    low = models.IntegerField(null=True)  # minutes; None when there are none
    high = models.IntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "grouping", "group_key", "kind"], name="one_month_medians_row")
        ]

    def __str__(self) -> str:
        return f"Month {self.month}, {self.grouping} {self.group_key}, {self.kind}: {self.low} to {self.high} min"


class SummaryPlacement(models.Model):
    """Where the summaries count an organisation's responses: its type, region and region group (see
    Context.region_group) as they were when its figures were last added or moved. Every write counts figures
    here, not where the organisation is now, so an ODS import that moves an organisation changes only the
    organisation, and respond.responses.summaries.move_organisations later moves its figures: a move costs that
    organisation's responses, never a rebuild of everything (which would hold up every response write meanwhile)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="+", db_constraint=False
    )
    organisation_type = models.CharField(max_length=30)
    region_key = models.PositiveIntegerField()  # the region's id; 0 for none
    region_group = models.PositiveIntegerField()  # the first region of its region's name; 0 for none

    def __str__(self) -> str:
        return f"Organisation {self.organisation_id} counted as {self.organisation_type}, region {self.region_key}"
