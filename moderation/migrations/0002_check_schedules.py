"""Schedule moderation's two checks in beat's database schedule (editable by comms in the admin):
questions past their 24-weekday-hour deadline every hour (R20), and criminal content not reported
to the police two days after its removal every morning (R22)."""

import json

from django.db import migrations
from django.utils import timezone

TASK = "accounts.tasks.run_scheduled_checks"
BASE = {"day_of_week": "*", "day_of_month": "*", "month_of_year": "*", "timezone": "Europe/Stockholm"}
HOURLY = {**BASE, "minute": "5", "hour": "*"}
DAILY_6 = {**BASE, "minute": "0", "hour": "6"}
SCHEDULES = [
    ("Kontroll: frågor som inte besvarats i tid (R20)", ["inquiry_overdue"], HOURLY,
     "Flaggar konton med frågor som inte besvarats inom 24 timmar räknat på vardagar."),
    ("Kontroll: brottsligt material som inte polisanmälts (R22)", ["criminal_not_reported"], DAILY_6,
     "Flaggar konton med brottsligt material som tagits bort för mer än två dagar sedan utan polisanmälan."),
]  # fmt: skip


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, only, fields, description in SCHEDULES:
        crontab = CrontabSchedule.objects.filter(**fields).order_by("pk").first()
        if crontab is None:
            crontab = CrontabSchedule.objects.create(**fields)
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={"task": TASK, "crontab": crontab, "kwargs": json.dumps({"only": only}), "description": description},
        )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def delete_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTask.objects.filter(name__in=[schedule[0] for schedule in SCHEDULES]).delete()
    CrontabSchedule.objects.filter(**HOURLY, periodictask__isnull=True).delete()
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("accounts", "0008_alter_reviewflag_kind"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
