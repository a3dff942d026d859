"""Every write of responses raises the versions of their alerts' and organisations' responses."""

from django.db import migrations

from respond.core.version_triggers import RaiseVersions


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0006_month_delays"),
        ("core", "0002_data_versions"),
    ]

    operations = [
        RaiseVersions(table="responses_response", versions=[("responses-of-alert:", "alert_id"), ("responses-of-organisation:", "organisation_id")]),
    ]
