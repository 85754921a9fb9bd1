"""Work handed to the worker survives a broker that is down (falkoping_some/lib/queueing.py and
falkoping_some/waiting_jobs.py), and a job's task
delivered twice runs the job once (falkoping_some/locks.py). The same with the real services, Redis
stopped and a worker killed: falkoping_some/tests/test_faults.py."""

import datetime
import logging

import pytest
import time_machine
from django.urls import reverse
from kombu.exceptions import OperationalError

from activity.csv_import import process_stored_import, run_activity_import
from activity.models import ActivityImport, ImportStatus
from falkoping_some import waiting_jobs
from falkoping_some.lib import queueing
from falkoping_some.locks import JobBusy
from falkoping_some.tests.faults import connect_test_database
from records.export.archive import build_export
from records.models import ExportStatus, FinalArchive, FinalArchiveState, RecordsExport
from records.tasks import build_records_export, run_final_archive

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 11, 24, 12, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


def broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def no_broker(monkeypatch):
    for task in (build_records_export, run_activity_import, run_final_archive):
        monkeypatch.setattr(task, "delay", broker_down)


@pytest.fixture
def queued(monkeypatch):
    """What reached the broker: (task name, argument)."""
    sent = []
    for task in (build_records_export, run_activity_import, run_final_archive):
        monkeypatch.setattr(task, "delay", lambda pk, name=task.name: sent.append((name, pk)))
    return sent


