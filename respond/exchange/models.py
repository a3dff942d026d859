"""An alert's STIX objects as the TAXII server last built them, kept so that a poll of unchanged alerts does no
STIX work. A table rather than the cache: all the alerts missing from it are written in one query (the database
cache writes a key at a time), so even a cold read runs a fixed number of queries."""

from django.db import models

from respond.alerts.models import Alert


class BuiltStixObjects(models.Model):
    alert = models.OneToOneField(Alert, on_delete=models.CASCADE, primary_key=True, related_name="+")
    # What the objects were built from (respond.exchange.taxii_objects.built_from): when it differs, they are stale.
    built_from = models.CharField(max_length=500)
    stix_objects = models.JSONField()

    def __str__(self) -> str:
        return f"STIX objects of alert {self.alert_id}"
