"""Schedule the capture in beat's database schedule, where comms can change how often it runs in
the admin: every hour by default (capture/tasks.py)."""

from django.db import migrations

from falkoping_some.lib.schedules import BeatSchedule, beat_schedules

SCHEDULES = [
    BeatSchedule(
        "Hämta från plattformarna (R3)",
        "capture.tasks.sync_all_connections",
        "Hämtar nya inlägg, kommentarer och meddelanden från de anslutna kontona och läser om de senaste "
        "30 dagarna för att se ändringar och borttagningar. En uppgift per anslutning, som alla arbetare delar på.",
        every_minutes=60,
        expire_seconds=55 * 60,
    ),
]

create_schedules, delete_schedules = beat_schedules(*SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("capture", "0001_connections_and_items"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
