"""Beat schedules created by data migrations, in django-celery-beat's database schedule, where comms
sees them in the admin and can change them.

    migrations.RunPython(*beat_schedules(BeatSchedule(...), ...))

creates each named task once (a later change made in the admin is kept: get_or_create by name) and,
going backwards, deletes them and any crontab or interval that no task uses any more. Historical
models send no signals, so both directions tell a running beat that its schedule changed.
"""

import json
from typing import NamedTuple

from django.utils import timezone

STOCKHOLM = "Europe/Stockholm"


def crontab(minute="0", hour="*", day_of_week="*", day_of_month="*", month_of_year="*") -> dict:
    """The fields of a CrontabSchedule in Swedish time."""
    return {
        "minute": minute,
        "hour": hour,
        "day_of_week": day_of_week,
        "day_of_month": day_of_month,
        "month_of_year": month_of_year,
        "timezone": STOCKHOLM,
    }


class BeatSchedule(NamedTuple):
    name: str  # what comms reads in the admin (Swedish)
    task: str  # the Celery task's registered name
    description: str
    crontab: dict | None = None  # crontab(...), or
    every_minutes: int | None = None  # an interval
    kwargs: dict | None = None
    # A run missed for longer than this is not worth running late (the next does the same work).
    expire_seconds: int | None = None


def _models(apps):
    get = lambda name: apps.get_model("django_celery_beat", name)  # noqa: E731
    return get("CrontabSchedule"), get("IntervalSchedule"), get("PeriodicTask"), get("PeriodicTasks")


def _interval_fields(schedule: BeatSchedule) -> dict:
    return {"every": schedule.every_minutes, "period": "minutes"}


def beat_schedules(*schedules: BeatSchedule):
    """The (forwards, backwards) pair for migrations.RunPython."""

    def create(apps, schema_editor):
        CrontabSchedule, IntervalSchedule, PeriodicTask, PeriodicTasks = _models(apps)
        for schedule in schedules:
            defaults = {"task": schedule.task, "description": schedule.description}
            # Neither schedule model is unique on its fields, so no get_or_create for them.
            if schedule.crontab is not None:
                when = CrontabSchedule.objects.filter(**schedule.crontab).order_by("pk").first()
                defaults["crontab"] = when or CrontabSchedule.objects.create(**schedule.crontab)
            else:
                fields = _interval_fields(schedule)
                when = IntervalSchedule.objects.filter(**fields).order_by("pk").first()
                defaults["interval"] = when or IntervalSchedule.objects.create(**fields)
            if schedule.kwargs is not None:
                defaults["kwargs"] = json.dumps(schedule.kwargs)
            if schedule.expire_seconds is not None:
                defaults["expire_seconds"] = schedule.expire_seconds
            PeriodicTask.objects.get_or_create(name=schedule.name, defaults=defaults)
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})

    def delete(apps, schema_editor):
        CrontabSchedule, IntervalSchedule, PeriodicTask, PeriodicTasks = _models(apps)
        PeriodicTask.objects.filter(name__in=[schedule.name for schedule in schedules]).delete()
        # Deleting a schedule deletes the tasks on it: only an unused one goes.
        for schedule in schedules:
            if schedule.crontab is not None:
                CrontabSchedule.objects.filter(**schedule.crontab, periodictask__isnull=True).delete()
            else:
                IntervalSchedule.objects.filter(**_interval_fields(schedule), periodictask__isnull=True).delete()
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})

    return create, delete
