"""The one-open-flag constraint's index with the kind first, so that each scheduled check
reads the open flags of its own kind from the index instead of scanning every flag
(bench/explain/checks-open-flags.txt). The rule it enforces is unchanged."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0015_review_queue_index"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="reviewflag",
            name="flag_one_open_per_account_and_kind",
        ),
        migrations.AddConstraint(
            model_name="reviewflag",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["open", "acknowledged"])),
                fields=("kind", "account"),
                name="flag_one_open_per_account_and_kind",
            ),
        ),
    ]
