from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0018_mandate_on_behalf")]

    operations = []
