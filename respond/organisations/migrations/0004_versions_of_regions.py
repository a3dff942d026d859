"""Every write of regions (whose names the reports show) raises the organisations' version."""

from django.db import migrations

from respond.core.version_triggers import RaiseVersions


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0003_versions_of_organisations"),
        ("core", "0002_data_versions"),
    ]

    operations = [
        RaiseVersions(table="organisations_region", versions=[("organisation-details", None)]),
    ]
