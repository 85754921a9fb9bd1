from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("council", "0002_minutes_attachment_is_a_private_file")]

    operations = []
