"""Celery tasks of the scheduled checks. Their names are those they were first registered under
(accounts.tasks.…): beat's schedules in the database (migrations 0007_check_schedules and
0011_records_schedules of accounts, 0002_check_schedules of moderation) name them so."""

from celery import shared_task

from . import scheduled_checks


@shared_task(name="accounts.tasks.run_scheduled_checks")
def run_scheduled_checks(only=None):
    runs = scheduled_checks.run_checks(only=only)
    return [
        {"check": run.check_name, "found": run.found, "raised": run.raised, "resolved": run.resolved} for run in runs
    ]


@shared_task(name="accounts.tasks.send_flag_digest_task")
def send_flag_digest_task():
    run = scheduled_checks.send_flag_digest()
    return run.raised if run else 0


@shared_task(name="review.tasks.run_connection_checks")
def run_connection_checks():
    """The connection checks (R3) and comms' notices of the flags they raise (review/migrations/0003)."""
    runs = scheduled_checks.run_connection_checks()
    return [
        {"check": run.check_name, "found": run.found, "raised": run.raised, "resolved": run.resolved} for run in runs
    ]
