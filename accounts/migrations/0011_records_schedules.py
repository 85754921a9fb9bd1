"""Schedule the yearly self-check's two checks every morning (R4, R5, R7, R8, R9) and, on the first
of each month, the disposal check that proposes, for comms to confirm, the disposal of records past
their retention (R25), in beat's database schedule (editable by comms in the admin)."""

from django.db import migrations

from falkoping_some.lib.schedules import BeatSchedule, beat_schedules, crontab

CHECKS = "accounts.tasks.run_scheduled_checks"
DAILY_6 = crontab(hour="6")

SCHEDULES = [
    BeatSchedule(
        "Kontroll: årlig egenkontroll saknas (R4, R5, R7, R8, R9)",
        CHECKS,
        "Flaggar aktiva konton vars senaste egenkontroll är mer än tolv månader gammal.",
        crontab=DAILY_6,
        kwargs={"only": ["self_check_overdue"]},
    ),
    BeatSchedule(
        "Kontroll: egenkontroll med nej-svar",
        CHECKS,
        "Flaggar konton där den senaste egenkontrollen har ett eller flera nej-svar.",
        crontab=DAILY_6,
        kwargs={"only": ["self_check_no"]},
    ),
    BeatSchedule(
        "Gallring: handlingar som passerat sin bevarandetid (R25)",
        "accounts.tasks.propose_disposals",
        "Föreslår gallring av handlingar vars bevarandetid enligt dokumenthanteringsplanen har gått ut. "
        "Ingenting gallras förrän kommunikationsavdelningen bekräftar.",
        crontab=crontab(hour="5", day_of_month="1"),
        kwargs={},
    ),
]

create_schedules, delete_schedules = beat_schedules(*SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_records_retention_selfcheck"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
