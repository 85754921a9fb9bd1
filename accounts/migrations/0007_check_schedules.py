"""Schedule the scheduled checks (accounts.checks, DESIGN.md "Scheduled checks") in beat's database
schedule, where comms sees and can change them in the admin: the daily checks at 06:00, the
posting shortfall (R19) on Monday mornings once the past week is complete, and the digest of new
flags at 07:30, after the morning's checks."""

import json

from django.db import migrations
from django.utils import timezone

TASK = "accounts.tasks.run_scheduled_checks"
DIGEST_TASK = "accounts.tasks.send_flag_digest_task"
CRONTAB_DEFAULTS = {"day_of_week": "*", "day_of_month": "*", "month_of_year": "*", "timezone": "Europe/Stockholm"}
DAILY_6 = {**CRONTAB_DEFAULTS, "minute": "0", "hour": "6"}
MONDAY_6_30 = {**CRONTAB_DEFAULTS, "minute": "30", "hour": "6", "day_of_week": "1"}
DAILY_7_30 = {**CRONTAB_DEFAULTS, "minute": "30", "hour": "7"}
# name, task, check names (None: the digest), crontab, description
SCHEDULES = [
    (
        "Kontroll: inaktiva konton (R6, R15)",
        TASK,
        ["inactive"],
        DAILY_6,
        "Flaggar aktiva konton utan inlägg på mer än sex månader (räknat från aktiveringen om kontot aldrig "
        "har publicerat).",
    ),
    (
        "Kontroll: färre än ett inlägg i veckan (R19)",
        TASK,
        ["shortfall"],
        MONDAY_6_30,
        "Flaggar aktiva konton som i snitt har publicerat färre än ett inlägg i veckan under de senaste hela veckorna.",
    ),
    (
        "Kontroll: konton utan redaktör",
        TASK,
        ["no_editor"],
        DAILY_6,
        "Flaggar aktiva konton där ingen har ett gällande uppdrag som redaktör (R10).",
    ),
    (
        "Kontroll: uppdrag som snart upphör",
        TASK,
        ["mandate_expiring"],
        DAILY_6,
        "Flaggar aktiva konton med ett uppdrag som upphör inom 14 dagar (R10).",
    ),
    (
        "Daglig sammanfattning av flaggor",
        DIGEST_TASK,
        None,
        DAILY_7_30,
        "Skickar ett e-postmeddelande om dagen till redaktörer och chefer om nya flaggor på deras konton.",
    ),
]
CRONTABS = [DAILY_6, MONDAY_6_30, DAILY_7_30]


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, only, fields, description in SCHEDULES:
        # CrontabSchedule is not unique on its fields, so no get_or_create for it.
        crontab = CrontabSchedule.objects.filter(**fields).order_by("pk").first()
        if crontab is None:
            crontab = CrontabSchedule.objects.create(**fields)
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": task,
                "crontab": crontab,
                "kwargs": json.dumps({"only": only}) if only else "{}",
                "description": description,
            },
        )
    # Historical models send no signals: tell a running beat that its schedule changed.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def delete_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTask.objects.filter(name__in=[schedule[0] for schedule in SCHEDULES]).delete()
    # Deleting a schedule deletes the tasks on it: only an unused one goes.
    for fields in CRONTABS:
        CrontabSchedule.objects.filter(**fields, periodictask__isnull=True).delete()
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_activityimport"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(create_schedules, delete_schedules),
    ]
