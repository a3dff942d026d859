"""Every write of an alert's updates raises the alert's version."""

from django.db import migrations

from respond.core.version_triggers import RaiseVersions


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0005_versions_of_remediation_steps"),
    ]

    operations = [
        RaiseVersions(table="alerts_threatupdate", versions=[("alert:", "alert_id")]),
    ]
