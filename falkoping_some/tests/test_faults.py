"""Faults of the real services under the running portal.

Each test breaks a real service while the portal runs as deployed (gunicorn with the production
settings, a Celery worker, PostgreSQL, Redis, an SMTP server), and checks what the people using it
would see and what the data must be:

- Redis stops while pages are served and a flag is raised: the pages still render (from
  PostgreSQL), sign-in works, and what could not be queued is run once Redis is back, by beat's
  sweeps.
- PostgreSQL restarts under the portal: the next request succeeds, on a new connection (the
  persistent one is health-checked), and so does the worker's next task.
- A Celery worker is killed in the middle of a records export and of an activity import: the
  task, acknowledged late, is delivered again and the rerun ends in exactly one result.
- The mail server is down: the decision stands, the notice waits in the outbox, and the retried
  task delivers it once the server is back, once.

They need PostgreSQL (on loopback, restartable), Redis (a redis-server binary for a private one) and
run in CI; elsewhere they are skipped with the reason (devtools.pytest_services, tests/faults.py).
"""

import datetime
import hashlib
import io
import json
import os
import signal
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks
from kombu import Connection

from accounts.models import Mandate, Notification
from accounts.services.mandates import grant_mandate
from accounts.tasks import send_notification
from accounts.tests.factories import SocialAccountFactory, UserFactory
from activity.models import ActivityImport, ImportStatus, WeeklyActivity
from conftest import totp_code
from falkoping_some.tests.faults import (
    AppServer,
    RedisServer,
    SmtpSink,
    connect_test_database,
    production_env,
    restart_postgres,
)
from falkoping_some.tests.worker import celery_beat, celery_worker, database_url, wait_for
from moderation.tests.files.storage import private_media
from records.models import ExportStatus, RecordsExport
from records.services import request_export
from review.models import CheckRun, FlagKind, FlagStatus, ReviewFlag, SelfCheck
from review.tasks import run_scheduled_checks

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

PASSWORD = "falkoping-test"  # accounts.tests.factories.UserFactory
ALL_YES = {name: "yes" for name, _rule in SelfCheck.QUESTIONS}
SWEEPS = ["accounts.tasks.send_pending_notifications", "accounts.tasks.requeue_waiting_jobs"]


@pytest.fixture
def media(tmp_path):
    with private_media(tmp_path / "private") as path:
        yield path


