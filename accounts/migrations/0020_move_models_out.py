"""Weekly activity, the review flags and check runs, the yearly self-check, public records and the
dataset marker moved to apps of their own (activity, review, records, demo): deleted from this app's
migration state only. Their tables keep their names and rows (falkoping_some/lib/moves.py); the new
apps' 0001 migrations take them into their state and rename their content types."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0019_account_text_no_bidi"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="activityimport",
                    name="created_by",
                ),
                migrations.DeleteModel(
                    name="CheckRun",
                ),
                migrations.DeleteModel(
                    name="DatasetMarker",
                ),
                migrations.RemoveField(
                    model_name="disposal",
                    name="confirmed_by",
                ),
                migrations.RemoveField(
                    model_name="disposal",
                    name="export",
                ),
                migrations.RemoveField(
                    model_name="disposal",
                    name="rule",
                ),
                migrations.RemoveField(
                    model_name="recordsexport",
                    name="account",
                ),
                migrations.RemoveField(
                    model_name="recordsexport",
                    name="requested_by",
                ),
                migrations.RemoveField(
                    model_name="reviewflag",
                    name="account",
                ),
                migrations.RemoveField(
                    model_name="reviewflag",
                    name="decided_by",
                ),
                migrations.RemoveField(
                    model_name="selfcheck",
                    name="account",
                ),
                migrations.RemoveField(
                    model_name="selfcheck",
                    name="answered_by",
                ),
                migrations.RemoveField(
                    model_name="weeklyactivity",
                    name="account",
                ),
                migrations.RemoveField(
                    model_name="weeklyactivity",
                    name="logged_by",
                ),
                migrations.DeleteModel(
                    name="ActivityImport",
                ),
                migrations.DeleteModel(
                    name="Disposal",
                ),
                migrations.DeleteModel(
                    name="RetentionRule",
                ),
                migrations.DeleteModel(
                    name="RecordsExport",
                ),
                migrations.DeleteModel(
                    name="ReviewFlag",
                ),
                migrations.DeleteModel(
                    name="SelfCheck",
                ),
                migrations.DeleteModel(
                    name="WeeklyActivity",
                ),
            ],
            database_operations=[],
        ),
    ]
