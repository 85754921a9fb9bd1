"""Django's Redis cache, made to degrade to "no cache" while Redis cannot be reached.

The portal uses the cache for what it can rebuild: the public list's rendering, allauth's sign-in
rate limits and its record of used TOTP codes. None of that is worth an error page, so while Redis
is down (refused, timed out) every read is a miss and every write is dropped, and the pages are
served from PostgreSQL. Other Redis errors (a wrong type, a full memory) are real faults and raise.

Two things fail *open* during an outage, on purpose, and are logged so the outage is seen:
- allauth's sign-in rate limits count nothing (a failed `add` reads as "the key was new"), and
- a TOTP code's "already used" mark is not stored, so within its 30 seconds it could be replayed.
Failing closed would lock every comms officer out of the portal (`add` false reads as "code used")
for as long as Redis is down. The README's "What to monitor" asks for an alert on the warning below.

Timeouts are short (settings.CACHES OPTIONS), so a Redis host that does not answer costs a request
about a second, not a hung worker.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# One warning per process per this many seconds: an outage under load must not flood the log.
WARNING_INTERVAL = 60.0


class _Outage:
    last_warning = -WARNING_INTERVAL

    @classmethod
    def report(cls, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - cls.last_warning >= WARNING_INTERVAL:
            cls.last_warning = now
            logger.warning(
                "Redis cache unreachable (%s: %s: %s); serving without the cache. Sign-in rate limits are "
                "not counted until it is back.",
                operation,
                type(error).__name__,
                error,
            )


class ResilientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        # Django wraps the pool in a new redis.Redis on every call, and redis-py fills its table of
        # response callbacks each time: a third of the time of the public page served from its copy
        # (bench/README.md). A client holds nothing but its pool and is safe to share across
        # threads, so one per pool serves every call.
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client

    def add(self, key, value, timeout):
        try:
            return super().add(key, value, timeout)
        except UNREACHABLE as error:
            _Outage.report("add", error)
            return True  # "the key was not there": see the module's docstring

    def get(self, key, default):
        try:
            return super().get(key, default)
        except UNREACHABLE as error:
            _Outage.report("get", error)
            return default

    def set(self, key, value, timeout):
        try:
            return super().set(key, value, timeout)
        except UNREACHABLE as error:
            _Outage.report("set", error)
            return None

    def touch(self, key, timeout):
        try:
            return super().touch(key, timeout)
        except UNREACHABLE as error:
            _Outage.report("touch", error)
            return False

    def delete(self, key):
        try:
            return super().delete(key)
        except UNREACHABLE as error:
            _Outage.report("delete", error)
            return False

    def get_many(self, keys):
        try:
            return super().get_many(keys)
        except UNREACHABLE as error:
            _Outage.report("get_many", error)
            return {}

    def has_key(self, key):
        try:
            return super().has_key(key)
        except UNREACHABLE as error:
            _Outage.report("has_key", error)
            return False

    def set_many(self, data, timeout):
        try:
            return super().set_many(data, timeout)
        except UNREACHABLE as error:
            _Outage.report("set_many", error)
            return []

    def delete_many(self, keys):
        try:
            return super().delete_many(keys)
        except UNREACHABLE as error:
            _Outage.report("delete_many", error)
            return None

    # incr() and clear() still raise: nothing in the portal counts on them, and a caller that does
    # must hear that its number or its wipe did not happen.


class ResilientRedisCache(RedisCache):
    """settings.CACHES["default"]["BACKEND"] = "falkoping_some.cache.ResilientRedisCache"."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient
