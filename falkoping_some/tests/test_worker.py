"""The worker's heartbeat and the health page, then the heartbeat through a real Celery worker:
on the embedded file-system broker, and on Redis."""

import datetime
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from django.utils import timezone
from kombu import Connection

from falkoping_some import heartbeat, views
from falkoping_some.tasks import record_worker_heartbeat
from falkoping_some.tests.worker import stop

BASE_DIR = Path(settings.BASE_DIR)


def health():
    response = views.health(RequestFactory().get("/halsa"))
    return response.status_code, json.loads(response.content)


class TestHeartbeat:
    def test_record_heartbeat_stores_now_in_the_cache(self):
        assert heartbeat.last_heartbeat() is None
        recorded = heartbeat.record_heartbeat()
        assert heartbeat.last_heartbeat() == recorded
        assert timezone.now() - recorded < datetime.timedelta(seconds=5)

    def test_the_task_records_a_heartbeat(self):
        record_worker_heartbeat.apply()  # run here, without a broker
        assert heartbeat.last_heartbeat() is not None

    @pytest.mark.parametrize(
        ("age", "status"),
        [
            (None, "unknown"),
            (datetime.timedelta(0), "ok"),
            (datetime.timedelta(minutes=15), "ok"),
            (datetime.timedelta(minutes=15, seconds=1), "stale"),
        ],
    )
    def test_status_is_stale_after_three_missed_beats(self, age, status):
        now = timezone.now()
        assert heartbeat.heartbeat_status(None if age is None else now - age, now) == status


@pytest.mark.django_db
class TestHealthView:
    def test_all_well(self):
        heartbeat.record_heartbeat()
        status, body = health()
        assert status == 200
        assert body["database"] == "ok"
        assert body["cache"] == "ok"
        assert body["worker"] == "ok"
        assert datetime.datetime.fromisoformat(body["worker_last_seen"]) == heartbeat.last_heartbeat()

    def test_no_heartbeat_yet_is_unknown_but_healthy(self):
        status, body = health()
        assert (status, body["worker"], body["worker_last_seen"]) == (200, "unknown", None)

    def test_an_old_heartbeat_is_stale(self):
        cache.set(heartbeat.HEARTBEAT_CACHE_KEY, timezone.now() - datetime.timedelta(hours=1))
        status, body = health()
        assert (status, body["worker"]) == (200, "stale")

    def test_database_down_is_503(self):
        with mock.patch.object(views.connection, "cursor", side_effect=Exception("down")):
            status, body = health()
        assert (status, body["database"], body["cache"]) == (503, "error", "ok")

    def test_cache_down_is_503(self):
        with mock.patch.object(views.cache, "set", side_effect=ConnectionError("down")):
            status, body = health()
        assert status == 503
        assert body == {
            "database": "ok", "cache": "error", "worker_last_seen": None, "worker": "unknown", "capture": [],
        }  # fmt: skip

    def test_open_to_anyone_and_never_cached(self, client):
        response = client.get("/halsa")
        assert response.status_code == 200
        assert "no-cache" in response["Cache-Control"]
        assert client.post("/halsa").status_code == 405


# The real worker ----------------------------------------------------------------------------


def broker_folders(var_dir: Path) -> dict:
    """The file-system broker's folders under PORTAL_VAR_DIR, as settings.py lays them out."""
    broker = var_dir / "celery-broker"
    options = {
        "data_folder_in": str(broker / "queue"),
        "data_folder_out": str(broker / "queue"),
        "processed_folder": str(broker / "processed"),
        "store_processed": False,
        "control_folder": str(broker / "control"),
    }
    for key in ("data_folder_in", "processed_folder", "control_folder"):
        Path(options[key]).mkdir(parents=True, exist_ok=True)
    return options


@pytest.fixture
def start_worker(tmp_path):
    """Start `celery worker` as a subprocess on its own queue (nothing else in the broker is
    consumed); it is stopped, its whole process group, when the test ends."""
    started = []

    def start(env_overrides: dict) -> tuple[str, Path]:
        queue = f"heartbeat-test-{uuid.uuid4().hex}"
        log = tmp_path / f"{queue}.log"
        env = {**os.environ, **env_overrides}
        command = [
            sys.executable, "-m", "celery", "-A", "falkoping_some", "worker", "--pool", "solo", "-c", "1",
            "-Q", queue, "-n", f"{queue}@%h", "-l", "info", "--without-mingle", "--without-gossip",
        ]  # fmt: skip
        with log.open("wb") as out:
            worker = subprocess.Popen(  # noqa: S603 (our own command line)
                command, cwd=BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        started.append(worker)
        return queue, log

    yield start

    for worker in started:
        stop(worker)


def wait_for_task(result, log: Path, seconds=30):
    """The worker ran exactly this task (its log says so) and the heartbeat is in the shared cache.

    The worker also records a heartbeat when it starts, so the cache alone would not prove that
    the task travelled through the broker."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if f"[{result.id}] succeeded" in log.read_text() and heartbeat.last_heartbeat() is not None:
            return
        time.sleep(0.25)
    pytest.fail(f"The worker did not run task {result.id} within {seconds} s. Its log:\n{log.read_text()[-4000:]}")


def test_heartbeat_through_a_worker_on_the_file_system_broker(start_worker, tmp_path):
    var_dir = tmp_path / "var"
    options = broker_folders(var_dir)
    # The worker uses the embedded default (no REDIS_URL) under its own PORTAL_VAR_DIR; this
    # process reads the same file-based cache and writes to the same broker folders.
    queue, log = start_worker({"PORTAL_VAR_DIR": str(var_dir), "REDIS_URL": ""})
    file_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(var_dir / "cache"),
            "KEY_PREFIX": settings.CACHE_KEY_PREFIX,  # the worker derives the same one
        }
    }
    with override_settings(CACHES=file_cache):
        assert heartbeat.last_heartbeat() is None
        with Connection("filesystem://localhost//", transport_options=options) as broker:
            result = record_worker_heartbeat.apply_async(queue=queue, connection=broker)
        wait_for_task(result, log)


@pytest.mark.redis
def test_heartbeat_through_a_worker_on_redis(start_worker, tmp_path):
    # The worker and this process both use REDIS_URL as broker and cache, as in production.
    queue, log = start_worker({"PORTAL_VAR_DIR": str(tmp_path / "var"), "REDIS_URL": settings.REDIS_URL})
    assert heartbeat.last_heartbeat() is None
    result = record_worker_heartbeat.apply_async(queue=queue)
    wait_for_task(result, log)
