"""Run the tests against the local PostgreSQL and Redis when they are there.

`python -m devtools.testenv [pytest args]` (what `make test` runs) decides DATABASE_URL and
REDIS_URL before Django's settings read them, says what it chose (and whether Chromium is there for
the browser tests), then replaces itself with pytest.

A variable the user set is kept as it is; set to an empty value it means "none of that service"
(an empty DATABASE_URL is removed, so the settings fall back to SQLite). Only a variable that is
absent makes this look for the service on 127.0.0.1. Tests marked for a missing service are
skipped, or fail in CI (see devtools/pytest_services.py).
"""

import os
import sys
from urllib.parse import urlsplit, urlunsplit

from devtools.pytest_services import browser_availability, ci_requires_services

POSTGRES_PROBE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# pytest-django creates and drops test_falkoping_some beside it.
POSTGRES_TEST_URL = "postgres://postgres@127.0.0.1:5432/falkoping_some"
REDIS_PROBE_URL = "redis://127.0.0.1:6379/0"
# Its own database number: the tests flush it.
REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def postgres_reachable(url: str) -> bool:
    import psycopg2

    try:
        psycopg2.connect(url, connect_timeout=2).close()
    except psycopg2.Error:
        return False
    return True


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping())
    except (redis.RedisError, OSError):
        return False


def without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def missing(marker: str, why: str, ci: bool) -> str:
    if ci:
        return f"{why}; CI requires it: tests marked {marker} will FAIL"
    return f"{why}: tests marked {marker} will be skipped"


def choose_database(environ, ci: bool) -> str:
    url = environ.get("DATABASE_URL")
    if url is None:
        if postgres_reachable(POSTGRES_PROBE_URL):
            environ["DATABASE_URL"] = POSTGRES_TEST_URL
            return f"PostgreSQL: found on 127.0.0.1:5432, using {POSTGRES_TEST_URL}"
        return "PostgreSQL: " + missing("postgres", "not reachable on 127.0.0.1:5432, using SQLite", ci)
    if not url:
        del environ["DATABASE_URL"]
        return "PostgreSQL: " + missing("postgres", "DATABASE_URL is empty, using SQLite", ci)
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return f"PostgreSQL: using DATABASE_URL={without_password(url)}"
    return "PostgreSQL: " + missing("postgres", f"DATABASE_URL={without_password(url)} is not PostgreSQL", ci)


def choose_redis(environ, ci: bool) -> str:
    url = environ.get("REDIS_URL")
    if url is None:
        if redis_reachable(REDIS_PROBE_URL):
            environ["REDIS_URL"] = REDIS_TEST_URL
            return f"Redis: found on 127.0.0.1:6379, using {REDIS_TEST_URL}"
        return "Redis: " + missing("redis", "not reachable on 127.0.0.1:6379, using the file-system broker", ci)
    if not url:
        return "Redis: " + missing("redis", "REDIS_URL is empty, using the file-system broker", ci)
    if not redis_reachable(url):
        # The cache is Redis too then: every test that touches the cache will error.
        return f"Redis: REDIS_URL={without_password(url)} does not answer; most tests will fail"
    return f"Redis: using REDIS_URL={without_password(url)}"


def describe_chromium(environ, ci: bool) -> str:
    chromium = browser_availability(environ)
    if chromium.available:
        return f"Chromium: using {chromium.detail}"
    return "Chromium: " + missing("browser", chromium.detail, ci)


def main(args: list[str]) -> None:
    ci = ci_requires_services()
    print(choose_database(os.environ, ci))
    print(choose_redis(os.environ, ci))
    print(describe_chromium(os.environ, ci))
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, "-m", "pytest", *args])  # noqa: S606 (our own interpreter)


if __name__ == "__main__":
    main(sys.argv[1:])
