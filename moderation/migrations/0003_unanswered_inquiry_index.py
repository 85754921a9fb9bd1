"""An index of the questions still waiting for an answer (R20), for the daily
inquiry_overdue check (bench/explain/checks-inquiry_overdue.txt)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_check_schedules"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="inquiry",
            index=models.Index(
                condition=models.Q(("answered_at__isnull", True)),
                fields=["deadline"],
                name="inquiry_unanswered_deadline",
            ),
        ),
    ]
