"""The performance benchmarks, in one run: `make bench` (bench/README.md).

    .venv/bin/python bench/run.py [--sizes 1000,10000,100000] [--only checks,pages] [--wrk-seconds 15]

For each size N it prepares a PostgreSQL database of its own, falkoping_bench_<N> (created if
missing, migrated, and filled by `seed_bench --accounts N --weeks 52` unless it already holds exactly
that), then runs each benchmark script against it in a subprocess of its own:

- bench/checks.py: the scheduled checks against their raw SQL, a naive ORM loop and memory;
- bench/pages.py: the public page (uncached, and cached under wrk against a static file of the same
  size), the staff pages and the CSV import.

The results go to bench/results/bench-<date>.json with the machine and the versions, a table is
printed, and bench/results/scaling.png plots time against N. The databases are left in place for the
next run (drop them with `psql -c 'DROP DATABASE falkoping_bench_100000'`). The exit status is 1 when
a benchmark script failed (its figures are then missing from the table).

The databases are on the PostgreSQL server of DATABASE_URL and Redis number 7 on the server of
REDIS_URL, or BENCH_POSTGRES and BENCH_REDIS_URL (bench/servers.py); never the portal's own
database, which seed_bench would empty.
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

import servers

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
PYTHON = sys.executable
try:
    SERVER = servers.postgres_server()
    REDIS_URL = servers.redis_url(servers.BENCH_REDIS_DB)
except servers.NotLoopback as error:
    print(f"bench/run.py: {error}", file=sys.stderr)
    sys.exit(2)
WEEKS = 52
SCRIPTS = {"checks": BENCH_DIR / "checks.py", "pages": BENCH_DIR / "pages.py"}


def fail(message):
    print(f"bench/run.py: {message}", file=sys.stderr)
    sys.exit(2)


def database_url(n: int) -> str:
    return servers.database_url(f"falkoping_bench_{n}")


def environment(n: int) -> dict:
    """Settings for the synthetic database: demo mode (seed_bench refuses production settings)."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TZ") if key in os.environ}
    env.update(
        DATABASE_URL=database_url(n),
        REDIS_URL=REDIS_URL,
        PORTAL_DEMO="true",
        DJANGO_SECRET_KEY="bench-only-not-a-secret",  # noqa: S106 (a synthetic database on loopback)
        PORTAL_VAR_DIR=str(Path(tempfile.gettempdir()) / f"falkoping-bench-{n}"),
        LOG_LEVEL="WARNING",
    )
    return env


def psql_connect(dbname="postgres"):
    import psycopg2

    parts = urlsplit(SERVER)  # on loopback (bench/servers.py)
    connection = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
        password=parts.password or None, dbname=dbname,
    )  # fmt: skip
    connection.autocommit = True
    return connection


def seeded_with(n: int):
    """The parameters of the bench marker in the database, or None (missing, empty, or no marker)."""
    import psycopg2

    try:
        connection = psql_connect(f"falkoping_bench_{n}")
    except psycopg2.OperationalError:
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('accounts_datasetmarker')")
            if cursor.fetchone()[0] is None:
                return None
            cursor.execute("SELECT parameters FROM accounts_datasetmarker WHERE kind = 'bench'")
            row = cursor.fetchone()
            return row[0] if row else None
    finally:
        connection.close()


def prepare(n: int, reseed: bool) -> dict:
    """The database of size n, migrated and seeded; returns what seeding cost (or that it was reused)."""
    name = f"falkoping_bench_{n}"
    connection = psql_connect()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    env = {**os.environ, **environment(n)}
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True)  # noqa: S603
    parameters = seeded_with(n)
    if not reseed and parameters and parameters.get("accounts") == n and parameters.get("weeks") == WEEKS:
        return {"reused": True, "parameters": parameters}
    print(f"Seeding {name}: {n} accounts × {WEEKS} weeks …", flush=True)
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 (our own command)
        [PYTHON, "manage.py", "seed_bench", "--accounts", str(n), "--weeks", str(WEEKS), "--reset"],
        cwd=BASE_DIR, env=env, check=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    connection = psql_connect(name)  # fresh statistics, as autovacuum would have them in a while
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    return {"reused": False, "seconds": round(seconds, 1), "parameters": seeded_with(n)}


def run_script(name: str, n: int, extra: list[str]) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        path = Path(out.name)
    try:
        command = [PYTHON, str(SCRIPTS[name]), "--accounts", str(n), "--out", str(path), *extra]
        print(f"\n== {name} at N = {n:,} ==", flush=True)
        completed = subprocess.run(command, cwd=BASE_DIR, env={**os.environ, **environment(n)})  # noqa: S603
        if completed.returncode != 0 or not path.stat().st_size:
            return {"error": f"{name} exited with {completed.returncode}"}
        return json.loads(path.read_text())
    finally:
        path.unlink(missing_ok=True)


