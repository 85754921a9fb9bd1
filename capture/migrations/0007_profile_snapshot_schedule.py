"""Schedule the profile snapshots (R4, R5, R9) in beat's database schedule, where comms can change
when they run in the admin: twice a year, on 1 January and 1 July at 04:00 (capture/tasks.py)."""

from django.db import migrations

from falkoping_some.lib.schedules import BeatSchedule, beat_schedules, crontab

SCHEDULES = [
    BeatSchedule(
        "Ögonblicksbild av profilerna (R4, R5, R9)",
        "capture.tasks.snapshot_all_profiles",
        "Sparar varje anslutet kontos profil som plattformen visar den: namn, beskrivning, profilbildens "
        "kontrollsumma, antal följare och, där plattformen visar det, vilka konton det följer. Beskrivningen "
        "jämförs med registrets (R5). En uppgift per anslutning.",
        crontab=crontab(minute="0", hour="4", day_of_month="1", month_of_year="1,7"),
        expire_seconds=7 * 24 * 60 * 60,
    ),
]

create_schedules, delete_schedules = beat_schedules(*SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("capture", "0006_profile_snapshot"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
