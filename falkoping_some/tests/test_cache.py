"""The Redis cache reads as empty while Redis cannot be reached, and says so in the log once
(falkoping_some/cache.py). With a real Redis stopped under the portal: test_faults.py."""

import logging
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.cache.backends.redis import RedisCache

from falkoping_some import cache as resilient
from falkoping_some.cache import ResilientRedisCache
from falkoping_some.tests.faults import free_port


@pytest.fixture
def unreachable(monkeypatch):
    """A cache whose Redis is gone: nothing listens on its port."""
    monkeypatch.setattr(resilient._Outage, "last_warning", -resilient.WARNING_INTERVAL)
    return ResilientRedisCache(
        f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    )


def test_every_read_is_a_miss_and_every_write_is_dropped(unreachable):
    assert unreachable.get("list", "missing") == "missing"
    assert unreachable.set("list", [1, 2]) is None
    assert unreachable.get("list") is None
    assert unreachable.get_many(["a", "b"]) == {}
    assert unreachable.set_many({"a": 1}) == []
    assert unreachable.has_key("a") is False
    assert unreachable.touch("a") is False
    assert unreachable.delete("a") is False
    assert unreachable.delete_many(["a"]) is None


def test_add_fails_open_so_that_sign_in_keeps_working(unreachable):
    """allauth reads a false add() as "this TOTP code was used already": comms would be locked out."""
    assert unreachable.add("allauth.mfa.totp.used?user=1&code=123456", "y") is True


def test_a_count_or_a_wipe_that_did_not_happen_still_raises(unreachable):
    from redis.exceptions import ConnectionError as RedisConnectionError

    with pytest.raises(RedisConnectionError):
        unreachable.incr("a")
    with pytest.raises(RedisConnectionError):
        unreachable.clear()


def test_the_outage_is_logged_once_a_minute_not_once_a_request(unreachable, caplog):
    with caplog.at_level(logging.WARNING, "falkoping_some.cache"):
        for _ in range(20):
            unreachable.get("list")
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == ["Redis cache unreachable"]
    assert "ConnectionError" in caplog.records[0].getMessage()


def test_the_plain_backend_would_have_raised(unreachable):
    """What the resilient one is for: Django's own RedisCache raises on the same server."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    plain = RedisCache(unreachable._servers[0], {"OPTIONS": {"socket_connect_timeout": 1}})
    with pytest.raises(RedisConnectionError):
        plain.get("list")


@pytest.mark.redis
def test_with_redis_there_it_is_an_ordinary_cache(settings):
    working = ResilientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "resilient-test"})
    working.set("list", [1, 2], 30)
    assert working.get("list") == [1, 2]
    assert working.add("list", "other") is False  # a real add still says the key was there
    working.delete("list")
    assert working.get("list") is None


@pytest.mark.redis
def test_one_client_per_pool_serves_every_call(settings):
    """Django builds a redis.Redis per call; the portal's cache keeps one per pool (cache.py)."""
    working = ResilientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "resilient-test"})
    first = working._cache.get_client(write=True)
    assert working._cache.get_client(write=False) is first
    assert first.connection_pool is working._cache._get_connection_pool(True)
    working.set("list", [1, 2], 30)
    assert working.get("list") == [1, 2]
    working.delete("list")
    assert working._cache.get_client() is first


def test_a_shared_client_still_reads_as_empty_when_redis_is_gone(unreachable):
    client = unreachable._cache.get_client()
    assert unreachable.get("list", "missing") == "missing"
    assert unreachable.get("list", "missing") == "missing"
    assert unreachable._cache.get_client() is client


def cache_key_prefixes(tmp_path, *environments: dict) -> list[str]:
    """The cache's KEY_PREFIX of a production server with each environment (settings are read once
    per process, so each is a process of its own)."""
    prefixes = []
    for environment in environments:
        done = subprocess.run(  # noqa: S603 (our own interpreter)
            [sys.executable, "-c", "from django.conf import settings; print(settings.CACHES['default']['KEY_PREFIX'])"],
            cwd=django_settings.BASE_DIR,
            env={
                "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "DJANGO_SETTINGS_MODULE": "falkoping_some.settings",
                "DJANGO_SECRET_KEY": "x" * 50, "PORTAL_VAR_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:6379/0",
                **environment,
            },
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        prefixes.append(done.stdout.strip())
    return prefixes


def test_every_deployment_has_its_own_keys_in_a_shared_redis(tmp_path):
    """A test or staging portal on the production Redis must neither read production's public page
    nor drop its sign-in limits: the keys carry a prefix of the deployment, by default one of its
    database, or CACHE_KEY_PREFIX."""
    production, again, staging, named = cache_key_prefixes(
        tmp_path,
        {"DATABASE_URL": "postgres://some@db.example.se:5432/falkoping_some"},
        {"DATABASE_URL": "postgres://some@db.example.se:5432/falkoping_some"},
        {"DATABASE_URL": "postgres://some@db.example.se:5432/falkoping_some_test"},
        {"DATABASE_URL": "postgres://some@db.example.se:5432/falkoping_some", "CACHE_KEY_PREFIX": "some-prod"},
    )
    assert production == again  # web, worker and beat of one deployment share their keys
    assert production and staging and production != staging
    assert named == "some-prod"
