"""Moving a model from one app to another without touching its table or its data.

A model that moves keeps its table (`Meta.db_table`); its old app's migration deletes it from the
migration state only and its new app's migration creates it in the state only
(`SeparateDatabaseAndState`). The content type is renamed in the new app's migration, keeping its
primary key, so that everything pointing at it stays attached: the audit trail's entries
(django-auditlog's LogEntry), permissions and their grants to groups and users, and generic
relations. falkoping_some/tests/test_upgrade.py migrates a database with demo data across a move.

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel(...)]),
        migrations.RunPython(*rename_content_types("accounts", "activity", ["weeklyactivity"])),
    ]
"""


def rename_content_types(old_app: str, new_app: str, models: list[str]):
    """The (forwards, backwards) pair for migrations.RunPython that moves the content types of
    `models` (lower-case model names) from `old_app` to `new_app`, and back."""

    def move(apps, from_app, to_app):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for model in models:
            # A content type made for the new label before this ran (none is, unless someone ran
            # the app's migrations by hand out of order) is empty: the old one, with everything
            # pointing at it, wins.
            old = ContentType.objects.filter(app_label=from_app, model=model).first()
            if old is None:
                continue
            ContentType.objects.filter(app_label=to_app, model=model).exclude(pk=old.pk).delete()
            old.app_label = to_app
            old.save(update_fields=["app_label"])
        ContentType.objects.clear_cache()

    def forwards(apps, schema_editor):
        move(apps, old_app, new_app)

    def backwards(apps, schema_editor):
        move(apps, new_app, old_app)

    return forwards, backwards
