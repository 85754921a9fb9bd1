"""The benchmarks' helpers (bench/, bench/README.md): they must measure what they say they measure.

- Without wrk, the Python client measures instead and says so, rather than crashing;
- that client counts every response, a redirect and a cut-short response as errors;
- the server's CPU time includes its workers;
- the benchmarks use the servers of DATABASE_URL and REDIS_URL, never the portal's databases;
- the checks are timed on runs that write: the first run raises a flag per finding, a week with
  churn resolves a tenth of the flags and raises as many.

The figures themselves are never asserted here: they belong to bench/, on a machine of its own."""

import http.server
import importlib.util
import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def bench(monkeypatch):
    """bench/'s modules, imported as its scripts import each other (the folder on sys.path)."""
    monkeypatch.syspath_prepend(str(BENCH_DIR))

    def module(name):
        spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH_DIR / f"{name}.py")
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
        return loaded

    return module


# Which servers. ----------------------------------------------------------------------------------


def test_the_benchmarks_use_the_portals_servers_and_their_own_databases(bench):
    servers = bench("servers")
    portal = {
        "DATABASE_URL": "postgres://someone:secret@127.0.0.1:5433/fs_g",
        "REDIS_URL": "redis://localhost:6380/9",
    }
    assert servers.database_url("falkoping_bench_1000", portal) == (
        "postgres://someone:secret@127.0.0.1:5433/falkoping_bench_1000"
    )
    assert servers.load_database_url(portal) == "postgres://someone:secret@127.0.0.1:5433/falkoping_bench"
    assert servers.redis_url(servers.BENCH_REDIS_DB, portal) == "redis://localhost:6380/7"
    assert servers.redis_url(servers.LOAD_REDIS_DB, portal) == "redis://localhost:6380/6"

    overridden = {
        **portal,
        "BENCH_POSTGRES": "postgres://postgres@[::1]:5432",
        "BENCH_REDIS_URL": "redis://127.0.0.1:6379/3",
    }
    assert servers.database_url("falkoping_bench_10", overridden) == "postgres://postgres@[::1]:5432/falkoping_bench_10"
    assert servers.redis_url(7, overridden) == "redis://127.0.0.1:6379/3"

    # SQLite is no server: the default PostgreSQL on loopback.
    sqlite = {"DATABASE_URL": "sqlite:////tmp/portal.sqlite3", "REDIS_URL": "redis://127.0.0.1:6379/0"}
    assert servers.database_url("falkoping_bench_10", sqlite) == "postgres://postgres@127.0.0.1:5432/falkoping_bench_10"

    # The load goes to this machine only.
    with pytest.raises(servers.NotLoopback):
        servers.database_url("falkoping_bench_10", {"DATABASE_URL": "postgres://postgres@db.example.org/x"})
    with pytest.raises(servers.NotLoopback):
        servers.redis_url(7, {"REDIS_URL": "redis://10.0.0.5:6379/0"})


# The load client. ---------------------------------------------------------------------------------

BODY = b"x" * 100_000


class Handler(http.server.BaseHTTPRequestHandler):
    """200 with BODY, a redirect, or a response cut short of its Content-Length."""

    def do_GET(self):
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/sign-in")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY[:10] if self.path == "/short" else BODY)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # HTTP/1.0: closes after each response
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_without_wrk_the_python_client_measures_and_says_so(bench, monkeypatch, http_server):
    """A missing wrk crashed `make bench` with a TypeError: now the Python client measures, the same
    figures in the same shape, and the output names it."""
    monkeypatch.setenv("BENCH_WRK", str(BENCH_DIR / "no-such-wrk"))
    load = bench("load")
    assert load.wrk_binary() is None
    assert load.client_name().startswith("python")

    raw = load.run_load(http_server, "/", connections=4, cookie=None, duration=0.5, count_statuses=False)
    row = load.summarise("ok", "/", 4, raw)
    assert row["client"].startswith("python (bench/httpload.py")
    assert row["requests"] > 0
    assert row["errors"] == 0
    assert row["statuses"] == {"200": row["requests"]}
    # Every response read to its end, and only that: the bytes of exactly that many responses.
    httpload = bench("httpload")
    _status, head, body = httpload.fetch("127.0.0.1", http_server, "/")
    assert body == BODY
    assert row["bytes"] == row["requests"] * (len(head) + len(BODY))
    assert row["latency_ms"]["p50"] > 0
    assert raw["client_cpu_s"] >= 0


