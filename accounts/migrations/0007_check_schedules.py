"""Schedule the scheduled checks (DESIGN.md "Scheduled checks") in beat's database schedule, where
comms sees and can change them in the admin: the daily checks at 06:00, the posting shortfall (R19)
on Monday mornings once the past week is complete, and the digest of new flags at 07:30, after the
morning's checks."""

from django.db import migrations

from falkoping_some.lib.schedules import BeatSchedule, beat_schedules, crontab

CHECKS = "accounts.tasks.run_scheduled_checks"
DAILY_6 = crontab(hour="6")

SCHEDULES = [
    BeatSchedule(
        "Kontroll: inaktiva konton (R6, R15)",
        CHECKS,
        "Flaggar aktiva konton utan inlägg på mer än sex månader (räknat från aktiveringen om kontot aldrig "
        "har publicerat).",
        crontab=DAILY_6,
        kwargs={"only": ["inactive"]},
    ),
    BeatSchedule(
        "Kontroll: färre än ett inlägg i veckan (R19)",
        CHECKS,
        "Flaggar aktiva konton som i snitt har publicerat färre än ett inlägg i veckan under de senaste hela veckorna.",
        crontab=crontab(minute="30", hour="6", day_of_week="1"),
        kwargs={"only": ["shortfall"]},
    ),
    BeatSchedule(
        "Kontroll: konton utan redaktör",
        CHECKS,
        "Flaggar aktiva konton där ingen har ett gällande uppdrag som redaktör (R10).",
        crontab=DAILY_6,
        kwargs={"only": ["no_editor"]},
    ),
    BeatSchedule(
        "Kontroll: uppdrag som snart upphör",
        CHECKS,
        "Flaggar aktiva konton med ett uppdrag som upphör inom 14 dagar (R10).",
        crontab=DAILY_6,
        kwargs={"only": ["mandate_expiring"]},
    ),
    BeatSchedule(
        "Daglig sammanfattning av flaggor",
        "accounts.tasks.send_flag_digest_task",
        "Skickar ett e-postmeddelande om dagen till redaktörer och chefer om nya flaggor på deras konton.",
        crontab=crontab(minute="30", hour="7"),
    ),
]

create_schedules, delete_schedules = beat_schedules(*SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_activityimport"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
