"""Indexes that read a page of the account list (by name) and of the review queue (the most
serious kind first, then the newest) in order instead of sorting every row; bench/explain/pages-*.txt."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0014_dataset_marker"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="socialaccount",
            index=models.Index(fields=["name", "id"], name="account_name_order"),
        ),
        migrations.AddIndex(
            model_name="reviewflag",
            index=models.Index(
                models.Case(
                    models.When(kind="criminal_not_reported", then=models.Value(0)),
                    models.When(kind="inactive_6_months", then=models.Value(1)),
                    models.When(kind="inquiry_overdue", then=models.Value(2)),
                    models.When(kind="no_active_editor", then=models.Value(3)),
                    models.When(kind="self_check_no", then=models.Value(4)),
                    models.When(kind="posting_shortfall", then=models.Value(5)),
                    models.When(kind="self_check_overdue", then=models.Value(6)),
                    models.When(kind="mandate_expiring", then=models.Value(7)),
                    default=models.Value(8),
                    output_field=models.IntegerField(),
                ),
                models.OrderBy(models.F("raised_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("status__in", ["open", "acknowledged"])),
                name="flag_queue_order",
            ),
        ),
    ]
