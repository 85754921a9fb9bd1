"""Handing work to the Celery worker without losing it when the broker (Redis) is down.

Every background job is a row first (an outbox notice, a records export, an activity import) and a
task message second. `enqueue_on_commit` sends the message once the row is committed; if the broker
cannot take it, the page still answers and the row waits. The sweeps, run by beat, pick up what
waited: accounts.notifications.send_pending_notifications for the notices and
falkoping_some.tasks.requeue_waiting_jobs for the exports and imports. (Beat itself publishes through the
broker, so the sweeps run as soon as the broker is back.)
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


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
