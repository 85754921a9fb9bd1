"""Celery wrappers for the notices (accounts/notifications.py). Their schedules are in the
database (migration 0004_notification_schedule).

Tasks keep the names they were first registered under (accounts.tasks.…) wherever they live now:
beat's schedules in the database and messages already queued name them so."""

from celery import shared_task
from django.utils import timezone

from . import notifications
from .notifications import send_notification

__all__ = ["notify_expiring_mandates", "send_notification", "send_pending_notifications"]


@shared_task
def send_pending_notifications():
    return notifications.send_pending_notifications()


@shared_task
def notify_expiring_mandates():
    return notifications.notify_expiring_mandates(timezone.localdate())
