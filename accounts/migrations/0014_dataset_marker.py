"""A marker that says a database holds made-up data (demo or bench), so that seed_bench
refuses a database with real data."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0013_requeue_waiting_jobs"),
    ]

    operations = [
        migrations.CreateModel(
            name="DatasetMarker",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("demo", "Demo data"), ("bench", "Benchmark data")],
                        max_length=10,
                        unique=True,
                        verbose_name="kind",
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created")),
                ("parameters", models.JSONField(blank=True, default=dict, verbose_name="parameters")),
            ],
            options={
                "verbose_name": "dataset marker",
                "verbose_name_plural": "dataset markers",
                "ordering": ["created_at"],
            },
        ),
    ]
