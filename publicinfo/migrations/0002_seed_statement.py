from django.db import migrations


def seed(apps, schema_editor):
    """The default statement, so that the page is never empty; comms review and change it."""
    from publicinfo.models import DEFAULTS

    AccessibilityStatement = apps.get_model("publicinfo", "AccessibilityStatement")
    AccessibilityStatement.objects.get_or_create(pk=1, defaults=DEFAULTS)


def unseed(apps, schema_editor):
    apps.get_model("publicinfo", "AccessibilityStatement").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("publicinfo", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
