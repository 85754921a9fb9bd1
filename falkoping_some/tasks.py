"""Celery wrappers for the heartbeat (falkoping_some/heartbeat.py)."""

from celery import shared_task
from celery.signals import worker_ready

from .heartbeat import record_heartbeat


@shared_task
def record_worker_heartbeat():
    record_heartbeat()


@worker_ready.connect
def _heartbeat_on_start(**kwargs):
    # /halsa knows the worker is up at once, not only after the first five-minute beat.
    record_heartbeat()
