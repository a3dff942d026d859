"""The STIX objects of alerts as the TAXII server last built them, kept so that a poll of unchanged alerts does no
STIX work and a page of a collection is one indexed query. A table rather than the cache: all the alerts missing
from it are written in a fixed number of queries (the database cache writes a key at a time), so even a cold read
runs a fixed number of queries."""

from django.db import models

from respond.alerts.models import Alert


class BuiltStixObjects(models.Model):
    """That an alert's objects (KeptStixObject) are built, and from what."""

    alert = models.OneToOneField(Alert, on_delete=models.CASCADE, primary_key=True, related_name="+")
    # What the objects were built from (respond.exchange.taxii_objects.built_from): when it differs, they are stale.
    built_from = models.CharField(max_length=500)

    def __str__(self) -> str:
        return f"STIX objects of alert {self.alert_id} built from {self.built_from}"


class KeptStixObject(models.Model):
    """One STIX object of an alert, with what a TAXII page is selected and ordered by."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=200)
    object_type = models.CharField(max_length=100)
    date_added = models.CharField(max_length=40)  # STIX timestamp, UTC with milliseconds: sorts as text
    added_at = models.DateTimeField()  # the same, for added_after
    version = models.CharField(max_length=40)
    # f"{date_added}|{object_id}", the order of a collection and its `next` key
    sort_key = models.CharField(max_length=250)
    stix_object = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["sort_key"], name="kept_stix_object_order")]
        constraints = [models.UniqueConstraint(fields=["alert", "object_id"], name="kept_stix_object_once")]

    def __str__(self) -> str:
        return f"{self.object_id} of alert {self.alert_id}"
