from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0017_flag_dismissal_review")]

    operations = []
