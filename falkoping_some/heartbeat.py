"""The background worker's heartbeat: beat queues `record_worker_heartbeat` every five minutes
(migration 0001_heartbeat_schedule), the worker stores the time in the shared cache, and the
health page /halsa reads it. A heartbeat that stops means the worker or beat is down, and with
them every scheduled check of the routine."""

import datetime

from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "worker-heartbeat"
# Kept long after it goes stale, so that /halsa can say when the worker was last seen.
HEARTBEAT_CACHE_TIMEOUT = 60 * 60 * 24 * 30
# Three missed beats of the five-minute schedule.
HEARTBEAT_STALE_AFTER = datetime.timedelta(minutes=15)


def record_heartbeat() -> datetime.datetime:
    now = timezone.now()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=HEARTBEAT_CACHE_TIMEOUT)
    return now


def last_heartbeat() -> datetime.datetime | None:
    return cache.get(HEARTBEAT_CACHE_KEY)


def heartbeat_status(last_seen: datetime.datetime | None, now: datetime.datetime) -> str:
    if last_seen is None:
        return "unknown"
    return "stale" if now - last_seen > HEARTBEAT_STALE_AFTER else "ok"
