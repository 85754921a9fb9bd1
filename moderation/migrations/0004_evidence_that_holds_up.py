"""Evidence that holds up (R22): when a screenshot was taken, beside when it was uploaded; a
colleague's attestation that it is unaltered; and the categories that describe crimes criminal
unless a reason says otherwise."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

CRIMINAL_CATEGORIES = ["calls_to_crime", "copyright", "defamation", "incitement", "violence_pornography"]
# Shown on the case as its reason (in the portal's language): nobody was asked when it was opened.
EARLIER_CASE_REASON = "Ärendet registrerades som inte brottsligt innan portalen frågade efter ett skäl."


def give_earlier_cases_a_reason(apps, schema_editor):
    """Cases opened before this change in a crime category and not marked criminal: the new
    constraint needs a reason, and saying that none was asked for is the truth."""
    ModerationCase = apps.get_model("moderation", "ModerationCase")
    ModerationCase.objects.filter(category__in=CRIMINAL_CATEGORIES, is_criminal=False, not_criminal_reason="").update(
        not_criminal_reason=EARLIER_CASE_REASON
    )


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0003_unanswered_inquiry_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="evidence",
            name="taken_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="taken"),
        ),
        migrations.AddConstraint(
            model_name="evidence",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("taken_at__isnull", True), ("taken_at__lte", models.F("uploaded_at")), _connector="OR"
                ),
                name="evidence_taken_before_uploaded",
            ),
        ),
        migrations.AddField(
            model_name="moderationcase",
            name="not_criminal_reason",
            field=models.TextField(
                blank=True,
                help_text="R22: required when a category that describes a crime is not reported to the police.",
                verbose_name="why it is not criminal",
            ),
        ),
        migrations.RunPython(give_earlier_cases_a_reason, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="moderationcase",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("is_criminal", True),
                    models.Q(("category__in", CRIMINAL_CATEGORIES), _negated=True),
                    models.Q(("not_criminal_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="case_crime_category_criminal_or_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="moderationcase",
            constraint=models.CheckConstraint(
                condition=models.Q(("is_criminal", False), ("not_criminal_reason", ""), _connector="OR"),
                name="case_not_criminal_reason_only_when_not_criminal",
            ),
        ),
        migrations.CreateModel(
            name="EvidenceAttestation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("attested_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="attested")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                (
                    "attested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="attested by",
                    ),
                ),
                (
                    "evidence",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attestations",
                        to="moderation.evidence",
                        verbose_name="evidence",
                    ),
                ),
            ],
            options={
                "verbose_name": "attestation of evidence",
                "verbose_name_plural": "attestations of evidence",
                "ordering": ["attested_at", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("evidence", "attested_by"), name="evidence_attested_once_per_person"
                    )
                ],
            },
        ),
    ]
