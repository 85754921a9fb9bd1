from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0016_open_flags_by_kind")]

    operations = []
