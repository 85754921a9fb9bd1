"""Celery wrappers for the notices (accounts/notifications.py). Their schedules are in the
database (migration 0004_notification_schedule).

Tasks keep the names they were first registered under (accounts.tasks.…) wherever they live now:
beat's schedules in the database and messages already queued name them so."""

import smtplib

from celery import shared_task
from django.utils import timezone

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
