"""Schedule moderation's two checks in beat's database schedule (editable by comms in the admin):
questions past their 24-weekday-hour deadline every hour (R20), and criminal content not reported
to the police two days after its removal every morning (R22)."""

from django.db import migrations

from falkoping_some.lib.schedules import BeatSchedule, beat_schedules, crontab

CHECKS = "accounts.tasks.run_scheduled_checks"

SCHEDULES = [
    BeatSchedule(
        "Kontroll: frågor som inte besvarats i tid (R20)",
        CHECKS,
        "Flaggar konton med frågor som inte besvarats inom 24 timmar räknat på vardagar.",
        crontab=crontab(minute="5"),
        kwargs={"only": ["inquiry_overdue"]},
    ),
    BeatSchedule(
        "Kontroll: brottsligt material som inte polisanmälts (R22)",
        CHECKS,
        "Flaggar konton med brottsligt material som tagits bort för mer än två dagar sedan utan polisanmälan.",
        crontab=crontab(hour="6"),
        kwargs={"only": ["criminal_not_reported"]},
    ),
]

create_schedules, delete_schedules = beat_schedules(*SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("accounts", "0008_alter_reviewflag_kind"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
