"""A real Celery worker for the tests that need one: a subprocess of `celery worker` (solo pool)
with its own environment, stopped with its whole process group afterwards, before the test
database is flushed (the worker must hold no connection to it)."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings


def database_url() -> str:
    """The test database as a URL: the worker is a separate process, a normal client of it."""
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def stop(worker: subprocess.Popen, sig=signal.SIGTERM, timeout=15) -> None:
    """Stop a subprocess started in its own session with its whole process group: `sig`, then
    SIGKILL after `timeout` seconds."""
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        try:
            worker.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


@contextlib.contextmanager
def celery_worker(log: Path, env: dict, *arguments: str, pool: str = "solo", concurrency: int = 1):
    """Run `celery -A falkoping_some worker --pool solo … *arguments` with os.environ updated by
    `env`, its output in `log`, for the duration of the block. `pool="prefork"` runs the tasks in
    child processes, as a deployed worker does."""
    command = [
        "worker", "--pool", pool, "-c", str(concurrency), "-l", "info", "--without-mingle", "--without-gossip",
        *arguments,
    ]  # fmt: skip
    with celery(log, env, command) as worker:
        yield worker


@contextlib.contextmanager
def celery_beat(log: Path, env: dict):
    """Run beat on its own, as deployed (`celery -A falkoping_some beat` with the schedules in the
    database), for the duration of the block."""
    command = ["beat", "-l", "info", "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"]
    with celery(log, env, command) as beat:
        yield beat


@contextlib.contextmanager
def celery(log: Path, env: dict, command: list[str]):
    """`celery -A falkoping_some *command` in a session of its own, stopped with its whole process group."""
    command = [sys.executable, "-m", "celery", "-A", "falkoping_some", *command]
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 (our own command line)
            command, cwd=Path(settings.BASE_DIR), env={**os.environ, **env}, stdin=subprocess.DEVNULL,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        yield process
    finally:
        stop(process)


def wait_for(condition: Callable[[], bool], worker: subprocess.Popen, log: Path, what: str, seconds=60) -> None:
    """Poll `condition` until it holds; fail with the worker's log if the worker dies or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.poll() is not None:
            pytest.fail(f"The worker stopped. Its log:\n{log.read_text()[-4000:]}")
        time.sleep(0.5)
    pytest.fail(f"{what} within {seconds} s. The worker's log:\n{log.read_text()[-4000:]}")
