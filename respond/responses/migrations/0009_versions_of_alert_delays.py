"""Every write of an alert's summary delays raises the version of the alert's responses."""

from django.db import migrations

from respond.core.version_triggers import RaiseVersions


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0008_versions_of_alert_counts"),
        ("core", "0002_data_versions"),
    ]

    operations = [
        RaiseVersions(table="responses_alertdelays", versions=[("responses-of-alert:", "alert_id")]),
    ]
