"""Load test: gunicorn with the production settings, wrk from a second process.

    .venv/bin/python bench/load.py        (or `make load`; bench/README.md)

Prepares the database named by BENCH_DATABASE_URL (created if missing, migrated, demo data loaded),
collects the static files into a temporary folder, starts gunicorn on 127.0.0.1, then runs wrk
against the public page /socialamedier (50 connections, 30 s) and a signed-in dashboard / (10
connections, 30 s). Every response that is not 2xx counts as an error, and so does every socket
error or timeout. Beside the throughput, the server's CPU time per request: that of gunicorn's
master and workers (bench/cpu.py) over the run, divided by the requests served. The figures go to
bench/results/load-<date>.json and are printed as a table; the exit status is 1 if there was any
error. gunicorn and the temporary folder are removed at the end, also after a failure or Ctrl-C.

Without wrk (BENCH_WRK names the binary, `wrk` by default) the Python client bench/httpload.py
measures instead, and the output says which client measured. The database and Redis are
bench/servers.py's: the servers of DATABASE_URL and REDIS_URL, the bench's own database and number.

Production settings, with one difference for plain HTTP on loopback: every request carries the
`X-Forwarded-Proto: https` header that the TLS-terminating proxy sets in production, so HTTPS
redirects, HSTS and secure cookies stay as in production (DJANGO_SECURE_SSL_REDIRECT is not
touched). The database and Redis must be on loopback: the script refuses anything else.
"""

import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

import cpu
import httpload
import servers

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
PYTHON = sys.executable
HOST = "127.0.0.1"

try:
    DATABASE_URL = servers.load_database_url()
    REDIS_URL = servers.redis_url(servers.LOAD_REDIS_DB)
    SERVERS_ERROR = None
except servers.NotLoopback as error:
    DATABASE_URL = REDIS_URL = None
    SERVERS_ERROR = str(error)
