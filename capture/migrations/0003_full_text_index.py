"""The GIN index of the full-text search over captured text, in PostgreSQL's Swedish configuration
(capture/selectors.py). SQLite has none: its search reads every row."""

from django.db import migrations

INDEX = "capture_item_text_swedish"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON capture_captureditem "
            "USING gin (to_tsvector('swedish'::regconfig, \"text\"))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("capture", "0002_sync_schedule")]

    operations = [migrations.RunPython(create, drop)]