def machine() -> dict:
    connection = psql_connect()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    connection.close()
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else ""
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"MemTotal:\s*(\d+) kB", meminfo.read_text())
        memory = round(int(found.group(1)) / 1024 / 1024, 1) if found else ""
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": memory,
        "os": f"{platform.system()} {platform.release()}",
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "versions": {
            "python": platform.python_version(),
            "django": metadata.version("django"),
            "psycopg2": metadata.version("psycopg2-binary"),
            "gunicorn": metadata.version("gunicorn"),
            "postgresql": postgres,
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--only", default="checks,pages")
    parser.add_argument("--wrk-seconds", default="15")
    parser.add_argument("--reseed", action="store_true", help="Seed again even when the data is there.")
    parser.add_argument("--seed-only", action="store_true", help="Prepare the databases and stop.")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    only = [s for s in args.only.split(",") if s]
    for name in only:
        if name not in SCRIPTS:
            fail(f"unknown benchmark {name!r}: choose from {', '.join(SCRIPTS)}")

    started = datetime.now(UTC)
    results = {"started": started.isoformat(timespec="seconds"), "machine": machine(), "sizes": {}}
    for n in sizes:
        results["sizes"][str(n)] = {"seed": prepare(n, args.reseed)}
    if args.seed_only:
        print(json.dumps(results["sizes"], indent=2))
        return
    for n in sizes:
        for name in only:
            extra = ["--wrk-seconds", args.wrk_seconds] if name == "pages" else []
            results["sizes"][str(n)][name] = run_script(name, n, extra)
    results["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    results["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench-{started:%Y-%m-%dT%H%M}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print_summary(results)
    failed = [
        f"{name} at {n}"
        for n, size in results["sizes"].items()
        for name in only
        if isinstance(size.get(name), dict) and "error" in size[name]
    ]
    if failed:
        # The plot of the last complete run stays: a failed script has no figures to draw.
        print(f"\nResults: {out.relative_to(BASE_DIR)}. Failed: {', '.join(failed)}: see its output above.")
        sys.exit(1)
    # One size has no slope to draw: the plot of the last run over several sizes stays.
    plotted = plot(results, RESULTS / "scaling.png") if len(sizes) > 1 else None
    print(f"\nResults: {out.relative_to(BASE_DIR)}" + (f", plot: {plotted.relative_to(BASE_DIR)}" if plotted else ""))


def _get(data, *keys):
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def summary_rows(results) -> list[tuple[str, list]]:
    """One row per figure, one column per size: what the table prints and the README quotes."""
    sizes = list(results["sizes"])
    per = [results["sizes"][n] for n in sizes]

    def worst_ratio(size, key, run=None):
        rows = [c.get(run) if run else c for c in _get(size, "checks", "checks") or []]
        ratios = [row.get(key) for row in rows if row and row.get(key)]
        return max(ratios) if ratios else None

    def naive(size, name):
        for check in _get(size, "checks", "checks") or []:
            if check["name"] == name:
                return check.get("naive_ratio")
        return None

    def staff_worst(size):
        rows = _get(size, "pages", "staff") or []
        return max((row["p50_ms"] for row in rows), default=None)

    def staff_queries(size):
        rows = _get(size, "pages", "staff") or []
        return max((row["queries"] for row in rows), default=None)

    return [
        ("accounts", [int(n) for n in sizes]),
        ("checks, all: seconds", [_get(s, "checks", "all", "seconds") for s in per]),
        ("checks, all: queries", [_get(s, "checks", "all", "queries") for s in per]),
        ("checks: worst ratio to SQL alone", [worst_ratio(s, "ratio_to_finding_sql") for s in per]),
        ("checks, all, first run: seconds", [_get(s, "checks", "all_runs", "first", "seconds") for s in per]),
        ("first run: worst ratio to SQL", [worst_ratio(s, "ratio_to_finding_sql", "first") for s in per]),
        ("checks, all, churn: seconds", [_get(s, "checks", "all_runs", "churn", "seconds") for s in per]),
        ("churn: worst ratio to SQL", [worst_ratio(s, "ratio_to_finding_sql", "churn") for s in per]),
        ("checks: worst ratio to floor SQL", [worst_ratio(s, "ratio_to_raw") for s in per]),
        ("inactive: naive loop / check", [naive(s, "inactive") for s in per]),
        ("checks: worker memory MB", [_get(s, "checks", "worker_rss_mb") for s in per]),
        ("public, uncached: ms", [_get(s, "pages", "public", "uncached_render_ms_median") for s in per]),
        ("public, uncached: queries", [_get(s, "pages", "public", "uncached_queries") for s in per]),
        ("public, cached: req/s", [_get(s, "pages", "throughput", "page", "requests_per_s") for s in per]),
        ("static file: req/s", [_get(s, "pages", "throughput", "static", "requests_per_s") for s in per]),
        ("cached / static", [_get(s, "pages", "throughput", "ratio") for s in per]),
        (
            "public, cached: CPU ms/request",
            [_get(s, "pages", "throughput", "page", "server_cpu_ms_per_request") for s in per],
        ),
        (
            "static file: CPU ms/request",
            [_get(s, "pages", "throughput", "static", "server_cpu_ms_per_request") for s in per],
        ),
        ("static / cached, CPU per request", [_get(s, "pages", "throughput", "cpu_ratio") for s in per]),
        ("staff pages: worst p50 ms", [staff_worst(s) for s in per]),
        ("staff pages: most queries", [staff_queries(s) for s in per]),
        ("CSV import: seconds", [_get(s, "pages", "import", "seconds") for s in per]),
        ("CSV import: memory MiB", [_get(s, "pages", "import", "import_rss_growth_mib") for s in per]),
    ]


def print_summary(results):
    rows = summary_rows(results)
    print("\n== Summary ==")
    for label, values in rows:
        cells = "".join(f"{'' if v is None else (f'{v:,}' if isinstance(v, int) else v):>14}" for v in values)
        print(f"{label:<34}{cells}")
    clients = {_get(size, "pages", "throughput", "client") for size in results["sizes"].values()} - {None}
    if clients:
        print(f"The public page and the static file were measured by: {', '.join(sorted(clients))}.")


def plot(results, path: Path) -> Path | None:
    """Time against N, log-log: each check and all of them beside their raw SQL, and the public page."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is missing (requirements-dev.txt): no plot.")
        return None
    sizes = [int(n) for n in results["sizes"]]
    per = [results["sizes"][str(n)] for n in sizes]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    names = [c["name"] for c in _get(per[-1], "checks", "checks") or []]
    for name in names:
        points = [
            (n, c["seconds"])
            for n, size in zip(sizes, per, strict=True)
            for c in _get(size, "checks", "checks") or []
            if c["name"] == name and c.get("seconds") is not None
        ]
        if points:
            left.plot(*zip(*points, strict=True), marker="o", linewidth=1, label=name)
    everything = [(n, _get(s, "checks", "all", "seconds")) for n, s in zip(sizes, per, strict=True)]
    everything = [(n, v) for n, v in everything if v is not None]
    if everything:
        left.plot(*zip(*everything, strict=True), marker="s", color="black", linewidth=2.5, label="all checks")
    for key, style, label in (
        ("finding_sql_seconds", "--", "their SQL alone, all"),
        ("raw_sql_seconds", ":", "hand-written floor, all"),
    ):
        raw = [
            (n, sum(c[key] for c in _get(s, "checks", "checks") or [] if c.get(key)))
            for n, s in zip(sizes, per, strict=True)
        ]
        raw = [(n, v) for n, v in raw if v]
        if raw:
            left.plot(*zip(*raw, strict=True), linestyle=style, color="black", label=label)
    left.set(xscale="log", yscale="log", xlabel="accounts (52 weeks each)", ylabel="seconds",
             title="Scheduled checks")  # fmt: skip
    left.legend(fontsize=7)
    left.grid(True, which="both", alpha=0.3)
    uncached = [(n, _get(s, "pages", "public", "uncached_render_ms_median")) for n, s in zip(sizes, per, strict=True)]
    uncached = [(n, v) for n, v in uncached if v is not None]
    cached = [(n, _get(s, "pages", "public", "cached_render_ms_median")) for n, s in zip(sizes, per, strict=True)]
    cached = [(n, v) for n, v in cached if v is not None]
    if uncached:
        right.plot(*zip(*uncached, strict=True), marker="o", label="uncached render")
    if cached:
        right.plot(*zip(*cached, strict=True), marker="o", label="the copy for anonymous visitors (in process)")
    right.set(xscale="log", yscale="log", xlabel="accounts", ylabel="milliseconds", title="/socialamedier")
    right.legend()
    right.grid(True, which="both", alpha=0.3)
    figure.suptitle(f"{results['machine']['cpu']} ({results['machine']['cores']} cores), {results['started']}")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


if __name__ == "__main__":
    main()
