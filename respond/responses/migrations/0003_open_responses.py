"""Publication now opens every in-scope organisation's response, so pages no longer create missing ones as they
are read: this opens those of alerts published before, once. And an index for the responses still open."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef

RELEASED_STATUSES = ("published", "closed")


def open_missing_responses(apps, schema_editor):
    Alert = apps.get_model("alerts", "Alert")
    Response = apps.get_model("responses", "Response")
    pairs = Alert.organisations.through.objects.filter(
        alert__status__in=RELEASED_STATUSES, alert__response_required=True
    ).exclude(
        Exists(Response.objects.filter(alert_id=OuterRef("alert_id"), organisation_id=OuterRef("organisation_id")))
    )
    missing = [
        Response(alert_id=alert, organisation_id=organisation)
        for alert, organisation in pairs.values_list("alert_id", "organisation_id")
    ]
    Response.objects.bulk_create(missing, batch_size=5000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_initial"),
        ("organisations", "0001_initial"),
        ("responses", "0002_reacknowledgement"),
    ]

    operations = [
        migrations.RunPython(open_missing_responses, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(
                condition=models.Q(
                    models.Q(("status__in", ("complete", "not_applicable")), _negated=True),
                    ("reacknowledgement_due_at__isnull", False),
                    _connector="OR",
                ),
                fields=["organisation", "alert"],
                name="open_responses_by_organisation",
            ),
        ),
    ]
