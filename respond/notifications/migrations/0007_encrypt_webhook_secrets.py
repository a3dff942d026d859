"""Webhook signing secrets encrypted at rest (respond.core.encryption): each one encrypted into a new column, which
0008 then keeps alone. Reversible: going back decrypts them."""

from django.db import migrations, models

from respond.core.encryption import decrypt, encrypt

# The purpose the key is derived for, as respond.notifications.webhook_models.SIGNING_SECRET (fixed here: a
# migration does not follow later changes to the code).
SIGNING_SECRET = "webhook signing secret"


def encrypt_secrets(apps, schema_editor):
    WebhookEndpoint = apps.get_model("notifications", "WebhookEndpoint")
    for endpoint in WebhookEndpoint.objects.only("pk", "secret"):
        encrypted = encrypt(endpoint.secret, purpose=SIGNING_SECRET)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(encrypted_secret=encrypted)


def decrypt_secrets(apps, schema_editor):
    WebhookEndpoint = apps.get_model("notifications", "WebhookEndpoint")
    for endpoint in WebhookEndpoint.objects.only("pk", "encrypted_secret"):
        plain = decrypt(endpoint.encrypted_secret, purpose=SIGNING_SECRET)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret=plain)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0006_message_kinds_with_groups_and_webhooks"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="encrypted_secret",
            field=models.TextField(default=""),
            preserve_default=False,
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
    ]
