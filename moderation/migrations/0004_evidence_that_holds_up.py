from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("moderation", "0003_unanswered_inquiry_index")]

    operations = []
