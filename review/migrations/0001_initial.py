"""The review flags, the check runs and the yearly self-checks, moved here from accounts with their tables (db_table) and
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
                    name='CheckRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('check_name', models.CharField(db_index=True, max_length=40, verbose_name='check')),
                        ('started_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='started')),
                        ('duration_ms', models.PositiveIntegerField(default=0, verbose_name='duration (ms)')),
                        ('found', models.PositiveIntegerField(default=0, verbose_name='accounts found')),
                        ('raised', models.PositiveIntegerField(default=0, verbose_name='flags raised')),
                        ('resolved', models.PositiveIntegerField(default=0, verbose_name='flags resolved')),
                        ('dry_run', models.BooleanField(default=False, verbose_name='dry run')),
                    ],
                    options={
                        'verbose_name': 'check run',
                        'verbose_name_plural': 'check runs',
                        'db_table': 'accounts_checkrun',
                        'ordering': ['-started_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ReviewFlag',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('inactive_6_months', 'Inactive for more than six months'), ('posting_shortfall', 'Fewer than one post a week'), ('no_active_editor', 'No editor with a mandate'), ('mandate_expiring', 'Mandate ending soon'), ('criminal_not_reported', 'Criminal content not reported to the police'), ('inquiry_overdue', 'Question not answered in time'), ('self_check_overdue', 'Yearly self-check overdue'), ('self_check_no', 'Self-check answered no')], max_length=30, verbose_name='kind')),
                        ('status', models.CharField(choices=[('open', 'Open'), ('acknowledged', 'Acknowledged'), ('resolved', 'Resolved'), ('dismissed', 'Dismissed')], default='open', max_length=20, verbose_name='status')),
                        ('evidence', models.JSONField(blank=True, default=dict, verbose_name='evidence')),
                        ('raised_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='raised')),
                        ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='acknowledged')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed')),
                        ('reason', models.TextField(blank=True, verbose_name='reason')),
                        ('review_on', models.DateField(blank=True, help_text='A dismissed flag is raised again from this day if its condition is still there.', null=True, verbose_name='review date')),
                        ('lapsed_at', models.DateTimeField(blank=True, help_text='When the dismissal stopped holding: its condition was gone, or its review date came.', null=True, verbose_name='dismissal lapsed')),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='flags', to='accounts.socialaccount', verbose_name='account')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                    ],
                    options={
                        'verbose_name': 'review flag',
                        'verbose_name_plural': 'review flags',
                        'db_table': 'accounts_reviewflag',
                        'ordering': ['-raised_at'],
                        'indexes': [models.Index(models.Case(models.When(kind='criminal_not_reported', then=models.Value(0)), models.When(kind='inactive_6_months', then=models.Value(1)), models.When(kind='inquiry_overdue', then=models.Value(2)), models.When(kind='no_active_editor', then=models.Value(3)), models.When(kind='self_check_no', then=models.Value(4)), models.When(kind='posting_shortfall', then=models.Value(5)), models.When(kind='self_check_overdue', then=models.Value(6)), models.When(kind='mandate_expiring', then=models.Value(7)), default=models.Value(8), output_field=models.IntegerField()), models.OrderBy(models.F('raised_at'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('status__in', ['open', 'acknowledged'])), name='flag_queue_order')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status__in', ['open', 'acknowledged'])), fields=('kind', 'account'), name='flag_one_open_per_account_and_kind'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'dismissed'), _negated=True), models.Q(('reason', ''), _negated=True), _connector='OR'), name='flag_dismissed_with_reason'), models.CheckConstraint(condition=models.Q(models.Q(('review_on__isnull', False), ('status', 'dismissed')), models.Q(models.Q(('status', 'dismissed'), _negated=True), ('lapsed_at__isnull', True), ('review_on__isnull', True)), _connector='OR'), name='flag_dismissed_with_review_date'), models.UniqueConstraint(condition=models.Q(('lapsed_at__isnull', True), ('status', 'dismissed')), fields=('kind', 'account'), name='flag_one_standing_dismissal_per_account_and_kind')],
                    },
                ),
                migrations.CreateModel(
                    name='SelfCheck',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sender_clear', models.BooleanField(verbose_name='The municipality is clearly the sender, and the graphic profile (or the approved special one) is used.')),
                        ('profile_description', models.BooleanField(verbose_name="The account's profile has a description of the service.")),
                        ('no_political_stance', models.BooleanField(verbose_name='The posts contain no political stances or debate (political decisions may be described).')),
                        ('no_dialogue_elsewhere', models.BooleanField(verbose_name="The account takes no part in dialogue on other parties' accounts.")),
                        ('follows_relevant_only', models.BooleanField(verbose_name='The account follows only relevant accounts of its own field, and no private persons.')),
                        ('comment', models.TextField(blank=True, verbose_name='comment')),
                        ('answered_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='answered')),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='self_checks', to='accounts.socialaccount', verbose_name='account')),
                        ('answered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='answered by')),
                    ],
                    options={
                        'verbose_name': 'yearly self-check',
                        'verbose_name_plural': 'yearly self-checks',
                        'db_table': 'accounts_selfcheck',
                        'ordering': ['-answered_at'],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('follows_relevant_only', True), ('no_dialogue_elsewhere', True), ('no_political_stance', True), ('profile_description', True), ('sender_clear', True)), models.Q(('comment', ''), _negated=True), _connector='OR'), name='selfcheck_no_needs_comment')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(*rename_content_types("accounts", "review", ['checkrun', 'reviewflag', 'selfcheck'])),
    ]
