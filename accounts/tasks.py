"""Celery wrappers for the notices (accounts/notifications.py). Their schedules are in the
database (migration 0004_notification_schedule)."""

import smtplib

from celery import shared_task
from django.utils import timezone

from falkoping_some.locks import JobBusy

from . import notifications


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=60 * 60,
    max_retries=12,
    acks_late=True,
)
def send_notification(notification_id):
    # A mail server that is down for a few hours is retried with a growing pause; after that the
    # notice waits in the outbox for the sweep.
    notifications.deliver(notification_id)


@shared_task
def send_pending_notifications():
    return notifications.send_pending_notifications()


@shared_task
def notify_expiring_mandates():
    return notifications.notify_expiring_mandates(timezone.localdate())


# Scheduled checks (issue 4) ---------------------------------------------------------------------
# Schedules in migration 0007_check_schedules; the rules in accounts/checks.py.


@shared_task
def run_scheduled_checks(only=None):
    from . import checks

    runs = checks.run_checks(only=only)
    return [
        {"check": run.check_name, "found": run.found, "raised": run.raised, "resolved": run.resolved} for run in runs
    ]


@shared_task
def send_flag_digest_task():
    from . import checks

    run = checks.send_flag_digest()
    return run.raised if run else 0


# Public records (issue 7) ----------------------------------------------------------------------
# The monthly disposal check's schedule is in migration 0011_records_schedules.


# A copy of a job's task that finds the job taken (falkoping_some.locks) tries again every 10 s,
# for up to two hours: by then the other run has finished, or its worker died and the lock with it.
@shared_task(acks_late=True, autoretry_for=(JobBusy,), default_retry_delay=10, max_retries=6 * 60 * 2)
def build_records_export(export_id):
    """Build one records export (accounts/records/export.py); the status page reads its progress."""
    from .records.export import build_export

    build_export(export_id)


@shared_task
def propose_disposals():
    """R25, monthly: propose the disposal of the records past their retention, for comms to confirm."""
    from .records.retention import propose_disposals as propose

    return [disposal.pk for disposal in propose()]


# The CSV import of weekly activity runs in the worker when the file is large (issue 4); its task
# lives beside the import code and is imported here so that the worker's autodiscovery finds it.
from .activity_import import run_activity_import  # noqa: E402, F401


@shared_task
def requeue_waiting_jobs():
    """Queue again the exports and imports whose task never reached the worker (accounts/queueing.py)."""
    from .queueing import requeue_waiting_jobs as requeue

    return requeue()
