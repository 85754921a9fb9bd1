"""The per-platform limits shared by every worker (capture/limits.py): slots that expire with a dead
worker, a pause that every worker sees, and the task rescheduling a busy or paused platform's
connection instead of failing it. On the default cache and on Redis (the production backend)."""

import datetime
import time

import pytest
import time_machine
from django.core.cache import caches
from django.utils import timezone

from capture import crypto, limits, tasks
from capture.connectors import registry
from capture.models import CapturedItem, Connection

from .toy import ToyConnector


@pytest.fixture(params=["default", pytest.param("redis", marks=pytest.mark.redis)])
def shared_cache(request, settings, monkeypatch):
    """The cache the limits use: the test settings' default, or the production Redis backend (db 15)."""
    if request.param == "redis":
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "falkoping_some.cache.ResilientRedisCache",
                "LOCATION": settings.REDIS_URL.rsplit("/", 1)[0] + "/15",
                "KEY_PREFIX": "capture-limits-test",
            },
        }
        monkeypatch.setattr(limits, "cache", caches["default"])
    cache = limits.cache
    cache.delete_many([f"capture:slot:toy:{n}" for n in range(8)] + ["capture:paused:toy"])
    yield cache
    cache.delete_many([f"capture:slot:toy:{n}" for n in range(8)] + ["capture:paused:toy"])


def test_the_slots_follow_the_connectors_concurrency(shared_cache, monkeypatch):
    monkeypatch.setattr(ToyConnector, "concurrency", 2, raising=False)
    monkeypatch.setitem(registry.CONNECTORS, "toy", "capture.tests.toy:ToyConnector")
    first, second = limits.acquire("toy"), limits.acquire("toy")
    assert first and second and first.number != second.number
    assert limits.acquire("toy") is None  # a third worker waits
    assert limits.in_use("toy") == 2
    first.release()
    third = limits.acquire("toy")
    assert third is not None and third.number == first.number
    second.release()
    third.release()
    assert limits.in_use("toy") == 0


def test_a_dead_workers_slot_expires(shared_cache):
    held = limits.acquire("toy", slots=1, ttl=1)
    assert held is not None
    assert limits.acquire("toy", slots=1, ttl=1) is None
    # The worker dies without releasing it: its slot is free once its time to live has passed.
    time.sleep(2.1)
    taken = limits.acquire("toy", slots=1, ttl=30)
    assert taken is not None
    held.release()  # the dead worker's late release does not free the new holder's slot
    assert limits.acquire("toy", slots=1) is None
    taken.release()


def test_a_pause_is_seen_by_every_worker_and_never_shortened(shared_cache):
    assert limits.paused_until("toy") is None
    until = limits.pause("toy", 120)
    assert limits.paused_until("toy") == until
    assert limits.pause("toy", 5) == until  # a shorter wait does not end the longer one
    assert limits.paused_until("toy") == until
    limits.resume("toy")
    assert limits.paused_until("toy") is None


def test_a_short_pause_ends_by_itself(shared_cache):
    limits.pause("toy", 1)
    assert limits.paused_until("toy") is not None
    time.sleep(1.2)
    assert limits.paused_until("toy") is None


def test_a_429_pauses_the_platform_for_the_other_connections(
    shared_cache, toy, connection, social_account, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks.sync_connection, "apply_async", lambda args, countdown: queued.append((args, countdown)))
    other = Connection.objects.create(
        account=social_account, kind="toy", base_url=toy.url, external_id="toy-2",
        token_encrypted=crypto.encrypt("good-token"), created_by=connection.created_by,
    )  # fmt: skip
    toy.add_post("p1", "Inlägg")
    toy.add_fault("rate_limit", 120)
    assert tasks.sync_connection(connection.pk) == "waiting"
    calls = len(toy.requests)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sync_connection(other.pk) == "paused"

    assert len(toy.requests) == calls  # the other worker did not ask the platform
    other.refresh_from_db()
    assert other.failures == 0 and other.last_error == ""  # no failure, no backoff
    paused = limits.paused_until("toy")
    assert other.next_attempt_at == paused
    assert other not in Connection.objects.due()
    [(args, countdown)] = queued
    assert args == (other.pk,) and 115 < countdown <= 121

    limits.resume("toy")  # the wait is over
    assert tasks.sync_connection(other.pk)["new"] == 1


def test_a_busy_platform_reschedules_the_connection(
    shared_cache, toy, connection, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.CAPTURE_BUSY_RETRY_SECONDS = 30
    queued = []
    monkeypatch.setattr(tasks.sync_connection, "apply_async", lambda args, countdown: queued.append((args, countdown)))
    toy.add_post("p1", "Inlägg")
    held = [limits.acquire("toy") for _ in range(limits.concurrency("toy"))]
    assert all(held)

    now = timezone.now()
    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert tasks.sync_connection(connection.pk) == "busy"
        connection.refresh_from_db()
        assert connection.next_attempt_at == now + datetime.timedelta(seconds=30)
    assert connection.failures == 0
    assert queued == [((connection.pk,), 30.0)]
    assert not CapturedItem.objects.exists()

    for slot in held:
        slot.release()
    assert tasks.sync_connection(connection.pk)["new"] == 1
    assert limits.in_use("toy") == 0  # the sync gave its slot back
