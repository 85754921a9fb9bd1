"""Capture on the existing Celery engine: beat runs `sync_all_connections` (every hour by default,
"Hämta från plattformarna" in the admin's periodic tasks), which queues one `sync_connection` per
connection that is due. Any worker on any machine takes them: more workers, more capacity, no other
change (README, "Capturing the platforms").

Failures lose nothing (capture/sync.py saves the walk's place after each page):
- a timeout or 5xx is tried again with a growing wait (1, 2, 4 … up to 60 minutes);
- a rate limit waits as long as the platform asks (Retry-After, Meta's usage headers);
- a refused token stops the connection (state BROKEN) until comms gives it a new one.
The wait is kept on the connection (`next_attempt_at`), so the next fan-out skips it too.

Every worker shares each platform's limits (capture/limits.py): at most Connector.concurrency syncs
of a platform at once, and a platform that told one worker to wait is paused for all of them. A
connection whose platform is busy or paused is rescheduled for later (`next_attempt_at`, and the
task queued again for then): that is no failure and counts no backoff.
"""

import datetime
import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from falkoping_some.locks import exclusive

from . import limits, profiles, signals, sync
from .connectors.base import ConnectorError, NotFound, RateLimited, TemporaryFailure, TokenRejected
from .models import Connection, ConnectionState

logger = logging.getLogger(__name__)

MAX_BACKOFF = datetime.timedelta(minutes=60)


def backoff(failures: int) -> datetime.timedelta:
    return min(MAX_BACKOFF, datetime.timedelta(minutes=2 ** max(0, failures - 1)))


@shared_task(name="capture.tasks.sync_all_connections")
def sync_all_connections():
    """Queues a sync for every active connection that is not waiting."""
    pks = list(Connection.objects.due().values_list("pk", flat=True))
    for pk in pks:
        sync_connection.delay(pk)
    return len(pks)


def record_failure(connection: Connection, error: ConnectorError, now=None) -> datetime.timedelta:
    """Keeps the error in plain words and when to try again; answers the wait."""
    now = now or timezone.now()
    failures = connection.failures + 1
    wait = datetime.timedelta(seconds=error.retry_after) if isinstance(error, RateLimited) else backoff(failures)
    Connection.objects.filter(pk=connection.pk).update(
        failures=failures, last_error=error.message, last_error_at=now, next_attempt_at=now + wait
    )
    connection.failures, connection.last_error, connection.last_error_at = failures, error.message, now
    connection.next_attempt_at = now + wait
    return wait


@shared_task(name="capture.tasks.sync_connection", acks_late=True)
def sync_connection(pk: int):
    connection = Connection.objects.select_related("account").filter(pk=pk).first()
    if connection is None or connection.state != ConnectionState.ACTIVE:
        return "skipped"
    paused = limits.paused_until(connection.kind)
    if paused is not None:
        reschedule(connection, paused)
        return "paused"
    with limits.slot(connection.kind) as held:
        if held is None:
            reschedule(connection, timezone.now() + limits.busy_wait())
            return "busy"
        with exclusive("capture-sync", pk) as mine:
            if not mine:
                return "busy"  # another worker syncs it now
            try:
                result = sync.sync_connection(connection)
            except (TokenRejected, NotFound) as error:
                logger.warning("Connection %s stopped: %s", pk, error.message)
                transaction.on_commit(lambda: connection_stopped(connection.pk))
                return "stopped"
            except (TemporaryFailure, RateLimited) as error:
                if isinstance(error, RateLimited):
                    # The platform told this worker to wait: every other worker waits too.
                    limits.pause(connection.kind, error.retry_after)
                wait = record_failure(connection, error)
                logger.info("Connection %s: %s; next attempt in %s", pk, error.message, wait)
                return "waiting"
            except ConnectorError as error:
                # PermissionMissing on the posts, an address production refuses, an answer that
                # cannot be read: kept as a failure and tried again later.
                if connection.state == ConnectionState.ACTIVE:
                    record_failure(connection, error)
                logger.warning("Connection %s: %s", pk, error)
                return "failed"
    return {"pages": result.pages, "new": result.new, "edited": result.edited, "missing": result.missing}


def reschedule(connection: Connection, when: datetime.datetime) -> None:
    """Try the connection again at `when` (its platform is busy or paused): the fan-out skips it
    until then, and the task is queued again for then, so it does not wait for the next hour."""
    when = max(when, timezone.now() + datetime.timedelta(seconds=1))
    Connection.objects.filter(pk=connection.pk).update(next_attempt_at=when)
    connection.next_attempt_at = when
    countdown = (when - timezone.now()).total_seconds()
    transaction.on_commit(lambda: sync_connection.apply_async((connection.pk,), countdown=countdown))


def connection_stopped(pk: int):
    """Tells the apps above (review raises a flag and notifies comms: capture/signals.py)."""
    connection = Connection.objects.select_related("account").get(pk=pk)
    signals.connection_stopped.send(sender=Connection, connection=connection)


# Profile snapshots (R4, R5, R9) ------------------------------------------------------------------

# A snapshot that failed for a passing reason (a timeout, a 5xx) is tried again this many times,
# waiting backoff(n) between; the next scheduled run comes half a year later.
SNAPSHOT_RETRIES = 5


@shared_task(name="capture.tasks.snapshot_all_profiles")
def snapshot_all_profiles():
    """Twice a year (beat, "Ögonblicksbild av profilerna"): one snapshot task per active connection."""
    pks = list(profiles.snapshot_connections().values_list("pk", flat=True))
    for pk in pks:
        take_profile_snapshot.delay(pk)
    return len(pks)


@shared_task(name="capture.tasks.take_profile_snapshot", bind=True, acks_late=True, max_retries=SNAPSHOT_RETRIES)
def take_profile_snapshot(self, pk: int, user_pk: int | None = None):
    """One connection's profile snapshot, within the platform's shared limits (capture/limits.py):
    a busy or paused platform, a rate limit or a passing failure queues it again for later."""
    connection = Connection.objects.select_related("account").filter(pk=pk).first()
    if connection is None or connection.state != ConnectionState.ACTIVE:
        return "skipped"
    paused = limits.paused_until(connection.kind)
    if paused is not None:
        countdown = max(1.0, (paused - timezone.now()).total_seconds())
        raise self.retry(countdown=countdown, max_retries=None)
    with limits.slot(connection.kind) as held:
        if held is None:
            raise self.retry(countdown=limits.busy_wait().total_seconds(), max_retries=None)
        taken_by = User.objects.filter(pk=user_pk).first() if user_pk else None
        try:
            snapshot = profiles.take_snapshot(connection, taken_by=taken_by)
        except RateLimited as error:
            limits.pause(connection.kind, error.retry_after)
            raise self.retry(countdown=error.retry_after) from None
        except TemporaryFailure as error:
            logger.info("Profile snapshot of connection %s: %s", pk, error.message)
            raise self.retry(countdown=backoff(self.request.retries + 1).total_seconds()) from None
        except ConnectorError as error:
            # A refused token, an account gone: the hourly sync stops the connection and flags it.
            logger.warning("Profile snapshot of connection %s: %s", pk, error)
            return "failed"
    return snapshot.pk
