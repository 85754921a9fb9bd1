"""R3: captured posts, comments and messages are a kind of record with its retention rule (R25)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='disposal',
            name='kind',
            field=models.CharField(choices=[('decisions', 'Decisions'), ('mandates', 'Mandates'), ('trainings', 'Trainings'), ('weekly_activity', 'Weekly activity'), ('flags', 'Review flags'), ('self_checks', 'Yearly self-checks'), ('moderation_cases', 'Removed content'), ('inquiries', 'Questions'), ('legal_basis', 'Legal-basis records'), ('captured_items', 'Captured posts, comments and messages')], max_length=30, verbose_name='kind of record'),
        ),
        migrations.AlterField(
            model_name='retentionrule',
            name='kind',
            field=models.CharField(choices=[('decisions', 'Decisions'), ('mandates', 'Mandates'), ('trainings', 'Trainings'), ('weekly_activity', 'Weekly activity'), ('flags', 'Review flags'), ('self_checks', 'Yearly self-checks'), ('moderation_cases', 'Removed content'), ('inquiries', 'Questions'), ('legal_basis', 'Legal-basis records'), ('captured_items', 'Captured posts, comments and messages')], max_length=30, unique=True, verbose_name='kind of record'),
        ),
    ]