def sign_in(visitor, user, *, mfa=False):
    response = visitor.submit(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status == 302, response.text[:3000]
    if mfa:
        assert response.location == reverse("mfa_authenticate")
        response = visitor.submit(reverse("mfa_authenticate"), {"code": totp_code()})
        assert response.status == 302, response.text[:3000]
    assert response.location == "/"
    return visitor


def worker_env(tmp_path, redis_url, **extra):
    return {
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "PORTAL_VAR_DIR": str(tmp_path / "worker-var"),
        "PORTAL_PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        **extra,
    }


def sweep_every_two_seconds():
    """Beat's sweeps (every ten minutes in production) every two seconds, as comms could set them in
    the admin."""
    every_two_seconds, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    for task in SWEEPS:  # the migrations' rows, unless an earlier test emptied the table
        PeriodicTask.objects.update_or_create(
            task=task, defaults={"name": f"Test: {task}", "interval": every_two_seconds, "enabled": True}
        )
    PeriodicTasks.update_changed()


def with_beat(tmp_path) -> list[str]:
    """The worker's arguments to run beat inside it, with the schedules in the database."""
    return ["-B", "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler", "-s", str(tmp_path / "beat")]


def unzip_checked(export) -> dict:
    """The export's ZIP, read from the storage: its hash matches the record and every entry the manifest."""
    data = Path(export.file.path).read_bytes()
    assert hashlib.sha256(data).hexdigest() == export.sha256
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"], entry["path"]
    return {name: archive.read(name) for name in archive.namelist()}


# Redis ------------------------------------------------------------------------------------------


def test_with_redis_down_the_pages_render_and_what_was_not_queued_runs_when_it_is_back(
    tmp_path, media, kommunikator, chef, redaktor, medarbetare, library_account
):
    sink = SmtpSink()
    sink.start()
    try:
        with RedisServer(tmp_path) as redis:
            env = production_env(database_url(), redis.url(0), tmp_path / "var", EMAIL_URL=sink.url())
            with AppServer(env, tmp_path / "gunicorn.log") as app:
                public = app.visitor()
                page = public.get("/socialamedier")
                assert page.status == 200 and library_account.name in page.text  # and now in the cache

                redis.stop()

                # The public page and the health check, from PostgreSQL.
                page = public.get("/socialamedier")
                assert page.status == 200 and library_account.name in page.text
                health = public.get("/halsa")
                assert health.status == 503
                assert json.loads(health.text) | {"worker_last_seen": None} == {
                    "database": "ok", "cache": "error", "worker": "unknown", "worker_last_seen": None,
                    "capture": [],
                }  # fmt: skip

                # An editor signs in (the rate limits are in the cache) and answers the yearly
                # self-check with a "no": the flag is raised at once, in the database.
                editor = sign_in(app.visitor(), redaktor)
                assert library_account.name in editor.get("/").text
                answer = editor.submit(
                    reverse("review:self_check", args=[library_account.pk]),
                    {**ALL_YES, "follows_relevant_only": "no", "comment": "Vi följer för många konton."},
                )
                assert answer.status == 302
                flag = ReviewFlag.objects.get(account=library_account, kind=FlagKind.SELF_CHECK_ANSWERED_NO)
                assert flag.status == FlagStatus.OPEN

                # A manager grants a mandate: the decision is made, its notice cannot be queued.
                manager = sign_in(app.visitor(), chef)
                grant = manager.submit(
                    reverse("accounts:mandate_grant", args=[library_account.pk]),
                    {"user": medarbetare.pk, "valid_from": timezone.localdate().isoformat(), "valid_until": ""},
                )
                assert grant.status == 302, grant.text[:3000]
                assert Mandate.objects.filter(account=library_account, user=medarbetare).exists()
                notice = Notification.objects.get(recipient=medarbetare)
                assert notice.sent_at is None and notice.attempts == 0

                # Comms signs in with a code from the app (allauth notes used codes in the cache)
                # and asks for a records export: recorded, waiting for the worker.
                comms = sign_in(app.visitor(), kommunikator, mfa=True)
                asked = comms.submit(
                    reverse("records:export_create"), {"account": library_account.pk},
                    form_page=reverse("records:index"),
                )  # fmt: skip
                assert asked.status == 302, asked.text[:3000]
                export = RecordsExport.objects.get()
                assert export.status == ExportStatus.PENDING
                assert comms.get(asked.location).status == 200

                log = (tmp_path / "gunicorn.log").read_text()
                assert "Could not queue" in log and "Traceback" not in log.split("Could not queue")[0]

                redis.start()
                assert public.get("/halsa").status == 200

            # Beat's sweeps pick up what waited. They run every ten minutes and take what has waited
            # five: here every two seconds (as comms could set them in the admin) and six minutes on.
            six_minutes_ago = timezone.now() - datetime.timedelta(minutes=6)
            Notification.objects.filter(sent_at__isnull=True).update(created_at=six_minutes_ago)
            RecordsExport.objects.update(requested_at=six_minutes_ago)
            sweep_every_two_seconds()

            log = tmp_path / "worker.log"
            env = worker_env(tmp_path, redis.url(0), EMAIL_URL=sink.url())
            with celery_worker(log, env, *with_beat(tmp_path)) as worker:
                wait_for(
                    lambda: not Notification.objects.filter(sent_at__isnull=True).exists()
                    and RecordsExport.objects.filter(status=ExportStatus.DONE).exists(),
                    worker, log, "The notice was not sent and the export not built",
                )  # fmt: skip
    finally:
        sink.stop()
    assert [m["to"] for m in sink.messages] == [[medarbetare.email]]
    assert sink.messages[0]["subject"] == notice.subject
    export.refresh_from_db()
    files = unzip_checked(export)
    assert json.loads(files["self_checks.json"])["records"][0]["follows_relevant_only"] is False


def publish_to(monkeypatch, task, url: str):
    """`task.delay()` in this test process sends to the broker at `url`, where the worker under test
    listens, as the portal's pages would with REDIS_URL set to it."""

    def delay(*args):
        with Connection(url, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS) as connection:
            return task.apply_async(args, producer=connection.Producer())

    monkeypatch.setattr(task, "delay", delay)


def sent(notice) -> bool:
    return Notification.objects.filter(pk=notice.pk, sent_at__isnull=False).exists()


OUTAGE = 10  # seconds: the worker tries again 2, 4 and 6 s apart, and is back at the fourth try


def test_the_worker_and_beat_ride_out_a_redis_outage_and_send_what_waited_once(
    tmp_path, monkeypatch, caplog, chef, medarbetare, biblioteket, library_account
):
    """Deployed as in the README: a worker (prefork, acks late) and beat, each on its own. Redis stops
    while the worker is sending a notice, stays away while a decision's notice cannot be queued, and
    comes back. Neither process stops, and each notice is sent once."""
    colleague = UserFactory(unit=biblioteket)
    sink = SmtpSink(slow=3)  # so that the worker is in the middle of sending when Redis stops
    sink.start()
    try:
        with RedisServer(tmp_path) as redis:
            publish_to(monkeypatch, send_notification, redis.url(0))
            sweep_every_two_seconds()
            env = worker_env(tmp_path, redis.url(0), EMAIL_URL=sink.url())
            log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
            with (
                celery_worker(log, env, pool="prefork", concurrency=2) as worker,
                celery_beat(beat_log, env) as beat,
            ):
                grant_mandate(chef, library_account, medarbetare, timezone.localdate())
                before = Notification.objects.get(recipient=medarbetare)
                wait_for(lambda: sink.arriving == 1, worker, log, "The worker did not begin to send the notice")

                redis.stop()
                # A decision while Redis is away: its notice cannot be queued and waits in the
                # outbox for the sweep (made six minutes old, so that the sweep takes it at once).
                grant_mandate(chef, library_account, colleague, timezone.localdate())
                during = Notification.objects.get(recipient=colleague)
                assert "Could not queue notifications" in caplog.text
                Notification.objects.filter(pk=during.pk).update(
                    created_at=timezone.now() - datetime.timedelta(minutes=6)
                )
                deadline = time.monotonic() + OUTAGE
                while time.monotonic() < deadline:
                    for process, output in ((worker, log), (beat, beat_log)):
                        assert process.poll() is None, f"{output.name} ended:\n{output.read_text()[-6000:]}"
                    time.sleep(0.5)
                assert sent(before) and not sent(during)  # the one being sent went out all the same

                redis.start()
                # Beat's sweep queues the waiting notice and the worker sends it, neither restarted.
                wait_for(lambda: sent(during), worker, log, "The notice that waited was not sent", seconds=90)
                time.sleep(5)  # two more sweeps: neither notice goes out again
                assert worker.poll() is None and beat.poll() is None
    finally:
        sink.stop()
    # Each notice that was sent arrived once, and was sent at the first attempt.
    sent_notices = Notification.objects.filter(sent_at__isnull=False)
    received = sorted(m["to"][0] for m in sink.messages)
    assert received == sorted(sent_notices.values_list("recipient__email", flat=True))
    assert medarbetare.email in received and colleague.email in received
    assert set(sent_notices.values_list("attempts", flat=True)) == {1}
    assert "Unrecoverable error" not in log.read_text()


# PostgreSQL -------------------------------------------------------------------------------------


def backends(application_name: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [application_name])
        return {pid for (pid,) in cursor.fetchall()}


def test_after_postgres_restarts_the_next_request_and_the_next_task_succeed(tmp_path, redaktor, library_account):
    name = f"falkoping-fault-{os.getpid()}"
    env = production_env(
        f"{database_url()}?application_name={name}", settings.REDIS_URL, tmp_path / "var", DATABASE_CONN_MAX_AGE="600"
    )
    log = tmp_path / "worker.log"
    with (
        AppServer(env, tmp_path / "gunicorn.log") as app,
        celery_worker(log, worker_env(tmp_path, settings.REDIS_URL)) as worker,
    ):
        editor = sign_in(app.visitor(), redaktor)
        assert editor.get("/").status == 200
        before = backends(name)
        assert editor.get("/").status == 200
        assert backends(name) == before and len(before) == 1  # one persistent connection, reused
        run_scheduled_checks.delay(only=["no_editor"])
        wait_for(lambda: CheckRun.objects.count() == 1, worker, log, "The worker ran no check")

        restart_postgres()
        connections.close_all()  # this test's own connection was cut too
        assert not backends(name)

        page = editor.get("/")
        assert page.status == 200 and library_account.name in page.text
        after = backends(name)
        assert len(after) == 1 and after != before
        run_scheduled_checks.delay(only=["no_editor"])
        wait_for(lambda: CheckRun.objects.count() == 2, worker, log, "The worker ran no check after the restart")
    assert "Internal Server Error" not in (tmp_path / "gunicorn.log").read_text()


# A worker killed mid-run --------------------------------------------------------------------------


def kill_when_blocked(worker, log, *, ready: str, params: list, lock_table: str, mid_run):
    """Stop the worker in the middle of its job, as a power cut would.

    As soon as `ready` (SQL) returns a row, take an exclusive lock on `lock_table`, which the job
    reads or writes later on; wait until the worker is blocked on it and `mid_run()` holds; kill the
    worker (SIGKILL: no chance to clean up or acknowledge); then let go of the table."""
    db = settings.DATABASES["default"]
    holder = connect_test_database()
    try:
        with holder.cursor() as cursor:
            deadline = time.monotonic() + 60
            while True:  # a tight loop: the job must not get past the table first
                cursor.execute(ready, params)
                if cursor.fetchone():
                    break
                holder.rollback()
                if time.monotonic() > deadline or worker.poll() is not None:
                    pytest.fail(f"The job did not start. The worker's log:\n{log.read_text()[-4000:]}")
                time.sleep(0.005)
            cursor.execute(f"LOCK TABLE {lock_table} IN ACCESS EXCLUSIVE MODE")

            def blocked():
                with connection.cursor() as watch:
                    watch.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = %s",
                        [db["NAME"]],
                    )
                    return watch.fetchone()[0] > 0 and mid_run()

            wait_for(blocked, worker, log, f"The worker did not reach {lock_table}")
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        holder.rollback()
        holder.close()


