"""Schedule the connection checks (R3) in beat's database schedule, where comms can change them in the
admin: every hour, so that a token ending within 14 days, or a connection stopped outside the sync,
is flagged and told to comms the same hour (a stop in the sync is flagged at once: review/receivers.py)."""

from django.db import migrations

from falkoping_some.lib.schedules import BeatSchedule, beat_schedules, crontab

SCHEDULES = [
    BeatSchedule(
        "Kontroll: anslutningar till plattformarna (R3)",
        "review.tasks.run_connection_checks",
        "Flaggar konton vars anslutning till plattformen har stoppats eller vars token går ut inom 14 dagar, "
        "och meddelar kommunikationsavdelningen.",
        crontab=crontab(minute="20"),
        expire_seconds=55 * 60,
    ),
]

create_schedules, delete_schedules = beat_schedules(*SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0002_connection_flags"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
