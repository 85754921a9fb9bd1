"""One runner at a time for a background job, however many copies of its task are delivered.

A job's task can arrive twice: acks late redelivers it when a worker died mid-run, and the sweep
(falkoping_some.waiting_jobs.requeue_waiting_jobs) queues a job again that it believes was never queued. Both
copies are welcome only one after the other. On PostgreSQL a session-level advisory lock says who
runs the job: the server drops it with the connection of a worker that was killed, so the next
delivery can start over, while a copy that arrives during a live run sees the lock taken and is
retried later (JobBusy): by then the live run has finished, or its connection is gone.

SQLite (the embedded default, one development machine) has no such lock; its writers are already
serialised by the database file, and `exclusive` always grants it there.
"""

import contextlib
import logging

from django.db import connection

logger = logging.getLogger(__name__)


class JobBusy(Exception):
    """Another process runs this job now. The task retries it later (accounts/tasks.py)."""


@contextlib.contextmanager
def exclusive(kind: str, key: int):
    """`with exclusive("records-export", export.pk) as mine:` mine is True if this process now
    runs the job, False if another process holds it. Released when the block ends."""
    if connection.vendor != "postgresql":
        yield True
        return
    key &= 0x7FFFFFFF  # the lock's second half is a 32-bit integer
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s), %s)", [kind, key])
        (acquired,) = cursor.fetchone()
    if not acquired:
        yield False
        return
    try:
        yield True
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s), %s)", [kind, key])
        except Exception:
            # The connection is gone (and with it the lock): nothing left to release.
            logger.warning("Could not release the lock on %s %s; its connection is gone.", kind, key, exc_info=True)