def many_weeks(accounts=30, weeks=60):
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday() + 7)
    created = [SocialAccountFactory(activated_on=datetime.date(2020, 1, 6)) for _ in range(accounts)]
    return created, [monday - datetime.timedelta(weeks=n) for n in range(weeks)]


def test_a_worker_killed_mid_export_is_replaced_and_the_rerun_builds_it_once(tmp_path, media, kommunikator):
    created, weeks = many_weeks(accounts=60, weeks=100)
    WeeklyActivity.objects.bulk_create(
        WeeklyActivity(account=account, week=week, posts=n % 7, logged_by=kommunikator)
        for account in created
        for n, week in enumerate(weeks)
    )
    export = request_export(kommunikator)  # every account: 6,000 weeks
    log_a, log_b = tmp_path / "worker-a.log", tmp_path / "worker-b.log"
    partial = Path(export.file.storage.path("exports/partial"))
    with celery_worker(log_a, worker_env(tmp_path, settings.REDIS_URL)) as worker_a:
        # Counted, then writing the files in turn: stopped at the last, the audit trail.
        kill_when_blocked(
            worker_a, log_a,
            ready="SELECT 1 FROM accounts_recordsexport WHERE id = %s AND total_steps > 0", params=[export.pk],
            lock_table="auditlog_logentry",
            mid_run=lambda: RecordsExport.objects.filter(pk=export.pk, done_steps__gt=0).exists(),
        )  # fmt: skip
    export.refresh_from_db()
    assert export.status == ExportStatus.RUNNING and 0 < export.done_steps < export.total_steps
    assert len(list(partial.glob(f"{export.pk}-*.zip"))) == 1  # the half-written ZIP of the killed run

    # A new worker: the unacknowledged task comes back after the visibility timeout (here 2 s).
    with celery_worker(log_b, worker_env(tmp_path, settings.REDIS_URL, CELERY_VISIBILITY_TIMEOUT="2")) as worker_b:
        wait_for(lambda: RecordsExport.objects.get(pk=export.pk).status == ExportStatus.DONE, worker_b, log_b,
                 "The export was not built again", seconds=120)  # fmt: skip
    export.refresh_from_db()
    assert export.done_steps == export.total_steps
    files = unzip_checked(export)
    assert len(json.loads(files["weekly_activity.json"])["records"]) == len(created) * len(weeks) == 6000
    assert list(partial.glob(f"{export.pk}-*.zip")) == []
    assert len(list(Path(export.file.storage.path("exports")).rglob("*.zip"))) == 1  # and nothing else


