from django.db import migrations, models

import respond.notifications.webhook_models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0007_encrypt_webhook_secrets"),
    ]

    operations = [
        migrations.RemoveField(model_name="webhookendpoint", name="secret"),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="encrypted_secret",
            field=models.TextField(default=respond.notifications.webhook_models.new_encrypted_signing_secret),
        ),
    ]
