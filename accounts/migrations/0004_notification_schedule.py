"""Schedule the notices' background work (accounts.tasks) in beat's database schedule, where comms
can see it in the admin beside the heartbeat: the outbox's sweep every ten minutes, and the
reminder to managers about mandates that end soon (R10) every morning."""

from django.db import migrations
from django.utils import timezone

SWEEP_NAME = "Skicka väntande e-postaviseringar"
SWEEP_TASK = "accounts.tasks.send_pending_notifications"
EXPIRING_NAME = "Påminnelse om uppdrag som snart upphör"
EXPIRING_TASK = "accounts.tasks.notify_expiring_mandates"
MORNING = {
    "minute": "0",
    "hour": "7",
    "day_of_week": "*",
    "day_of_month": "*",
    "month_of_year": "*",
    "timezone": "Europe/Stockholm",
}


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    # Neither schedule model is unique on its fields, so no get_or_create for them.
    interval = IntervalSchedule.objects.filter(every=10, period="minutes").order_by("pk").first()
    if interval is None:
        interval = IntervalSchedule.objects.create(every=10, period="minutes")
    crontab = CrontabSchedule.objects.filter(**MORNING).order_by("pk").first()
    if crontab is None:
        crontab = CrontabSchedule.objects.create(**MORNING)
    PeriodicTask.objects.get_or_create(
        name=SWEEP_NAME,
        defaults={
            "task": SWEEP_TASK,
            "interval": interval,
            # The next sweep does the same work: a missed one is not worth running later.
            "expire_seconds": 10 * 60,
            "description": "Skickar e-postaviseringar som inte kunde skickas direkt, till exempel när "
            "e-postservern var nere.",
        },
    )
    PeriodicTask.objects.get_or_create(
        name=EXPIRING_NAME,
        defaults={
            "task": EXPIRING_TASK,
            "crontab": crontab,
            "description": "Berättar för chefen att ett uppdrag som redaktör snart upphör (R10), en gång per uppdrag.",
        },
    )
    # Historical models send no signals: tell a running beat that its schedule changed.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def delete_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTask.objects.filter(name__in=[SWEEP_NAME, EXPIRING_NAME]).delete()
    # Deleting a schedule deletes the tasks on it: only an unused one goes.
    IntervalSchedule.objects.filter(every=10, period="minutes", periodictask__isnull=True).delete()
    CrontabSchedule.objects.filter(**MORNING, periodictask__isnull=True).delete()
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_lifecycle_training_notifications"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(create_schedules, delete_schedules),
    ]