DURATION = int(os.environ.get("BENCH_DURATION", "30"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
USER_EMAIL = os.environ.get("BENCH_USER", "redaktor@demo.falkoping.se")
# (name, path, connections, signed in)
SCENARIOS = [
    ("public /socialamedier", "/socialamedier", 50, False),
    ("dashboard / (signed in)", "/", 10, True),
]
PROXY_HEADER = "X-Forwarded-Proto: https"
# wrk's scripts: report.lua counts every status (a response() callback: wrk buffers each body for
# it); count.lua only the totals (no callback, no buffering: for pages of megabytes).
STATUS_SCRIPT = BENCH_DIR / "report.lua"
TOTALS_SCRIPT = BENCH_DIR / "count.lua"


def fail(message):
    print(f"bench/load.py: {message}", file=sys.stderr)
    sys.exit(2)


def wrk_binary() -> str | None:
    """The wrk to run (BENCH_WRK, a path or a name on PATH; `wrk` by default), or None: not installed."""
    return shutil.which(os.environ.get("BENCH_WRK") or "wrk")


def wrk_version(binary) -> str:
    # `wrk --version` prints "wrk 4.1.0 [epoll] Copyright …" and exits 1 (it wants a URL too).
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603 (wrk itself)
    return out.split(" [", 1)[0].strip() or "wrk"


def client_name() -> str:
    """Which client measures: wrk (with its version), or the Python client when wrk is missing."""
    binary = wrk_binary()
    return wrk_version(binary) if binary else "python (bench/httpload.py)"


def check_prerequisites():
    if SERVERS_ERROR:
        fail(SERVERS_ERROR)
    if not wrk_binary():
        print(
            f"wrk is not there ({os.environ.get('BENCH_WRK') or 'wrk'} not found; `make load` installs it where it"
            " can: root and apt-get): the Python client bench/httpload.py measures instead, a floor for the"
            " throughput (bench/README.md).",
            file=sys.stderr,
        )
    if not shutil.which("gunicorn", path=str(Path(PYTHON).parent)):
        fail(f"gunicorn is not in {Path(PYTHON).parent}: run `make` once (requirements.txt has it).")
    if urlsplit(DATABASE_URL).scheme not in {"postgres", "postgresql"}:
        fail("BENCH_DATABASE_URL must be a PostgreSQL URL: the load test measures the production setup.")


def production_env(var_dir):
    """The environment of a production server, apart from the loopback host and the bench's services."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TZ", "SYSTEMROOT") if key in os.environ}
    env.update(
        DJANGO_DEBUG="false",
        PORTAL_DEMO="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        PORTAL_VAR_DIR=str(var_dir),
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env, *args):
    command = [PYTHON, "manage.py", *args]
    subprocess.run(command, cwd=BASE_DIR, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 (our own command)


def create_database():
    import psycopg2

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            if not re.fullmatch(r"[A-Za-z0-9_]+", name):
                fail(f"database name {name!r}: use letters, digits and _ only.")
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def prepare(env):
    """Database, demo data and static files; then Django in this process for the session and versions."""
    create_database()
    manage(env, "migrate", "--noinput")
    # seed_demo refuses production settings, as it should: demo mode for that one command only.
    manage({**env, "PORTAL_DEMO": "true"}, "seed_demo")
    manage(env, "collectstatic", "--noinput")
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "falkoping_some.settings"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def signed_in_cookie():
    """A session for the bench user, made as the sign-in would make it (MFA is not needed below comms)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.filter(email=USER_EMAIL, is_active=True).first()
    if user is None:
        fail(f"no active user {USER_EMAIL} (BENCH_USER) in the bench database.")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def delete_session(cookie):
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=cookie.split("=", 1)[1]).delete()


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(env, port, log_path):
    log = open(log_path, "wb")  # noqa: SIM115 (closed with the process in stop_gunicorn)
    process = subprocess.Popen(  # noqa: S603 (our own command line)
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "falkoping_some.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(WORKERS),
            "--timeout",
            "60",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stop_gunicorn ends the master and its workers
    )
    process.log = log
    return process


def stop_gunicorn(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    process.log.close()


def get(port, path, cookie=None):
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", headers={"X-Forwarded-Proto": "https"})
    if cookie:
        request.add_header("Cookie", cookie)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wait_until_up(process, port, log_path):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail(f"gunicorn stopped at start (exit {process.returncode}):\n{Path(log_path).read_text()[-3000:]}")
        try:
            if get(port, "/socialamedier") == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    fail("gunicorn did not answer /socialamedier with 200 within 60 s.")


def run_wrk(port, path, connections, cookie, duration, script=STATUS_SCRIPT):
    threads = min(os.cpu_count() or 1, connections)
    binary = wrk_binary()
    command = [
        binary,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-H",
        PROXY_HEADER,
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command += ["-s", str(script), f"http://{HOST}:{port}{path}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    # subprocess.run kills wrk if this process is stopped meanwhile; the timeout bounds a hung wrk.
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=True)  # noqa: S603 (our own command line)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = done.stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH-JSON "))
    raw = json.loads(line.removeprefix("BENCH-JSON "))
    raw["client_cpu_s"] = round(
        (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), 3
    )  # wrk's own CPU: it is a child of this process, waited for
    raw["client"] = f"{wrk_version(binary)} ({Path(script).name}, {threads} threads)"
    return raw


def run_load(port, path, connections, cookie, duration, count_statuses=True):
    """wrk's figures for one run: wrk where it is installed, else the Python client (the same shape).
    count_statuses: every status counted (report.lua), or only the totals (count.lua), which for
    large pages keeps wrk from buffering every body. The Python client counts statuses either way."""
    if wrk_binary():
        return run_wrk(port, path, connections, cookie, duration, STATUS_SCRIPT if count_statuses else TOTALS_SCRIPT)
    headers = [PROXY_HEADER] + ([f"Cookie: {cookie}"] if cookie else [])
    return httpload.run(HOST, port, path, connections=connections, seconds=duration, headers=headers)


def measure(server, port, path, connections, cookie, duration, count_statuses=True):
    """run_load, with the server's CPU time over the run (gunicorn's master and workers: bench/cpu.py)."""
    before = cpu.cpu_seconds(server.pid)
    raw = run_load(port, path, connections, cookie, duration, count_statuses)
    raw["server_cpu_s"] = round(cpu.cpu_seconds(server.pid) - before, 3)
    return raw


def summarise(name, path, connections, raw):
    seconds = raw["duration_us"] / 1e6
    non_2xx = sum(n for code, n in raw["statuses"].items() if not 200 <= int(code) < 300)
    requests = raw["requests"]
    server_cpu = raw.get("server_cpu_s")
    measured = server_cpu is not None
    return {
        "scenario": name,
        "path": path,
        "connections": connections,
        "client": raw.get("client"),
        "duration_s": round(seconds, 2),
        "requests": requests,
        "requests_per_s": round(requests / seconds, 1) if seconds else 0.0,
        "bytes": raw.get("bytes"),
        "latency_ms": {key: round(value / 1000, 1) for key, value in raw["latency_us"].items()},
        "statuses": raw["statuses"],
        # count.lua counts the 4xx and 5xx only, without telling them apart.
        "status_errors": raw.get("status_errors", 0),
        "socket_errors": raw["socket_errors"],
        "errors": non_2xx + raw.get("status_errors", 0) + sum(raw["socket_errors"].values()),
        "server_cpu_s": server_cpu,
        "server_cpu_ms_per_request": round(server_cpu * 1000 / requests, 3) if measured and requests else None,
        # Cores the server kept busy: near the machine's cores, the server was the limit.
        "server_cores_busy": round(server_cpu / seconds, 2) if measured and seconds else None,
        "client_cpu_s": raw.get("client_cpu_s"),
    }


def read_meminfo():
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def machine():
    from django.db import connection
    from redis import Redis

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    binary = wrk_binary()
    return {
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "memory_gib": read_meminfo(),
        "os": f"{platform.system()} {platform.release()}",
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "versions": {
            "python": platform.python_version(),
            "django": metadata.version("django"),
            "gunicorn": metadata.version("gunicorn"),
            "postgresql": postgres,
            "redis": Redis.from_url(REDIS_URL).info()["redis_version"],
            "wrk": wrk_version(binary) if binary else "not installed",
        },
        "load_client": client_name(),
    }


def print_table(results):
    header = (
        f"{'scenario':<26}{'conns':>6}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'CPU ms/req':>11}{'cores':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in results:
        latency = row["latency_ms"]
        print(
            f"{row['scenario']:<26}{row['connections']:>6}{row['requests']:>10}{row['requests_per_s']:>9}"
            f"{latency['p50']:>9}{latency['p99']:>9}{row['errors']:>8}"
            f"{row['server_cpu_ms_per_request'] or '':>11}{row['server_cores_busy'] or '':>7}"
        )
    for row in results:
        print(f"{row['scenario']}: measured by {row['client']}")
    print(
        "CPU ms/req: the CPU time of gunicorn's master and workers per request served (not PostgreSQL's or"
        f" Redis's); cores: that CPU time over the run's duration (the machine has {os.cpu_count() or '?'})."
    )


def main():
    check_prerequisites()
    # SIGTERM (a CI timeout, kill) ends the run like Ctrl-C, through the cleanup below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    var_dir = Path(tempfile.mkdtemp(prefix="falkoping-bench-"))
    gunicorn = cookie = None
    try:
        env = production_env(var_dir)
        print(f"Preparing {urlsplit(DATABASE_URL).path.lstrip('/')} (migrate, demo data, collectstatic) …")
        prepare(env)
        cookie = signed_in_cookie()
        port = free_port()
        log_path = var_dir / "gunicorn.log"
        print(f"Starting gunicorn with {WORKERS} workers on {HOST}:{port} …")
        gunicorn = start_gunicorn(env, port, log_path)
        wait_until_up(gunicorn, port, log_path)
        if (status := get(port, "/", cookie)) != 200:
            fail(f"the signed-in dashboard answered {status}, not 200: is {USER_EMAIL} active?")
        info = machine()
        results = []
        for name, path, connections, signed_in in SCENARIOS:
            # A short warm-up (workers' first requests, the public list's cache), not counted.
            run_load(port, path, connections, cookie if signed_in else None, 3)
            print(f"Running {name}: {connections} connections for {DURATION} s ({client_name()}) …")
            raw = measure(gunicorn, port, path, connections, cookie if signed_in else None, DURATION)
            results.append(summarise(name, path, connections, raw))
        info["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        if gunicorn is not None:
            stop_gunicorn(gunicorn)
        if cookie is not None:
            delete_session(cookie)
        shutil.rmtree(var_dir, ignore_errors=True)

    now = datetime.now(UTC)
    report = {
        "taken_at": now.isoformat(timespec="seconds"),
        "settings": {
            "DJANGO_DEBUG": False,
            "database": "PostgreSQL on loopback",
            "cache_and_broker": "Redis on loopback",
            "gunicorn_workers": WORKERS,
            "static_files": "collectstatic + whitenoise (manifest)",
            "proxy_header": PROXY_HEADER,
            "signed_in_user": USER_EMAIL,
        },
        "machine": info,
        # What else ran on the machine meanwhile, in words (BENCH_NOTE): the figures depend on it.
        "note": os.environ.get("BENCH_NOTE", ""),
        "results": results,
    }
    out = BENCH_DIR / "results" / f"load-{now:%Y-%m-%dT%H%M}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print()
    print_table(results)
    print(f"\nWritten to {out.relative_to(BASE_DIR)}")
    errors = sum(row["errors"] for row in results)
    if errors:
        print(f"{errors} errors (non-2xx responses, socket errors or timeouts): see the statuses in the file.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
