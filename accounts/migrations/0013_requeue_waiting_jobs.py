"""Schedule the sweep that queues again the records exports and activity imports whose task never
reached the worker, for instance because Redis was down when they were asked for (issue 8). Every
ten minutes, beside the outbox's sweep, and editable by comms in the admin."""

from django.db import migrations
from django.utils import timezone

NAME = "Starta väntande exporter och importer"
TASK = "accounts.tasks.requeue_waiting_jobs"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    interval = IntervalSchedule.objects.filter(every=10, period="minutes").order_by("pk").first()
    if interval is None:
        interval = IntervalSchedule.objects.create(every=10, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "interval": interval,
            # The next sweep does the same work: a missed one is not worth running later.
            "expire_seconds": 10 * 60,
            "description": "Lägger tillbaka exporter av handlingar och importer av aktivitet i kön när de har "
            "väntat i mer än fem minuter utan att starta, till exempel för att Redis var nere när de beställdes.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def delete_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTask.objects.filter(name=NAME).delete()
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_signinpolicy"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
