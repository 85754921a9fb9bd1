"""Handing work to the Celery worker without losing it when the broker (Redis) is down.

Every background job is a row first (an outbox notice, a records export, an activity import) and a
task message second. `enqueue_on_commit` sends the message once the row is committed; if the broker
cannot take it, the page still answers and the row waits. The sweeps, run by beat, pick up what
waited: accounts.notifications.send_pending_notifications for the notices and
`requeue_waiting_jobs` below for the exports and imports. (Beat itself publishes through the
broker, so the sweeps run as soon as the broker is back.)
"""

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from .models import ActivityImport, ExportStatus, ImportStatus, RecordsExport

logger = logging.getLogger(__name__)

# A job that has waited this long was most likely never queued. A copy queued while the first is
# only slow is harmless: the job's lock (falkoping_some.locks) lets one of them run it.
WAITING_GRACE = datetime.timedelta(minutes=5)


def enqueue(task, *args) -> bool:
    """task.delay(*args); False (and a warning in the log) if the broker cannot take it."""
    try:
        task.delay(*args)
    except Exception:
        logger.warning("Could not queue %s%r; the sweep will queue it again.", task.name, args, exc_info=True)
        return False
    return True


def enqueue_on_commit(task, *args) -> None:
    """Queue the task once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task, *args))


def requeue_waiting_jobs(now=None) -> dict:
    """Queue again the exports and imports that have waited to start for longer than WAITING_GRACE.
    Returns how many of each were queued."""
    from .activity_import import run_activity_import
    from .tasks import build_records_export

    cutoff = (now or timezone.now()) - WAITING_GRACE
    exports = RecordsExport.objects.filter(status=ExportStatus.PENDING, requested_at__lte=cutoff)
    imports = ActivityImport.objects.filter(status=ImportStatus.PENDING, created_at__lte=cutoff)
    queued = {"exports": 0, "imports": 0}
    for key, task, ids in (
        ("exports", build_records_export, exports.order_by("pk").values_list("pk", flat=True)),
        ("imports", run_activity_import, imports.order_by("pk").values_list("pk", flat=True)),
    ):
        for pk in ids:
            if not enqueue(task, pk):
                return queued  # the broker is down again: the next sweep tries
            queued[key] += 1
    return queued
