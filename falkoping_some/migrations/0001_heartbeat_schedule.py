"""Schedule the worker's heartbeat (falkoping_some.tasks) every five minutes in beat's database
schedule, where comms can see it in the admin beside the routine's checks."""

from django.db import migrations

from falkoping_some.lib.schedules import BeatSchedule, beat_schedules

SCHEDULE = BeatSchedule(
    "Bakgrundsjobbens hjärtslag",
    "falkoping_some.tasks.record_worker_heartbeat",
    "Visar att Celery-arbetaren och schemat lever; läses av /halsa.",
    every_minutes=5,
    # A beat that was missed while the worker was down is not worth running later.
    expire_seconds=5 * 60,
)

create_schedule, delete_schedule = beat_schedules(SCHEDULE)


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
