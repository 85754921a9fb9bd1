"""The plugin that runs, skips or (in CI) fails the tests that need PostgreSQL, Redis or Chromium."""

import pytest

from devtools import pytest_services, testenv
from devtools.pytest_services import Availability, Decision, ServiceGate, decide

MISSING = Availability(False, "REDIS_URL is not set")


@pytest.mark.parametrize(
    ("value", "required"),
    [("true", True), ("True", True), ("1", True), ("", False), ("false", False), ("0", False), (None, False)],
)
def test_ci_requires_services(value, required):
    environ = {} if value is None else {"CI": value}
    assert pytest_services.ci_requires_services(environ) is required


def test_an_available_service_runs():
    assert decide("redis", Availability(True, "Redis answers"), ci=True) == Decision("run")


def test_a_missing_service_skips_on_a_laptop():
    assert decide("redis", MISSING, ci=False) == Decision("skip", "Redis not available: REDIS_URL is not set")


def test_a_missing_service_fails_in_ci():
    assert decide("postgres", Availability(False, "the database is sqlite"), ci=True) == Decision(
        "fail", "CI requires PostgreSQL: the database is sqlite"
    )


def test_chromium_path_can_be_overridden(tmp_path):
    assert pytest_services.chromium_path({}) == "/usr/bin/chromium"
    fake = tmp_path / "chromium"
    assert not pytest_services.browser_availability({"CHROMIUM_PATH": str(fake)}).available
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert pytest_services.browser_availability({"CHROMIUM_PATH": str(fake)}) == Availability(True, str(fake))


class FakeItem:
    def __init__(self, *markers):
        self.markers = markers

    def get_closest_marker(self, name):
        return name if name in self.markers else None


class TestServiceGate:
    def gate(self, ci, availability):
        gate = ServiceGate(ci=ci)
        gate.availability = availability
        return gate

    def test_unmarked_tests_are_never_stopped(self):
        gate = self.gate(False, {"redis": MISSING})
        gate.gate(FakeItem())
        assert not gate.stopped
        assert gate.summary_lines() == []

    def test_skips_are_counted_and_summed_up(self):
        gate = self.gate(False, {"redis": MISSING})
        for _ in range(2):
            with pytest.raises(pytest.skip.Exception, match="Redis not available"):
                gate.gate(FakeItem("redis"))
        assert gate.summary_lines() == ["Redis missing (REDIS_URL is not set): 2 test(s) skipped"]

    def test_fails_in_ci(self):
        gate = self.gate(True, {"redis": MISSING})
        with pytest.raises(pytest.fail.Exception, match="CI requires Redis"):
            gate.gate(FakeItem("redis"))
        assert gate.summary_lines() == ["Redis missing (REDIS_URL is not set): 1 test(s) failed (CI requires it)"]

    def test_runs_when_every_marked_service_is_there(self):
        gate = self.gate(True, {"redis": Availability(True, ""), "postgres": Availability(True, "")})
        gate.gate(FakeItem("redis", "postgres"))
        assert not gate.stopped


class TestTestenv:
    """How `python -m devtools.testenv` reads DATABASE_URL and REDIS_URL."""

    def test_absent_variables_are_found_on_localhost(self, monkeypatch):
        monkeypatch.setattr(testenv, "postgres_reachable", lambda url: True)
        monkeypatch.setattr(testenv, "redis_reachable", lambda url: True)
        environ = {}
        testenv.choose_database(environ, ci=False)
        testenv.choose_redis(environ, ci=False)
        assert environ == {"DATABASE_URL": testenv.POSTGRES_TEST_URL, "REDIS_URL": testenv.REDIS_TEST_URL}

    def test_absent_and_unreachable_leaves_the_defaults(self, monkeypatch):
        monkeypatch.setattr(testenv, "postgres_reachable", lambda url: False)
        monkeypatch.setattr(testenv, "redis_reachable", lambda url: False)
        environ = {}
        assert testenv.choose_database(environ, ci=False).endswith("tests marked postgres will be skipped")
        assert testenv.choose_redis(environ, ci=True).endswith("CI requires it: tests marked redis will FAIL")
        assert environ == {}

    def test_set_variables_are_kept_and_empty_means_none(self, monkeypatch):
        monkeypatch.setattr(testenv, "postgres_reachable", pytest.fail)
        monkeypatch.setattr(testenv, "redis_reachable", pytest.fail)
        environ = {"DATABASE_URL": "", "REDIS_URL": ""}  # empty: nothing to look for
        testenv.choose_database(environ, ci=False)
        testenv.choose_redis(environ, ci=False)
        assert environ == {"REDIS_URL": ""}  # settings fall back to SQLite and the file-system broker
        environ = {"DATABASE_URL": "postgres://u:secret@db/x"}
        assert testenv.choose_database(environ, ci=False) == "PostgreSQL: using DATABASE_URL=postgres://u:***@db/x"

    def test_a_set_redis_url_is_checked(self, monkeypatch):
        monkeypatch.setattr(testenv, "redis_reachable", lambda url: url == "redis://up/1")
        assert testenv.choose_redis({"REDIS_URL": "redis://up/1"}, ci=False) == "Redis: using REDIS_URL=redis://up/1"
        assert "does not answer" in testenv.choose_redis({"REDIS_URL": "redis://down/1"}, ci=False)


@pytest.mark.browser
def test_the_browser_fixture_launches_chromium(page):
    page.set_content("<h1>Falköpings kommun</h1>")
    assert page.inner_text("h1") == "Falköpings kommun"
