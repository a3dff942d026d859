"""Summary rows of the responses, kept up to date in the transaction of every response write (see
respond.responses.summaries), so that the reports read a few rows rather than work the figures out again.

Counts are by alert, split by organisation type and region (region 0: none), so that every grouping the alert
reports show is a sum of rows. Times (to acknowledge, to complete) are counted per whole minute of delay, from
which a median is read exactly: the median of the delays in whole minutes. (Compliance over time is still worked
out from the responses: at national scale, counts per minute of delay by month, severity, type and region hold
about as many rows as the responses themselves, and summing them was no quicker.)"""

from django.db import models

from respond.alerts.models import Alert


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

    def __str__(self) -> str:
        return f"Alert {self.alert_id}, {self.get_kind_display()}: {self.count} in {self.minutes} minutes"
