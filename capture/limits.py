"""Per-platform limits shared by every worker on every machine, through the Django cache (Redis in
production, falkoping_some.cache.ResilientRedisCache; the file cache in the demo and tests).

- Concurrency: at most `Connector.concurrency` syncs of one platform run at once, whatever the number
  of workers. Each is a slot, a cache key taken with `add` (atomic in Redis) and given a time to
  live (CAPTURE_SLOT_SECONDS): a worker that dies while syncing frees its slot when the key expires.
- Rate limits: when any worker is told to wait (RateLimited: a 429 with Retry-After, Meta's usage
  headers), the platform is paused for everyone until then, so that the other workers do not hammer
  it with the connections still queued.

capture/tasks.py asks both before a sync: a busy or paused platform reschedules the connection
(`next_attempt_at`, and the task queued again for then), which is no failure and counts no backoff.

While Redis cannot be reached the resilient cache reads as empty and its `add` says yes: the
workers then sync without the shared limits (each platform's own 429s still stop them), logged as
the cache's outage. The README's "Capturing the platforms" tells how this scales out.
"""

import contextlib
import datetime
import time
import uuid

from django.conf import settings
from django.core.cache import cache

from .connectors.registry import connector_class

DEFAULT_CONCURRENCY = 4


def _slot_key(platform: str, number: int) -> str:
    return f"capture:slot:{platform}:{number}"


def _pause_key(platform: str) -> str:
    return f"capture:paused:{platform}"


def concurrency(platform: str) -> int:
    """How many syncs of the platform may run at once across all workers (Connector.concurrency)."""
    try:
        return max(1, int(connector_class(platform).concurrency))
    except (LookupError, ImportError, AttributeError):
        return DEFAULT_CONCURRENCY


class Slot:
    """A held place among a platform's `concurrency` slots; `release()` frees it (once)."""

    def __init__(self, platform: str, number: int, owner: str):
        self.platform, self.number, self.owner = platform, number, owner

    def release(self) -> None:
        key = _slot_key(self.platform, self.number)
        # Only our own: a slot that expired and was taken by another worker is theirs now.
        if cache.get(key) == self.owner:
            cache.delete(key)


def acquire(platform: str, slots: int | None = None, ttl: int | None = None) -> Slot | None:
    """A free slot of the platform, or None when all of them are taken."""
    slots = concurrency(platform) if slots is None else slots
    ttl = settings.CAPTURE_SLOT_SECONDS if ttl is None else ttl
    owner = uuid.uuid4().hex
    for number in range(slots):
        if cache.add(_slot_key(platform, number), owner, timeout=ttl):
            return Slot(platform, number, owner)
    return None


@contextlib.contextmanager
def slot(platform: str, slots: int | None = None, ttl: int | None = None):
    """`with slot("facebook") as held:` held is a Slot, or None if the platform is busy."""
    held = acquire(platform, slots, ttl)
    try:
        yield held
    finally:
        if held is not None:
            held.release()


def in_use(platform: str, slots: int | None = None) -> int:
    slots = concurrency(platform) if slots is None else slots
    return len(cache.get_many([_slot_key(platform, number) for number in range(slots)]))


def pause(platform: str, seconds: float) -> datetime.datetime:
    """Pause the platform for every worker for `seconds` from now (never shortening a longer pause
    already set). Answers until when it is paused."""
    now = time.time()
    until = now + max(1.0, float(seconds))
    current = cache.get(_pause_key(platform))
    if isinstance(current, int | float) and current >= until:
        until = current
    else:
        cache.set(_pause_key(platform), until, timeout=int(until - now) + 1)
    return datetime.datetime.fromtimestamp(until, tz=datetime.UTC)


def paused_until(platform: str) -> datetime.datetime | None:
    """Until when the platform is paused, or None if it is not."""
    until = cache.get(_pause_key(platform))
    if not isinstance(until, int | float) or until <= time.time():
        return None
    return datetime.datetime.fromtimestamp(until, tz=datetime.UTC)


def resume(platform: str) -> None:
    cache.delete(_pause_key(platform))


def busy_wait() -> datetime.timedelta:
    """How long a connection whose platform is busy waits before it is tried again."""
    return datetime.timedelta(seconds=settings.CAPTURE_BUSY_RETRY_SECONDS)