def test_a_worker_killed_mid_import_is_replaced_and_the_rerun_writes_each_week_once(tmp_path, kommunikator):
    created, weeks = many_weeks(accounts=20, weeks=60)
    lines = ["account,week,posts"] + [
        f"{account.pk},{week.isoformat()},{n % 5}" for account in created for n, week in enumerate(weeks)
    ]
    job = ActivityImport.objects.create(
        file_name="aktivitet.csv", content="\n".join(lines), total_rows=len(lines) - 1, created_by=kommunikator
    )
    from activity.csv_import import run_activity_import

    run_activity_import.delay(job.pk)
    log_a, log_b = tmp_path / "worker-a.log", tmp_path / "worker-b.log"
    with celery_worker(log_a, worker_env(tmp_path, settings.REDIS_URL)) as worker_a:
        # Every row checked, then written in one transaction: stopped as it writes.
        kill_when_blocked(
            worker_a, log_a,
            ready="SELECT 1 FROM accounts_activityimport WHERE id = %s AND status = 'running'", params=[job.pk],
            lock_table="accounts_weeklyactivity",
            mid_run=lambda: ActivityImport.objects.filter(pk=job.pk, processed_rows=1200).exists(),
        )  # fmt: skip
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING and WeeklyActivity.objects.count() == 0

    with celery_worker(log_b, worker_env(tmp_path, settings.REDIS_URL, CELERY_VISIBILITY_TIMEOUT="2")) as worker_b:
        wait_for(lambda: ActivityImport.objects.get(pk=job.pk).status == ImportStatus.DONE, worker_b, log_b,
                 "The import was not run again", seconds=120)  # fmt: skip
    job.refresh_from_db()
    assert (job.created_rows, job.updated_rows, job.errors) == (1200, 0, [])
    assert WeeklyActivity.objects.count() == 1200
    assert sorted(WeeklyActivity.objects.filter(account=created[0]).values_list("posts", flat=True)) == sorted(
        n % 5 for n in range(len(weeks))
    )


