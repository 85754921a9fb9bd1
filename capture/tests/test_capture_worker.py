"""The capture end to end through a real Celery worker on Redis and PostgreSQL, as deployed: the
fan-out (`sync_all_connections`) queues one `sync_connection` per due connection, the worker syncs
each over real HTTP against the toy platform, and the items are in the database.

The worker is this repository's Celery app in a subprocess (falkoping_some/tests/worker.py) with two
additions for the test only: the toy connector registered (the tests' platform, capture/tests/toy.py)
and a queue of its own as the default one, so that no other worker on the same Redis takes its tasks."""

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from accounts.tests.factories import UserFactory
from capture import crypto, tasks
from capture.models import CapturedItem, Connection
from falkoping_some.tests.worker import database_url, stop, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Run as `python -c WORKER <queue> -A falkoping_some worker …`.
WORKER = """
import sys
from capture.connectors import registry
registry.CONNECTORS["toy"] = "capture.tests.toy:ToyConnector"
from falkoping_some.celery import app
app.conf.task_default_queue = sys.argv.pop(1)
from celery.__main__ import main
sys.argv[0] = "celery"
sys.exit(main())
"""


def test_a_worker_captures_every_due_connection(toy, library_account, social_account, tmp_path):
    for n in range(3):
        toy.add_post(f"p{n}", f"Inlägg {n}", days_ago=n)
    toy.add_comment("p0", "c1", "När öppnar ni?")
    toy.add_comment("p0", "c2", "Tack!")
    toy.add_comment("p0", "c3", "Tredje sidan")
    # Two connections of one platform: both are synced (the toy platform answers both the same).
    made_by = UserFactory()
    first, second = (
        Connection.objects.create(
            account=account,
            kind="toy",
            base_url=toy.url,
            external_id=f"toy-{n}",
            token_encrypted=crypto.encrypt("good-token"),
            created_by=made_by,
        )  # fmt: skip
        for n, account in enumerate([library_account, social_account])
    )
    queue = f"capture-test-{uuid.uuid4().hex}"
    log = tmp_path / "worker.log"
    env = {"DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL, "PORTAL_VAR_DIR": str(tmp_path / "var")}
    with worker_with_toy(log, env, queue) as worker:
        tasks.sync_all_connections.apply_async(queue=queue)
        wait_for(lambda: CapturedItem.objects.count() == 6, worker, log, "Not every item captured", seconds=90)
        wait_for(
            lambda: Connection.objects.filter(pk__in=[first.pk, second.pk], last_success_at__isnull=False).count() == 2,
            worker, log, "Not every connection synced",
        )  # fmt: skip
    text = log.read_text()
    assert "capture.tasks.sync_all_connections" in text
    assert text.count("capture.tasks.sync_connection") >= 2
    # Each item once (unique per platform and id), with its thread.
    assert CapturedItem.objects.get(platform_id="c3").thread.platform_id == "p0"
    for connection in (first, second):
        connection.refresh_from_db()
        assert connection.failures == 0 and connection.cursor == {}


@contextlib.contextmanager
def worker_with_toy(log: Path, env: dict, queue: str):
    """A `celery worker` (solo pool) as falkoping_some.tests.worker starts one, started through WORKER,
    stopped with its whole process group when the block ends."""
    command = [
        sys.executable, "-c", WORKER, queue, "-A", "falkoping_some", "worker", "--pool", "solo", "-c", "1",
        "-Q", queue, "-n", f"{queue}@%h", "-l", "info", "--without-mingle", "--without-gossip",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 (our own command line)
            command, cwd=Path(settings.BASE_DIR), env={**os.environ, **env}, stdin=subprocess.DEVNULL,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        yield process
    finally:
        stop(process)
