"""Every write of an alert's summary counts raises the version of the alert's responses."""

from django.db import migrations

from respond.core.version_triggers import RaiseVersions


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0007_versions_of_responses"),
        ("core", "0002_data_versions"),
    ]

    operations = [
        RaiseVersions(table="responses_alertcounts", versions=[("responses-of-alert:", "alert_id")]),
    ]
