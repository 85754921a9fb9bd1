"""Schedule the notices' background work (accounts.tasks) in beat's database schedule, where comms
can see it in the admin beside the heartbeat: the outbox's sweep every ten minutes, and the
reminder to managers about mandates that end soon (R10) every morning."""

from django.db import migrations

from falkoping_some.lib.schedules import BeatSchedule, beat_schedules, crontab

SCHEDULES = [
    BeatSchedule(
        "Skicka väntande e-postaviseringar",
        "accounts.tasks.send_pending_notifications",
        "Skickar e-postaviseringar som inte kunde skickas direkt, till exempel när e-postservern var nere.",
        every_minutes=10,
        expire_seconds=10 * 60,
    ),
    BeatSchedule(
        "Påminnelse om uppdrag som snart upphör",
        "accounts.tasks.notify_expiring_mandates",
        "Berättar för chefen att ett uppdrag som redaktör snart upphör (R10), en gång per uppdrag.",
        crontab=crontab(hour="7"),
    ),
]

create_schedules, delete_schedules = beat_schedules(*SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_lifecycle_training_notifications"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
