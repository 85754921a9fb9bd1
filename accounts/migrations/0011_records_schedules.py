"""Schedule issue 7's checks in beat's database schedule (editable by comms in the admin): the
yearly self-check's two checks every morning (R4, R5, R7, R8, R9), and on the first of each month
the disposal check that proposes, for comms to confirm, the disposal of records past their
retention (R25)."""

import json

from django.db import migrations
from django.utils import timezone

CHECK_TASK = "accounts.tasks.run_scheduled_checks"
DISPOSAL_TASK = "accounts.tasks.propose_disposals"
BASE = {"day_of_week": "*", "day_of_month": "*", "month_of_year": "*", "timezone": "Europe/Stockholm"}
DAILY_6 = {**BASE, "minute": "0", "hour": "6"}
MONTHLY_1ST_5 = {**BASE, "minute": "0", "hour": "5", "day_of_month": "1"}
# name, task, kwargs, crontab, description
SCHEDULES = [
    ("Kontroll: årlig egenkontroll saknas (R4, R5, R7, R8, R9)", CHECK_TASK, {"only": ["self_check_overdue"]}, DAILY_6,
     "Flaggar aktiva konton vars senaste egenkontroll är mer än tolv månader gammal."),
    ("Kontroll: egenkontroll med nej-svar", CHECK_TASK, {"only": ["self_check_no"]}, DAILY_6,
     "Flaggar konton där den senaste egenkontrollen har ett eller flera nej-svar."),
    ("Gallring: handlingar som passerat sin bevarandetid (R25)", DISPOSAL_TASK, {}, MONTHLY_1ST_5,
     "Föreslår gallring av handlingar vars bevarandetid enligt dokumenthanteringsplanen har gått ut. "
     "Ingenting gallras förrän kommunikationsavdelningen bekräftar."),
]  # fmt: skip


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, kwargs, fields, description in SCHEDULES:
        crontab = CrontabSchedule.objects.filter(**fields).order_by("pk").first()
        if crontab is None:
            crontab = CrontabSchedule.objects.create(**fields)
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={"task": task, "crontab": crontab, "kwargs": json.dumps(kwargs), "description": description},
        )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def delete_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTask.objects.filter(name__in=[schedule[0] for schedule in SCHEDULES]).delete()
    CrontabSchedule.objects.filter(**MONTHLY_1ST_5, periodictask__isnull=True).delete()
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_records_retention_selfcheck"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
