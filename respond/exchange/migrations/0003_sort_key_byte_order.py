"""TAXII pages are ordered by sort_key in SQL and compared with `next` keys in Python (respond.exchange.taxii_objects):
both must order by code point. SQLite compares text that way already (BINARY); on PostgreSQL the column's
collation is the database's, and a locale collation (en_GB.UTF-8, say) weighs '-', ':' and '|' differently, which
would skip or repeat objects across pages. "C" orders by byte, which is code point order for UTF-8."""

from django.db import migrations

ALTER = 'ALTER TABLE exchange_keptstixobject ALTER COLUMN sort_key TYPE varchar(250) COLLATE "{collation}"'


def byte_order(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALTER.format(collation="C"))


def database_order(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALTER.format(collation="default"))


class Migration(migrations.Migration):
    dependencies = [("exchange", "0002_kept_stix_objects")]

    operations = [migrations.RunPython(byte_order, database_order)]