def test_the_python_client_counts_redirects_and_short_responses_as_errors(bench, http_server):
    load, httpload = bench("load"), bench("httpload")
    redirected = load.summarise(
        "redirect", "/redirect", 2, httpload.run("127.0.0.1", http_server, "/redirect", connections=2, seconds=0.3)
    )
    assert redirected["requests"] > 0
    assert redirected["errors"] == redirected["requests"]  # a 302 is not a page served

    cut = httpload.run("127.0.0.1", http_server, "/short", connections=2, seconds=0.3)
    assert cut["requests"] == 0
    assert cut["socket_errors"]["read"] > 0


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db
def test_the_machine_report_does_not_need_wrk(bench, monkeypatch, settings):
    monkeypatch.setenv("BENCH_WRK", "none")
    load = bench("load")
    monkeypatch.setattr(load, "REDIS_URL", settings.REDIS_URL)
    info = load.machine()
    assert info["versions"]["wrk"] == "not installed"
    assert info["load_client"].startswith("python")


def test_summarise_reports_the_servers_cpu_per_request(bench):
    load = bench("load")
    raw = {
        "requests": 1000,
        "duration_us": 5_000_000,
        "bytes": 1000 * 300,
        "statuses": {},
        "status_errors": 3,  # count.lua: 4xx and 5xx, without telling them apart
        "socket_errors": {"connect": 0, "read": 1, "write": 0, "timeout": 0},
        "latency_us": {"p50": 1000, "p90": 2000, "p99": 3000, "max": 4000, "mean": 1200.0},
        "server_cpu_s": 2.0,
        "client_cpu_s": 0.5,
        "client": "wrk 4.1.0 (count.lua, 2 threads)",
    }
    row = load.summarise("page", "/socialamedier", 50, raw)
    assert row["requests_per_s"] == 200.0
    assert row["server_cpu_ms_per_request"] == 2.0
    assert row["server_cores_busy"] == 0.4
    assert row["errors"] == 4


def test_the_servers_cpu_time_includes_its_workers(bench):
    """gunicorn's CPU is its master's and its workers': a worker that burns CPU counts."""
    cpu = bench("cpu")
    burner = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\ntime.sleep(30)"
    master = subprocess.Popen(  # noqa: S603 (this interpreter)
        [sys.executable, "-c", f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', {burner!r}])\n"
         "time.sleep(30)"],
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while cpu.cpu_seconds(master.pid) < 0.3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(cpu.tree(master.pid)) == 2
        assert cpu.cpu_seconds(master.pid) >= 0.3
    finally:
        os.killpg(master.pid, signal.SIGKILL)
        master.wait()


# The checks, on runs that write. -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_checks_benchmark_times_a_first_run_and_a_week_with_churn(bench, settings):
    """The seed holds every flag, so a plain run writes nothing: the first run must raise a flag per
    account found, and a week with churn resolve a tenth of the flags and raise as many anew."""
    from review import scheduled_checks as checks

    settings.DEMO_MODE = True
    call_command("seed_bench", "--accounts", "120", "--weeks", "10", stdout=io.StringIO())
    bench_checks = bench("checks")
    today = timezone.localdate()
    check = checks.CHECKS["shortfall"]

    steady = checks.run_check(check, today)
    assert steady.found >= 10
    assert checks.run_check(check, today).raised == 0  # what the steady benchmark times

    expected = bench_checks.churn_setup(check, today)
    share = round(expected["flags"] * bench_checks.CHURN)
    assert expected == {"flags": steady.found, "to_raise": share, "to_resolve": share}
    assert share > 0
    churn = checks.run_check(check, today)
    assert (churn.found, churn.raised, churn.resolved) == (steady.found, share, share)

    bench_checks.first_run_setup([check.kind])
    first = checks.run_check(check, today)
    assert (first.raised, first.resolved) == (first.found, 0)
    assert first.found == steady.found
