"""Real services to break on purpose, for the fault tests (test_faults.py).

- `RedisServer`: a private redis-server on a free loopback port, stopped and started again by the
  test (the Redis that the rest of the suite uses is never touched).
- `restart_postgres()`: restarts the PostgreSQL cluster that serves the test database, as an
  operator's `pg_ctlcluster … restart` would (needs root or the postgres user: CI has both).
- `AppServer`: gunicorn with the production settings on the test database, as deployed.
- `Visitor`: a person with a browser's cookies on that server: GETs, and POSTs forms with their
  CSRF token, as a browser behind the TLS proxy would (X-Forwarded-Proto: https).
- `SmtpSink`: a real SMTP server on loopback (aiosmtpd) that keeps what it receives.
"""

import asyncio
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from email import message_from_bytes
from email.header import decode_header, make_header
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings

from devtools.pytest_services import ci_requires_services
from falkoping_some.tests.worker import stop

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_until(condition, what: str, seconds: float = 30, log: Path | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    tail = f"\nLog:\n{log.read_text(errors='replace')[-4000:]}" if log and log.exists() else ""
    pytest.fail(f"{what} within {seconds} s.{tail}")


def missing(what: str):
    """A tool the fault tests need is not here: fail in CI, skip elsewhere (pytest_services)."""
    if ci_requires_services():
        pytest.fail(f"CI requires {what} for the fault tests")
    pytest.skip(f"{what} not available for the fault tests")


def port_open(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


# Redis ------------------------------------------------------------------------------------------


class RedisServer:
    """`with RedisServer(tmp_path) as redis:` redis.url(db), redis.stop(), redis.start()."""

    def __init__(self, folder: Path):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            missing("redis-server")
        self.folder = folder
        self.port = free_port()
        self.process = None

    def url(self, db=0) -> str:
        return f"redis://{HOST}:{self.port}/{db}"

    def start(self):
        command = [
            self.binary, "--port", str(self.port), "--bind", HOST, "--save", "", "--appendonly", "no",
            "--dir", str(self.folder), "--daemonize", "no",
        ]  # fmt: skip
        self.log = self.folder / f"redis-{self.port}.log"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 (our own command line)
                command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        wait_until(lambda: port_open(self.port), "redis-server did not start", log=self.log)

    def stop(self):
        """As an outage: the server is gone and its port refuses connections."""
        stop(self.process, signal.SIGKILL)
        wait_until(lambda: not port_open(self.port), "redis-server did not stop")

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        if self.process is not None:
            stop(self.process, timeout=20)


# PostgreSQL -------------------------------------------------------------------------------------


def postgres_cluster() -> tuple[str, str]:
    """(version, name) of the local cluster that listens on the test database's port."""
    if shutil.which("pg_lsclusters") is None or shutil.which("pg_ctlcluster") is None:
        missing("pg_ctlcluster (Debian's postgresql-common) to restart PostgreSQL")
    if os.geteuid() != 0:
        missing("root, to restart PostgreSQL")
    db = settings.DATABASES["default"]
    if (db.get("HOST") or HOST) not in {HOST, "localhost", "::1"}:
        missing("a PostgreSQL on loopback (the fault tests never restart a remote server)")
    port = str(db.get("PORT") or 5432)
    listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True)  # noqa: S607
    for line in listing.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[2] == port:
            return fields[0], fields[1]
    missing(f"a local PostgreSQL cluster on port {port}")


def connect_test_database(**options):
    """A plain psycopg2 connection to the test database, outside Django's: another process, as
    far as PostgreSQL can tell."""
    import psycopg2

    db = settings.DATABASES["default"]
    return psycopg2.connect(
        host=db.get("HOST") or HOST, port=db.get("PORT") or 5432, user=db["USER"],
        password=db.get("PASSWORD") or None, dbname=db["NAME"], **options,
    )  # fmt: skip


def restart_postgres():
    """Restart the cluster (fast shutdown: every connection is cut) and wait until it answers."""
    import psycopg2

    version, name = postgres_cluster()
    subprocess.run(  # noqa: S603
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart", "-m", "fast"],  # noqa: S607
        check=True,
        capture_output=True,
    )

    def answers():
        try:
            connect_test_database(connect_timeout=2).close()
        except psycopg2.OperationalError:
            return False
        return True

    wait_until(answers, "PostgreSQL did not come back after its restart", seconds=60)


# The portal under gunicorn ------------------------------------------------------------------------


def production_env(database_url: str, redis_url: str, var_dir: Path, **extra) -> dict:
    """A production server's environment on loopback (as bench/load.py: TLS ends at the proxy)."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TZ") if key in os.environ}
    env.update(
        DJANGO_DEBUG="false",
        PORTAL_DEMO="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        PORTAL_VAR_DIR=str(var_dir),
        PORTAL_PRIVATE_MEDIA_ROOT=str(settings.PRIVATE_MEDIA_ROOT),
        DJANGO_STATIC_MANIFEST="false",
        COMMS_REQUIRE_MFA="true",
        LOG_LEVEL="WARNING",
        **extra,
    )
    return env


class AppServer:
    """gunicorn falkoping_some.wsgi with `env`, one worker (so that its one database connection is
    the one that lives across requests), for the duration of a `with` block."""

    def __init__(self, env: dict, log: Path, workers: int = 1):
        self.env, self.log, self.workers = env, log, workers
        self.port = free_port()

    def __enter__(self):
        gunicorn = Path(sys.executable).parent / "gunicorn"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 (our own command line)
                [str(gunicorn), "falkoping_some.wsgi", "--bind", f"{HOST}:{self.port}", "--workers",
                 str(self.workers), "--timeout", "60", "--access-logfile", "-"],
                cwd=Path(settings.BASE_DIR), env=self.env, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        wait_until(lambda: port_open(self.port) or self.process.poll() is not None, "gunicorn did not start", 60)
        if self.process.poll() is not None:
            pytest.fail(f"gunicorn stopped. Its log:\n{self.log.read_text()[-4000:]}")
        return self

    def __exit__(self, *exc):
        stop(self.process, timeout=20)

    def visitor(self) -> "Visitor":
        return Visitor(self)


@dataclass
class Response:
    status: int
    headers: dict
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Visitor:
    """One browser: its cookies, plain HTTP to gunicorn as if through the TLS proxy."""

    def __init__(self, server: AppServer):
        self.server = server
        self.cookies: dict[str, str] = {}
        self.origin = f"https://{HOST}:{server.port}"

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        headers = {"Host": f"{HOST}:{self.server.port}", "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": self.origin,
                    "Referer": self.origin + path,
                }
            )
        connection = http.client.HTTPConnection(HOST, self.server.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            text = reply.read().decode("utf-8", errors="replace")
            for name, value in reply.getheaders():
                if name.lower() == "set-cookie":
                    for morsel in SimpleCookie(value).values():
                        if morsel["max-age"] == "0" or not morsel.value:
                            self.cookies.pop(morsel.key, None)
                        else:
                            self.cookies[morsel.key] = morsel.value
            return Response(reply.status, {k.lower(): v for k, v in reply.getheaders()}, text)
        finally:
            connection.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def submit(self, path: str, form: dict, *, form_page: str | None = None) -> Response:
        """Open the form's page (for its CSRF token and cookie), then POST the form to `path`."""
        page = self.get(form_page or path)
        assert page.status == 200, f"{form_page or path} answered {page.status}: {page.text[:2000]}"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, f"no CSRF token on {form_page or path}"
        return self.request("POST", path, {"csrfmiddlewaretoken": token.group(1), **form})


# Mail -------------------------------------------------------------------------------------------


class SmtpSink:
    """A real SMTP server (aiosmtpd) on a port chosen beforehand, so that the portal can be told to
    use it while it is still down: `sink.start()` brings it up, `sink.messages` is what arrived.
    A slow server (`slow`: seconds) takes that long to accept each message; `sink.arriving` counts
    the messages it has begun to receive."""

    def __init__(self, slow: float = 0):
        self.port = free_port()
        self.slow = slow
        self.arriving = 0
        self.messages = []
        self.controller = None

    def start(self):
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
                sink.arriving += 1
                await asyncio.sleep(sink.slow)
                message = message_from_bytes(envelope.content)
                sink.messages.append(
                    {
                        "to": list(envelope.rcpt_tos),
                        "subject": str(make_header(decode_header(message["Subject"] or ""))),
                    }
                )
                return "250 OK"

        self.controller = Controller(Handler(), hostname=HOST, port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def url(self) -> str:
        return f"smtp://{HOST}:{self.port}"
