"""Every write of an alert's remediation steps raises the alert's version."""

from django.db import migrations

from respond.core.version_triggers import RaiseVersions


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0004_versions_of_alert_organisations"),
    ]

    operations = [
        RaiseVersions(table="alerts_remediationstep", versions=[("alert:", "alert_id")]),
    ]
