"""Schedule the worker's heartbeat (falkoping_some.tasks) every five minutes in beat's database
schedule, where comms can see it in the admin beside the routine's checks."""

from django.db import migrations
from django.utils import timezone

TASK_NAME = "Bakgrundsjobbens hjärtslag"
TASK = "falkoping_some.tasks.record_worker_heartbeat"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    # (every, period) is not unique in django-celery-beat, so no get_or_create here.
    interval = IntervalSchedule.objects.filter(every=5, period="minutes").order_by("pk").first()
    if interval is None:
        interval = IntervalSchedule.objects.create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": TASK,
            "interval": interval,
            # A beat that was missed while the worker was down is not worth running later.
            "expire_seconds": 5 * 60,
            "description": "Visar att Celery-arbetaren och schemat lever; läses av /halsa.",
        },
    )
    # Historical models send no signals: tell a running beat that its schedule changed.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def delete_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()
    # Deleting an interval deletes the tasks on it: only an unused one goes.
    IntervalSchedule.objects.filter(every=5, period="minutes", periodictask__isnull=True).delete()
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(create_schedule, delete_schedule),
    ]
