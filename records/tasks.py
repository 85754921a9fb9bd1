"""Celery tasks of public records. Their names are those they were first registered under
(accounts.tasks.…): beat's schedules in the database and messages already queued name them so.
The monthly disposal check's schedule is in accounts' migration 0011_records_schedules."""

from celery import shared_task

from falkoping_some.locks import JobBusy
from records.export.archive import build_export

from .final_archive import run as run_final
from .retention import propose_disposals as propose


# A copy of a job's task that finds the job taken (falkoping_some.locks) tries again every 10 s,
# for up to two hours: by then the other run has finished, or its worker died and the lock with it.
@shared_task(
    name="accounts.tasks.build_records_export",
    acks_late=True,
    autoretry_for=(JobBusy,),
    default_retry_delay=10,
    max_retries=6 * 60 * 2,
)
def build_records_export(export_id):
    """Build one records export (records/export.py); the status page reads its progress."""
    build_export(export_id)


@shared_task(
    name="records.tasks.run_final_archive",
    acks_late=True,
    autoretry_for=(JobBusy,),
    default_retry_delay=10,
    max_retries=6 * 60 * 2,
)
def run_final_archive(archive_id):
    """Issue 19: the final capture and export of an account before it is closed
    (records/final_archive.py); its status page reads its progress."""
    run_final(archive_id)


@shared_task(name="accounts.tasks.propose_disposals")
def propose_disposals():
    """R25, monthly: propose the disposal of the records past their retention, for comms to confirm."""
    return [disposal.pk for disposal in propose()]
