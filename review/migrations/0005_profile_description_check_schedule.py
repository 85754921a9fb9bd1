"""Schedule the R5 check of the profile's description in beat's database schedule (daily at 06:00,
with the other daily checks), so that a registry description edited to agree with the platform
resolves its flag the next morning; a new profile snapshot is compared at once (review/receivers.py)."""

from django.db import migrations

from falkoping_some.lib.schedules import BeatSchedule, beat_schedules, crontab

SCHEDULES = [
    BeatSchedule(
        "Kontroll: profilens beskrivning (R5)",
        "accounts.tasks.run_scheduled_checks",
        "Flaggar aktiva konton där beskrivningen i plattformens profil (den senaste ögonblicksbilden) inte "
        "stämmer med beskrivningen i registret.",
        crontab=crontab(hour="6"),
        kwargs={"only": ["profile_description"]},
    ),
]

create_schedules, delete_schedules = beat_schedules(*SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0004_profile_description_flag"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
