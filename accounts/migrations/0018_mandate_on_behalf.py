import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """R10: a mandate names the manager on whose behalf comms registered it; R11: the request and
    the two approvals are three different people's."""

    dependencies = [("accounts", "0017_flag_dismissal_review")]

    operations = [
        migrations.AddField(
            model_name="mandate",
            name="on_behalf_of",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "R10: the editor's manager, when the communications department registered the mandate for them."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="given on behalf of manager",
            ),
        ),
        migrations.AddConstraint(
            model_name="mandate",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("on_behalf_of__isnull", True),
                    models.Q(
                        models.Q(("on_behalf_of", models.F("user")), _negated=True),
                        models.Q(("on_behalf_of", models.F("granted_by")), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="mandate_not_given_by_oneself",
                violation_error_message="Nobody can grant a mandate to themselves.",
            ),
        ),
        migrations.AddConstraint(
            model_name="accountdecision",
            constraint=models.UniqueConstraint(
                condition=models.Q(("step__in", ["request", "manager", "comms"])),
                fields=("account", "actor"),
                name="decision_r11_different_people",
                violation_error_message="One person cannot take two of the steps of a request (R11).",
            ),
        ),
    ]
