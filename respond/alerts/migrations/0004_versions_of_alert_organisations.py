"""Every change to the organisations in scope of an alert raises the versions of its responses and theirs."""

from django.db import migrations

from respond.core.version_triggers import RaiseVersions


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0003_versions_of_alerts"),
        ("core", "0002_data_versions"),
    ]

    operations = [
        RaiseVersions(table="alerts_alert_organisations", versions=[("responses-of-alert:", "alert_id"), ("responses-of-organisation:", "organisation_id")]),
    ]
