"""Schedule the sweep that queues again the records exports and activity imports whose task never
reached the worker, for instance because Redis was down when they were asked for. Every ten
minutes, beside the outbox's sweep, and editable by comms in the admin."""

from django.db import migrations

from falkoping_some.lib.schedules import BeatSchedule, beat_schedules

SCHEDULE = BeatSchedule(
    "Starta väntande exporter och importer",
    "accounts.tasks.requeue_waiting_jobs",
    "Lägger tillbaka exporter av handlingar och importer av aktivitet i kön när de har "
    "väntat i mer än fem minuter utan att starta, till exempel för att Redis var nere när de beställdes.",
    every_minutes=10,
    expire_seconds=10 * 60,
)

create_schedule, delete_schedule = beat_schedules(SCHEDULE)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_signinpolicy"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