class TestBrokerDown:
    def test_asking_for_an_export_still_answers_and_keeps_the_request(
        self, client, kommunikator, library_account, no_broker, django_capture_on_commit_callbacks, caplog
    ):
        client.force_login(kommunikator)
        with (
            caplog.at_level(logging.WARNING, "falkoping_some.lib.queueing"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client.post(reverse("records:export_create"), {"account": library_account.pk})
        export = RecordsExport.objects.get()
        assert response.status_code == 302 and response.url == reverse("records:export_detail", args=[export.pk])
        assert export.status == ExportStatus.PENDING
        assert f"Could not queue accounts.tasks.build_records_export({export.pk},)" in caplog.text
        assert client.get(response.url).status_code == 200

    def test_enqueue_says_whether_the_broker_took_it(self, queued):
        assert queueing.enqueue(build_records_export, 7) is True
        assert queued == [("accounts.tasks.build_records_export", 7)]

    def test_enqueue_with_the_broker_down_is_false(self, no_broker):
        assert queueing.enqueue(build_records_export, 7) is False


class TestRequeueWaitingJobs:
    @pytest.fixture
    def jobs(self, kommunikator, library_account, social_account):
        def export(minutes_ago, status=ExportStatus.PENDING):
            return RecordsExport.objects.create(
                account=library_account, requested_by=kommunikator, status=status,
                requested_at=NOON - minutes_ago * MINUTE,
            )  # fmt: skip

        def stored_import(minutes_ago, status=ImportStatus.PENDING):
            return ActivityImport.objects.create(
                file_name="a.csv", content="account,week,posts\n", total_rows=0, created_by=kommunikator,
                status=status, created_at=NOON - minutes_ago * MINUTE,
            )  # fmt: skip

        def final_archive(account, minutes_ago, state=FinalArchiveState.PENDING):
            return FinalArchive.objects.create(
                account=account, requested_by=kommunikator, state=state, requested_at=NOON - minutes_ago * MINUTE
            )

        return {
            "old_archive": final_archive(library_account, 10),
            "new_archive": final_archive(social_account, 2),
            "failed_archive": final_archive(social_account, 30, FinalArchiveState.FAILED),
            "old_export": export(6),
            "new_export": export(4),
            "running_export": export(60, ExportStatus.RUNNING),
            "done_export": export(60, ExportStatus.DONE),
            "old_import": stored_import(30),
            "new_import": stored_import(1),
            "failed_import": stored_import(30, ImportStatus.FAILED),
        }

    def test_only_what_has_waited_five_minutes_to_start_is_queued_again(self, jobs, queued):
        with time_machine.travel(NOON, tick=False):
            assert waiting_jobs.requeue_waiting_jobs() == {"exports": 1, "imports": 1, "final_archives": 1}
        assert queued == [
            ("accounts.tasks.build_records_export", jobs["old_export"].pk),
            ("accounts.activity_import.run_activity_import", jobs["old_import"].pk),
            ("records.tasks.run_final_archive", jobs["old_archive"].pk),
        ]

    def test_with_the_broker_still_down_the_next_sweep_tries_again(self, jobs, no_broker):
        with time_machine.travel(NOON, tick=False):
            assert waiting_jobs.requeue_waiting_jobs() == {"exports": 0, "imports": 0, "final_archives": 0}
        assert RecordsExport.objects.filter(status=ExportStatus.PENDING).count() == 2

    def test_the_sweep_is_on_beats_schedule(self):
        """What migration 0013 schedules (run here again: a transactional test may have emptied the table)."""
        import importlib

        from django.apps import apps
        from django_celery_beat.models import PeriodicTask

        importlib.import_module("accounts.migrations.0013_requeue_waiting_jobs").create_schedule(apps, None)
        sweep = PeriodicTask.objects.get(task="accounts.tasks.requeue_waiting_jobs")
        assert (sweep.interval.every, sweep.interval.period, sweep.enabled) == (10, "minutes", True)


@pytest.mark.postgres
class TestOneRunAtATime:
    """A copy of the task that arrives while another process runs the job leaves it alone and is
    retried (JobBusy); the lock goes with the other process's connection."""

    @pytest.fixture
    def other_process(self):
        other = connect_test_database()
        other.autocommit = True
        yield other
        other.close()

    def hold(self, other, kind, pk):
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s), %s)", [kind, pk])

    def test_an_export_being_built_elsewhere_is_left_alone(self, other_process, kommunikator, library_account):
        export = RecordsExport.objects.create(account=library_account, requested_by=kommunikator)
        self.hold(other_process, "records-export", export.pk)
        with pytest.raises(JobBusy):
            build_export(export.pk)
        export.refresh_from_db()
        assert (export.status, export.file.name) == (ExportStatus.PENDING, "")

        other_process.close()  # the other worker is gone, and its lock with it
        with time_machine.travel(NOON, tick=False):
            assert build_export(export.pk).status == ExportStatus.DONE

    def test_an_import_being_run_elsewhere_is_left_alone(self, other_process, kommunikator):
        job = ActivityImport.objects.create(
            file_name="a.csv", content="account,week,posts\n", total_rows=0, created_by=kommunikator
        )
        self.hold(other_process, "activity-import", job.pk)
        with pytest.raises(JobBusy):
            process_stored_import(job.pk)
        assert ActivityImport.objects.get(pk=job.pk).status == ImportStatus.PENDING

    def test_a_killed_run_of_an_import_is_run_again(self, kommunikator, library_account):
        """RUNNING but nobody holds its lock: the worker that ran it died. The redelivered task runs it."""
        job = ActivityImport.objects.create(
            file_name="a.csv", content=f"account,week,posts\n{library_account.pk},2025-W07,3\n", total_rows=1,
            created_by=kommunikator, status=ImportStatus.RUNNING, processed_rows=1,
        )  # fmt: skip
        job = process_stored_import(job.pk)
        assert (job.status, job.created_rows, job.errors) == (ImportStatus.DONE, 1, [])
        assert library_account.weekly_activity.get().posts == 3
        assert process_stored_import(job.pk).created_rows == 1  # done: run again, nothing changes
        assert library_account.weekly_activity.count() == 1

    def test_the_tasks_retry_a_busy_job(self):
        for task in (build_records_export, run_activity_import):
            assert JobBusy in task.autoretry_for and task.acks_late
