"""A dismissal holds until its condition is gone or its review date comes (DESIGN.md, ReviewFlag):
the review date comms chooses, and when the dismissal lapsed.

Dismissals made before this held only until the next run, which raised the flag again: they are
recorded as lapsed when they were made, with that day as their review date."""

from django.db import migrations, models
from django.db.models.functions import Coalesce, TruncDate


def lapse_earlier_dismissals(apps, schema_editor):
    ReviewFlag = apps.get_model("accounts", "ReviewFlag")
    when = Coalesce(models.F("closed_at"), models.F("raised_at"))
    ReviewFlag.objects.filter(status="dismissed").update(
        review_on=TruncDate(when, output_field=models.DateField()), lapsed_at=when
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0016_open_flags_by_kind")]

    operations = [
        migrations.AddField(
            model_name="reviewflag",
            name="review_on",
            field=models.DateField(
                blank=True,
                help_text="A dismissed flag is raised again from this day if its condition is still there.",
                null=True,
                verbose_name="review date",
            ),
        ),
        migrations.AddField(
            model_name="reviewflag",
            name="lapsed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the dismissal stopped holding: its condition was gone, or its review date came.",
                null=True,
                verbose_name="dismissal lapsed",
            ),
        ),
        migrations.RunPython(lapse_earlier_dismissals, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="reviewflag",
            constraint=models.CheckConstraint(
                condition=models.Q(status="dismissed", review_on__isnull=False)
                | models.Q(~models.Q(status="dismissed"), review_on__isnull=True, lapsed_at__isnull=True),
                name="flag_dismissed_with_review_date",
            ),
        ),
        migrations.AddConstraint(
            model_name="reviewflag",
            constraint=models.UniqueConstraint(
                condition=models.Q(status="dismissed", lapsed_at__isnull=True),
                fields=("kind", "account"),
                name="flag_one_standing_dismissal_per_account_and_kind",
            ),
        ),
    ]
