"""Weekly activity and its imports, moved here from accounts with their tables (db_table) and
data as they were: created in the migration state only, their content types renamed
(falkoping_some/lib/moves.py)."""

import django.db.models.deletion
import django.utils.timezone
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
                    name='ActivityImport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file_name', models.CharField(max_length=255, verbose_name='file name')),
                        ('content', models.TextField(help_text='The uploaded file, decoded as text.', verbose_name='content')),
                        ('dry_run', models.BooleanField(default=False, verbose_name='check only')),
                        ('status', models.CharField(choices=[('pending', 'Waiting to start'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='pending', max_length=20, verbose_name='status')),
                        ('total_rows', models.PositiveIntegerField(default=0, verbose_name='rows')),
                        ('processed_rows', models.PositiveIntegerField(default=0, verbose_name='rows checked')),
                        ('created_rows', models.PositiveIntegerField(default=0, verbose_name='weeks added')),
                        ('updated_rows', models.PositiveIntegerField(default=0, verbose_name='weeks updated')),
                        ('errors', models.JSONField(blank=True, default=list, verbose_name='errors')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='uploaded')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
                    ],
                    options={
                        'verbose_name': 'activity import',
                        'verbose_name_plural': 'activity imports',
                        'db_table': 'accounts_activityimport',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='WeeklyActivity',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('week', models.DateField(help_text='The Monday of the ISO week.', verbose_name='week')),
                        ('posts', models.PositiveIntegerField(verbose_name='posts published')),
                        ('note', models.CharField(blank=True, max_length=500, verbose_name='note')),
                        ('logged_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='logged')),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='weekly_activity', to='accounts.socialaccount', verbose_name='account')),
                        ('logged_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='logged by')),
                    ],
                    options={
                        'verbose_name': 'weekly activity',
                        'verbose_name_plural': 'weekly activity',
                        'db_table': 'accounts_weeklyactivity',
                        'ordering': ['-week'],
                        'constraints': [models.UniqueConstraint(fields=('account', 'week'), name='activity_one_per_account_and_week'), models.CheckConstraint(condition=models.Q(('posts__lte', 500)), name='activity_posts_plausible')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(*rename_content_types("accounts", "activity", ['activityimport', 'weeklyactivity'])),
    ]
