"""The scheduled checks end to end: a real Celery worker with beat, on Redis, reading its schedule
from the database (django-celery-beat), runs the inactivity check against the test database."""

import datetime
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accounts.models import FlagKind, ReviewFlag
from accounts.tests.factories import SocialAccountFactory

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    """The test database as a URL: the worker is a separate process, a normal client of it."""
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def stop(worker: subprocess.Popen):
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


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
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "falkoping_some", "worker", "-B",
        "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler", "-s", str(tmp_path / "beat-schedule"),
        "--pool", "solo", "-c", "1", "-l", "info", "--without-mingle", "--without-gossip",
    ]  # fmt: skip
    with log.open("wb") as out:
        worker = subprocess.Popen(  # noqa: S603 (our own command line)
            command, cwd=Path(settings.BASE_DIR), env=env, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if ReviewFlag.objects.filter(account=account, kind=FlagKind.INACTIVE_6_MONTHS, status="open").exists():
                break
            if worker.poll() is not None:
                pytest.fail(f"The worker stopped. Its log:\n{log.read_text()[-4000:]}")
            time.sleep(0.5)
        else:
            pytest.fail(f"No flag within 60 s. The worker's log:\n{log.read_text()[-4000:]}")
    finally:
        # Before the test database is flushed: the worker must hold no connection to it.
        stop(worker)
    assert "accounts.tasks.run_scheduled_checks" in log.read_text()
