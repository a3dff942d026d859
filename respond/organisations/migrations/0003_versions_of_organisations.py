"""Every write of organisations raises the organisations' version."""

from django.db import migrations

from respond.core.version_triggers import RaiseVersions


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_by_name"),
        ("core", "0002_data_versions"),
    ]

    operations = [
        RaiseVersions(table="organisations_organisation", versions=[("organisation-details", None)]),
    ]
