"""Pytest plugin: tests that need PostgreSQL, Redis or a real Chromium.

A test marked `postgres`, `redis` or `browser` runs when its service is there. When it is not,
the test is skipped with the reason on a laptop, and fails in CI (CI=true), where every service
must be present: a missing service must never make a test pass silently. The end of the run says
which services were missing and how many tests that cost.

`python -m devtools.testenv` (what `make test` runs) finds local services before Django's
settings load; this plugin checks what the settings actually got.
"""

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# marker → how the service is named in messages
SERVICES = {"postgres": "PostgreSQL", "redis": "Redis", "browser": "Chromium"}


@dataclass(frozen=True)
class Availability:
    available: bool
    detail: str  # where it was found, or why it is missing


@dataclass(frozen=True)
class Decision:
    action: str  # "run", "skip" or "fail"
    message: str = ""


def ci_requires_services(environ=os.environ) -> bool:
    """In CI every service must be present: a test that would be skipped fails instead."""
    return environ.get("CI", "").strip().lower() in ("true", "1")


def chromium_path(environ=os.environ) -> str:
    return environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM


def decide(marker: str, availability: Availability, ci: bool) -> Decision:
    if availability.available:
        return Decision("run")
    service = SERVICES[marker]
    if ci:
        return Decision("fail", f"CI requires {service}: {availability.detail}")
    return Decision("skip", f"{service} not available: {availability.detail}")


def postgres_availability() -> Availability:
    from django.db import connection

    if connection.vendor == "postgresql":
        return Availability(True, "the database is PostgreSQL")
    return Availability(False, f"the database is {connection.vendor} (set DATABASE_URL to a PostgreSQL database)")


def redis_availability() -> Availability:
    import redis
    from django.conf import settings

    if not settings.REDIS_URL:
        return Availability(False, "REDIS_URL is not set")
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    except (redis.RedisError, OSError) as exc:
        return Availability(False, f"no answer from REDIS_URL ({exc})")
    return Availability(True, "Redis answers")


def browser_availability(environ=os.environ) -> Availability:
    path = chromium_path(environ)
    if os.access(path, os.X_OK) and Path(path).is_file():
        return Availability(True, path)
    return Availability(False, f"no Chromium at {path} (install chromium or set CHROMIUM_PATH)")


CHECKS = {"postgres": postgres_availability, "redis": redis_availability, "browser": browser_availability}


class ServiceGate:
    """Checks each service once per session and counts the tests each missing one stopped."""

    def __init__(self, ci: bool):
        self.ci = ci
        self.availability: dict[str, Availability] = {}
        self.stopped = Counter()

    def check(self, marker: str) -> Availability:
        if marker not in self.availability:
            self.availability[marker] = CHECKS[marker]()
        return self.availability[marker]

    def gate(self, item) -> None:
        for marker in SERVICES:
            if item.get_closest_marker(marker) is None:
                continue
            decision = decide(marker, self.check(marker), self.ci)
            if decision.action == "run":
                continue
            self.stopped[marker] += 1
            if decision.action == "fail":
                pytest.fail(decision.message, pytrace=False)
            # Reported at the test's own line, as a skip marker would be.
            raise pytest.skip.Exception(decision.message, _use_item_location=True)

    def summary_lines(self) -> list[str]:
        outcome = "failed (CI requires it)" if self.ci else "skipped"
        return [
            f"{SERVICES[marker]} missing ({self.availability[marker].detail}): {count} test(s) {outcome}"
            for marker, count in self.stopped.items()
        ]


_gate_key = pytest.StashKey[ServiceGate]()


def pytest_configure(config):
    config.stash[_gate_key] = ServiceGate(ci=ci_requires_services())


# tryfirst: decide before any fixture (database, live server, browser) is set up.
@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    item.config.stash[_gate_key].gate(item)


def pytest_terminal_summary(terminalreporter, config):
    lines = config.stash[_gate_key].summary_lines()
    if lines:
        terminalreporter.section("missing services")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def browser_type_launch_args(pytestconfig):
    """pytest-playwright launches the system's Chromium (no `playwright install` download),
    headless, with nothing that calls out to Google's servers."""
    return {
        "executable_path": chromium_path(),
        "headless": not pytestconfig.getoption("headed", default=False),
        "args": CHROMIUM_ARGS,
    }
