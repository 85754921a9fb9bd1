"""The records exports, retention rules and disposals, moved here from accounts with their tables (db_table) and
data as they were: created in the migration state only, their content types renamed
(falkoping_some/lib/moves.py)."""

import django.db.models.deletion
import django.utils.timezone
import records.models
from django.conf import settings
from django.db import migrations, models

from falkoping_some.lib.moves import rename_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0020_move_models_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RecordsExport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period_from', models.DateField(blank=True, null=True, verbose_name='from')),
                        ('period_until', models.DateField(blank=True, null=True, verbose_name='until')),
                        ('public_copy', models.BooleanField(default=False, help_text='Withhold and mark what needs a secrecy review before it is handed out.', verbose_name='for a public-records request')),
                        ('status', models.CharField(choices=[('pending', 'Waiting to start'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='pending', max_length=20, verbose_name='status')),
                        ('total_steps', models.PositiveIntegerField(default=0, verbose_name='steps')),
                        ('done_steps', models.PositiveIntegerField(default=0, verbose_name='steps done')),
                        ('file', models.FileField(blank=True, max_length=200, storage=records.models.records_storage, upload_to=records.models.export_path, verbose_name='file')),
                        ('size', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='size (bytes)')),
                        ('sha256', models.CharField(blank=True, max_length=64, verbose_name='SHA-256')),
                        ('counts', models.JSONField(blank=True, default=dict, verbose_name='records')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('requested_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                        ('account', models.ForeignKey(blank=True, help_text='Empty: every account.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='records_exports', to='accounts.socialaccount', verbose_name='account')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                    ],
                    options={
                        'verbose_name': 'records export',
                        'verbose_name_plural': 'records exports',
                        'db_table': 'accounts_recordsexport',
                        'ordering': ['-requested_at'],
                    },
                ),
                migrations.CreateModel(
                    name='RetentionRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('decisions', 'Decisions'), ('mandates', 'Mandates'), ('trainings', 'Trainings'), ('weekly_activity', 'Weekly activity'), ('flags', 'Review flags'), ('self_checks', 'Yearly self-checks'), ('moderation_cases', 'Removed content'), ('inquiries', 'Questions'), ('legal_basis', 'Legal-basis records')], max_length=30, unique=True, verbose_name='kind of record')),
                        ('retain_months', models.PositiveIntegerField(blank=True, help_text="Empty: kept permanently. Counted from the record's date.", null=True, verbose_name='kept for (months)')),
                        ('plan_reference', models.CharField(help_text='The plan and the item that allows disposal, e.g. KS dokumenthanteringsplan 2024, 3.2.4.', max_length=200, verbose_name='reference in the document management plan')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                    ],
                    options={
                        'verbose_name': 'retention rule',
                        'verbose_name_plural': 'retention rules',
                        'db_table': 'accounts_retentionrule',
                        'ordering': ['kind'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('retain_months__isnull', True), ('retain_months__gte', 1), _connector='OR'), name='retention_at_least_a_month')],
                    },
                ),
                migrations.CreateModel(
                    name='Disposal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('decisions', 'Decisions'), ('mandates', 'Mandates'), ('trainings', 'Trainings'), ('weekly_activity', 'Weekly activity'), ('flags', 'Review flags'), ('self_checks', 'Yearly self-checks'), ('moderation_cases', 'Removed content'), ('inquiries', 'Questions'), ('legal_basis', 'Legal-basis records')], max_length=30, verbose_name='kind of record')),
                        ('plan_reference', models.CharField(max_length=200, verbose_name='reference in the document management plan')),
                        ('retain_months', models.PositiveIntegerField(verbose_name='kept for (months)')),
                        ('cutoff', models.DateField(verbose_name='records dated before')),
                        ('status', models.CharField(choices=[('proposed', 'Awaiting confirmation'), ('done', 'Disposed'), ('withdrawn', 'Withdrawn')], default='proposed', max_length=20, verbose_name='status')),
                        ('proposed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='proposed')),
                        ('proposed_count', models.PositiveIntegerField(default=0, verbose_name='records due')),
                        ('counts', models.JSONField(blank=True, default=dict, verbose_name='disposed')),
                        ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='disposed')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('confirmed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmed by')),
                        ('export', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='records.recordsexport', verbose_name='export before disposal')),
                        ('rule', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='records.retentionrule', verbose_name='retention rule')),
                    ],
                    options={
                        'verbose_name': 'disposal',
                        'verbose_name_plural': 'disposals',
                        'db_table': 'accounts_disposal',
                        'ordering': ['-proposed_at'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='recordsexport',
                    constraint=models.CheckConstraint(condition=models.Q(('period_from__isnull', True), ('period_until__isnull', True), ('period_from__lte', models.F('period_until')), _connector='OR'), name='export_period_in_order'),
                ),
                migrations.AddConstraint(
                    model_name='disposal',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'proposed')), fields=('kind',), name='disposal_one_proposed_per_kind'),
                ),
                migrations.AddConstraint(
                    model_name='disposal',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'done'), _negated=True), models.Q(('confirmed_at__isnull', False), ('confirmed_by__isnull', False)), _connector='OR'), name='disposal_done_confirmed'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(*rename_content_types("accounts", "records", ['recordsexport', 'retentionrule', 'disposal'])),
    ]
