"""Every write of alerts raises the alerts' version, and the alert's own."""

from django.db import migrations

from respond.core.version_triggers import RaiseVersions


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0002_responses_asked_at"),
        ("core", "0002_data_versions"),
    ]

    operations = [
        RaiseVersions(table="alerts_alert", versions=[("alerts", None), ("alert:", "id")]),
    ]
