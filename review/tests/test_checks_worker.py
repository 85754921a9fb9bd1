"""The scheduled checks end to end: a real Celery worker with beat, on Redis, reading its schedule
from the database (django-celery-beat), runs the inactivity check against the test database."""

import datetime
import json

import pytest
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accounts.tests.factories import SocialAccountFactory
from falkoping_some.tests.worker import celery_worker, database_url, wait_for
from review.models import FlagKind, ReviewFlag

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_beat_and_a_worker_flag_an_inactive_account(tmp_path):
    today = datetime.date.today()
    account = SocialAccountFactory(activated_on=today - datetime.timedelta(days=7 * 31))
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="Test: inaktiva konton varje sekund",
        task="accounts.tasks.run_scheduled_checks",
        interval=every_second,
        kwargs=json.dumps({"only": ["inactive"]}),
    )
    log = tmp_path / "worker.log"
    env = {"DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL, "PORTAL_VAR_DIR": str(tmp_path / "var")}
    scheduler = "django_celery_beat.schedulers:DatabaseScheduler"
    beat = ["-B", "--scheduler", scheduler, "-s", str(tmp_path / "beat-schedule")]
    with celery_worker(log, env, *beat) as worker:
        wait_for(
            lambda: ReviewFlag.objects.filter(account=account, kind=FlagKind.INACTIVE_6_MONTHS, status="open").exists(),
            worker, log, "No flag",
        )  # fmt: skip
    assert "accounts.tasks.run_scheduled_checks" in log.read_text()
