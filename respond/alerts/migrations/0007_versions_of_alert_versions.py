"""Every recorded change of an alert (when it last changed is part of its STIX objects) raises the alert's version."""

from django.db import migrations

from respond.core.version_triggers import RaiseVersions


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0006_versions_of_threat_updates"),
    ]

    operations = [
        RaiseVersions(table="alerts_alertversion", versions=[("alert:", "alert_id")]),
    ]