# Mail -------------------------------------------------------------------------------------------


def test_with_the_mail_server_down_the_decision_stands_and_the_notice_is_retried(
    tmp_path, chef, medarbetare, library_account
):
    sink = SmtpSink()  # its port chosen, the server not started: connections are refused
    log = tmp_path / "worker.log"
    env = worker_env(tmp_path, settings.REDIS_URL, EMAIL_URL=sink.url(), EMAIL_TIMEOUT="5")
    try:
        with celery_worker(log, env) as worker:
            mandate = grant_mandate(chef, library_account, medarbetare, timezone.localdate())
            notice = Notification.objects.get(recipient=medarbetare)
            wait_for(lambda: Notification.objects.filter(pk=notice.pk, attempts__gte=1).exists(), worker, log,
                     "The worker did not try to send the notice")  # fmt: skip
            notice.refresh_from_db()
            assert notice.sent_at is None and "ConnectionRefusedError" in notice.last_error
            assert Mandate.objects.filter(pk=mandate.pk, valid_until=None).exists()  # the decision stands

            sink.start()
            wait_for(lambda: Notification.objects.filter(pk=notice.pk, sent_at__isnull=False).exists(), worker, log,
                     "The retried notice was not sent", seconds=150)  # fmt: skip
    finally:
        sink.stop()
    notice.refresh_from_db()
    assert notice.attempts >= 2 and notice.last_error == ""
    assert sink.messages == [{"to": [medarbetare.email], "subject": notice.subject}]
    assert "Retry in" in log.read_text()
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0
    assert Notification.objects.filter(pk=notice.pk).values_list("attempts", flat=True).get() == notice.attempts
