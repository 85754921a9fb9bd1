"""Celery wrappers for the heartbeat (falkoping_some/heartbeat.py) and the sweep of waiting jobs
(falkoping_some/waiting_jobs.py)."""

from celery import shared_task
from celery.signals import worker_ready

from .heartbeat import record_heartbeat
from .waiting_jobs import requeue_waiting_jobs as requeue


@shared_task
def record_worker_heartbeat():
    record_heartbeat()


@worker_ready.connect
def _heartbeat_on_start(**kwargs):
    # /halsa knows the worker is up at once, not only after the first five-minute beat.
    record_heartbeat()


@shared_task(name="accounts.tasks.requeue_waiting_jobs")
def requeue_waiting_jobs():
    """Queue again the exports and imports whose task never reached the worker (waiting_jobs.py)."""
    return requeue()
