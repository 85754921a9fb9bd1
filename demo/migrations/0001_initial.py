"""The dataset marker, moved here from accounts with its table (db_table) and
data as they were: created in the migration state only, its content type renamed
(falkoping_some/lib/moves.py)."""

import django.utils.timezone
from django.db import migrations, models

from falkoping_some.lib.moves import rename_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0020_move_models_out'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DatasetMarker',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('demo', 'Demo data'), ('bench', 'Benchmark data')], max_length=10, unique=True, verbose_name='kind')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('parameters', models.JSONField(blank=True, default=dict, verbose_name='parameters')),
                    ],
                    options={
                        'verbose_name': 'dataset marker',
                        'verbose_name_plural': 'dataset markers',
                        'db_table': 'accounts_datasetmarker',
                        'ordering': ['created_at'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(*rename_content_types("accounts", "demo", ['datasetmarker'])),
    ]
