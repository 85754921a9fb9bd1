"""`make run` as a newcomer gets it: the embedded default (SQLite and the file-system broker)
migrated, seeded with the demo data, its accounts connected to the simulated platforms, those
platforms, the web server and a Celery worker with beat started by
`python -m devtools.devrun`, a worker that dies started again, and all of it stopped by Ctrl-C.
As `make run` does, debug is off: the portal's own error pages, static files still served.

CI runs the rest of the suite on PostgreSQL and Redis; this test keeps the laptop path honest."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own loopback server)
        return response.status, response.read().decode()


@pytest.fixture
def demo_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY")}
    env.update(
        DJANGO_DEBUG="false", PORTAL_DEMO="true", PORTAL_VAR_DIR=str(tmp_path / "var"),
        PORTAL_DEV_ADDRESS=f"127.0.0.1:{free_port()}",
    )  # fmt: skip
    return env


def children(pid: int) -> dict[int, str]:
    """The processes whose parent is `pid`: their command lines."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found[int(stat.parent.name)] = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue  # it ended while we looked
    return found


def wait_for_output(log_path, text: str, count: int = 1, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log_path.exists() and log_path.read_text().count(text) >= count:
            return
        time.sleep(0.5)
    pytest.fail(f"{text!r} not seen {count} times:\n" + (log_path.read_text()[-3000:] if log_path.exists() else ""))


def manage(env, *args):
    done = subprocess.run(  # noqa: S603 (our own command line)
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


def test_make_run_serves_the_demo_with_a_live_worker_and_stops_on_ctrl_c(demo_env, tmp_path):
    manage(demo_env, "migrate", "--noinput")
    manage(demo_env, "seed_demo")
    manage(demo_env, "connect_demo_accounts")  # as make run does: whichever platforms are simulated
    base = f"http://{demo_env['PORTAL_DEV_ADDRESS']}"
    log = (tmp_path / "devrun.log").open("wb")
    runner = subprocess.Popen(  # noqa: S603 (our own command line)
        [sys.executable, "-m", "devtools.devrun"], cwd=settings.BASE_DIR, env=demo_env,
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        page = health = None
        while time.monotonic() < deadline:
            try:
                page = get(f"{base}/socialamedier")
                health = json.loads(get(f"{base}/halsa")[1])
                if health["worker"] == "ok":
                    break
            except OSError:
                pass
            time.sleep(0.5)
        output = (tmp_path / "devrun.log").read_text()
        assert page and page[0] == 200, output[-3000:]
        assert "Falköpings bibliotek" in page[1] and "Räddningstjänsten Falköping" in page[1]
        assert "Bibliotekets TikTok" not in page[1]  # requested, not public
        assert health == {**health, "database": "ok", "cache": "ok", "worker": "ok"}, output[-3000:]
        # The banner with the demo logins follows once the runner sees the web server answer, and
        # says where the emails are: the demo data's notices (R25's disposal) are not printed.
        wait_for_output(tmp_path / "devrun.log", "kommunikator@demo.falkoping.se", seconds=10)
        mail_log = tmp_path / "var" / "mail.log"
        wait_for_output(tmp_path / "devrun.log", f"The emails the portal sends are written to {mail_log}")
        wait_for_output(mail_log, f"{base}/arkiv/gallring/", seconds=30)  # the link has the demo's port
        # The platforms are simulated, and the banner says so (simulators/demo.py, a child of its own).
        wait_for_output(tmp_path / "devrun.log", "The social media platforms are simulated on this machine")
        simulators = [pid for pid, command in children(runner.pid).items() if "simulators.demo" in command]
        assert len(simulators) == 1, children(runner.pid)
        assert "Subject:" not in (tmp_path / "devrun.log").read_text()
        assert "No directory at" not in (tmp_path / "devrun.log").read_text()  # whitenoise's warning

        # The portal's own 404 page, not Django's debug page; the icon and the style sheet served.
        with pytest.raises(urllib.error.HTTPError) as missing:
            get(f"{base}/finns-inte")
        assert missing.value.code == 404
        not_found = missing.value.read().decode()
        assert "Sidan kunde inte hittas" in not_found and "Django" not in not_found
        with urllib.request.urlopen(f"{base}/favicon.ico", timeout=5) as icon:  # noqa: S310 (our own loopback server)
            assert icon.url == f"{base}/static/favicon.svg" and b"#005a8c" in icon.read()
        assert get(f"{base}/static/css/portal.css")[0] == 200

        # The worker dies (as on an unrecoverable error): the runner starts a new one, which gets
        # ready, and the web server goes on serving.
        wait_for_output(tmp_path / "devrun.log", "celery@", seconds=30)
        workers = [pid for pid, command in children(runner.pid).items() if " celery " in command]
        assert len(workers) == 1, children(runner.pid)
        os.killpg(workers[0], signal.SIGKILL)
        wait_for_output(tmp_path / "devrun.log", "The Celery worker stopped (exit code -9); starting it again.")
        wait_for_output(tmp_path / "devrun.log", "beat: Starting...", count=2)
        wait_for_output(tmp_path / "devrun.log", " ready.", count=2)
        again = [pid for pid, command in children(runner.pid).items() if " celery " in command]
        assert len(again) == 1 and again != workers
        assert get(f"{base}/socialamedier")[0] == 200

        runner.send_signal(signal.SIGINT)  # what Ctrl-C sends
        assert runner.wait(timeout=30) == 0
        with pytest.raises(OSError):
            get(f"{base}/socialamedier")
        with pytest.raises(ProcessLookupError):
            os.killpg(again[0], 0)  # the new worker stopped with the runner
        with pytest.raises(ProcessLookupError):
            os.killpg(simulators[0], 0)  # and so did the simulated platforms
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()
        log.close()


def test_the_runner_starts_the_simulated_platforms_first_and_says_where_they_are(tmp_path):
    from devtools import devrun

    names = [child.name for child in devrun.children_to_run()]
    assert names == ["simulated platforms", "web server", "Celery worker"]
    assert devrun.children_to_run()[0].command[1:] == ["-m", "simulators.demo"]

    plan = tmp_path / "simulators.json"
    plan.write_text(json.dumps({"simulators": {"facebook": "http://127.0.0.1:8100"}, "missing": ["feed"]}))
    text = devrun.platforms_banner(plan)
    assert "simulated on this machine" in text and "facebook   http://127.0.0.1:8100" in text
    assert "not simulated yet: feed" in text
    assert "simulated on this machine" in devrun.platforms_banner(tmp_path / "none.json")  # not written yet


def test_the_simulated_platforms_serve_until_stopped_and_write_their_addresses(tmp_path):
    from simulators import demo

    env = {**os.environ, "PORTAL_VAR_DIR": str(tmp_path), "PORTAL_SIMULATORS_PORT": str(free_port())}
    process = subprocess.Popen(  # noqa: S603 (our own command line)
        [sys.executable, "-m", "simulators.demo"], cwd=settings.BASE_DIR, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "simulators.json").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        plan = json.loads((tmp_path / "simulators.json").read_text())
        assert set(plan["simulators"]) | set(plan["missing"]) == set(demo.MODULES)
        assert plan["anchor"] and plan["changes_at"]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
