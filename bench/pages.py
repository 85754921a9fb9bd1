"""Benchmark of the pages: the public list, the staff pages and the CSV import.

    DATABASE_URL=postgres://…/falkoping_bench_10000 REDIS_URL=redis://127.0.0.1:6379/7 \\
    PORTAL_DEMO=true DJANGO_SECRET_KEY=x .venv/bin/python bench/pages.py --accounts 10000 --out pages.json

Run by bench/run.py on a database seeded with `seed_bench --accounts N --weeks 52`. It measures:

- the public page /socialamedier, uncached: its cache dropped before each render (median of 7, with
  the Django test client) and the number of queries;
- the public page, cached, under wrk against gunicorn with the production settings (bench/load.py's
  helpers), side by side with a static file of exactly the same bytes served by the same gunicorn and
  whitenoise in the same run (no Accept-Encoding on either, so both are sent uncompressed). wrk runs
  with bench/count.lua, which has no response() callback: with one, wrk buffers every body and, for
  a page of megabytes, becomes the limit itself. Beside the throughput, gunicorn's CPU time per
  request (bench/cpu.py), which depends much less on the client. The goal: the page at 80% or more of
  the static file's throughput, and at most 1/0.8 of its CPU time per request. Without wrk the Python
  client bench/httpload.py measures, and the JSON and the table say which client measured;
- the staff pages (the account list, the review queue, the dashboard) with the test client as comms,
  an editor and a manager, with the open flags topped up to 10,000 inside a transaction that is
  rolled back: p50 and p95 over 20 requests and the number of queries. The goal: p50 under 100 ms;
- the CSV import of 100,000 weekly rows as the worker runs it (import_activity), in a subprocess for
  its peak memory (VmHWM), inside a transaction that is rolled back.

The database is left as it was found. Exit status 0 even when a goal is missed (the JSON says so).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import memory

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
PUBLIC_PATH = "/socialamedier"
STATIC_NAME = "bench-same-size-as-socialamedier.html"
UNCACHED_RENDERS = 7
STAFF_REQUESTS = 20
TARGET_OPEN_FLAGS = 10_000
IMPORT_ROWS = 100_000
WRK_CONNECTIONS = 50
ROUNDS = 3  # page and static in turns, this many times each
GOAL_STATIC_RATIO = 0.8
GOAL_STAFF_P50_MS = 100


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "falkoping_some.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "x")
    # The test client asks for "testserver".
    hosts = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ["DJANGO_ALLOWED_HOSTS"] = f"{hosts},testserver"
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def timed_get(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(path, secure=True)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return elapsed * 1000, len(queries), response


# --- The public page, uncached --------------------------------------------------------------------


def bench_public_uncached():
    from django.test import Client

    from accounts.models import SocialAccount
    from accounts.selectors import invalidate_public_accounts

    client = Client()
    times, counts, size = [], [], 0
    for _n in range(UNCACHED_RENDERS):
        invalidate_public_accounts()  # outside a transaction: dropped at once
        ms, queries, response = timed_get(client, PUBLIC_PATH)
        times.append(ms)
        counts.append(queries)
        size = len(response.content)
    # The same page once more, now from the cache (the test client, no gunicorn).
    cached_ms = [timed_get(client, PUBLIC_PATH) for _n in range(UNCACHED_RENDERS)]
    return {
        "active_accounts": SocialAccount.objects.active().count(),
        "uncached_render_ms_median": round(statistics.median(times), 1),
        "uncached_render_ms_all": [round(t, 1) for t in times],
        "uncached_queries": max(counts),
        "cached_render_ms_median": round(statistics.median(ms for ms, _q, _r in cached_ms), 2),
        "cached_queries": max(q for _ms, q, _r in cached_ms),
        "body_bytes": size,
    }


# --- The public page, cached, against a static file under wrk ------------------------------------


def bytes_consistent(raw, connections, response_bytes):
    """Whether the bytes the client read are those of `requests` responses of `response_bytes` each,
    plus at most one unfinished response per connection when the time ran out. A redirect or an
    error page among them (count.lua does not tell the statuses apart) would make it False."""
    done = raw["requests"] * response_bytes
    slack = 0.002 * done + 100 * raw["requests"]  # a Date header, a few bytes here and there
    return done - slack <= raw["bytes"] <= done + connections * response_bytes + slack


def bench_public_throughput(seconds):
    import httpload
    import load

    from accounts.selectors import invalidate_public_accounts

    # The cache may hold the page of another database that used the same Redis (bench/run.py runs
    # every size against one): drop it, as a change to the registry would.
    invalidate_public_accounts()
    var_dir = Path(tempfile.mkdtemp(prefix="falkoping-bench-pages-"))
    gunicorn = None
    try:
        env = load.production_env(var_dir)
        load.manage(env, "collectstatic", "--noinput")
        port = load.free_port()
        log_path = var_dir / "gunicorn.log"

        def fetch(path):
            """(status, the response's bytes on the wire, its head, its body)."""
            status, head, body = httpload.fetch(load.HOST, port, path, headers=[load.PROXY_HEADER])
            return status, len(head) + len(body), head, body

        # The page's bytes as served, to make the static file of the same size: gunicorn is started
        # once for that, and again with the file in place (whitenoise reads the folder at start).
        gunicorn = load.start_gunicorn(env, port, log_path)
        load.wait_until_up(gunicorn, port, log_path)
        _status, _size, page_head, body = fetch(PUBLIC_PATH)
        load.stop_gunicorn(gunicorn)
        gunicorn = None
        (var_dir / "staticfiles" / STATIC_NAME).write_bytes(body)
        gunicorn = load.start_gunicorn(env, port, log_path)
        load.wait_until_up(gunicorn, port, log_path)
        static_path = f"/static/{STATIC_NAME}"
        paths = {"page": PUBLIC_PATH, "static": static_path}
        response_bytes = {}
        for name, path in paths.items():
            status, size, _head, served = fetch(path)
            if status != 200 or served != body:
                raise RuntimeError(f"{path} does not answer 200 with the page's bytes")
            response_bytes[name] = size
        for path in paths.values():
            load.run_load(port, path, WRK_CONNECTIONS, None, 3, count_statuses=False)  # warm-up, not counted
        # The two in turns, ROUNDS times each (seconds in all for each): the machine is shared, and
        # a change of load between one long run of each would show as a difference between them.
        rounds = {name: [] for name in paths}
        for _round in range(ROUNDS):
            for name, path in paths.items():
                raw = load.measure(
                    gunicorn, port, path, WRK_CONNECTIONS, None, max(1, seconds // ROUNDS), count_statuses=False
                )
                run = load.summarise(name, path, WRK_CONNECTIONS, raw)
                run["bytes_consistent"] = bytes_consistent(raw, WRK_CONNECTIONS, response_bytes[name])
                rounds[name].append(run)
        results = {}
        for name, runs in rounds.items():
            requests = sum(run["requests"] for run in runs)
            duration = sum(run["duration_s"] for run in runs)
            server_cpu = sum(run["server_cpu_s"] for run in runs)
            client_cpu = sum(run["client_cpu_s"] or 0 for run in runs)
            results[name] = {
                "path": paths[name],
                "requests": requests,
                "duration_s": round(duration, 2),
                "requests_per_s": round(requests / duration, 1),
                "errors": sum(run["errors"] for run in runs),
                "bytes_consistent": all(run["bytes_consistent"] for run in runs),
                "server_cpu_s": round(server_cpu, 2),
                "server_cpu_ms_per_request": round(server_cpu * 1000 / requests, 3) if requests else None,
                "server_cores_busy": round(server_cpu / duration, 2),
                "client_cpu_s": round(client_cpu, 2),
                "client_cores_busy": round(client_cpu / duration, 2),
                "rounds": runs,
            }
        ratio = results["page"]["requests_per_s"] / results["static"]["requests_per_s"]
        page_cpu, static_cpu = (results[name]["server_cpu_ms_per_request"] for name in ("page", "static"))
        return {
            "client": rounds["page"][0]["client"],
            "connections": WRK_CONNECTIONS,
            "seconds": seconds,
            "gunicorn_workers": load.WORKERS,
            "cores": os.cpu_count(),
            "body_bytes": len(body),
            "response_bytes": response_bytes,
            "compression": "none: no Accept-Encoding sent for either",
            "page_headers": [
                line
                for line in page_head.decode("latin-1").split("\r\n")
                if line.lower().startswith(("cache-control:", "vary:", "set-cookie:"))
            ],
            "page": results["page"],
            "static": results["static"],
            "ratio": round(ratio, 3),
            # The static file's CPU time per request over the page's: 1 is as cheap as the file.
            "cpu_ratio": round(static_cpu / page_cpu, 3) if page_cpu and static_cpu else None,
        }
    finally:
        if gunicorn is not None:
            load.stop_gunicorn(gunicorn)
        shutil.rmtree(var_dir, ignore_errors=True)


# --- The staff pages ------------------------------------------------------------------------------


class Rollback(Exception):
    pass


def top_up_open_flags(target):
    """Open flags up to `target`, inside the caller's transaction: one per account and kind."""
    from accounts.models import SocialAccount
    from review.models import OPEN_FLAG_STATUSES, FlagKind, ReviewFlag

    open_now = ReviewFlag.objects.filter(status__in=OPEN_FLAG_STATUSES).count()
    missing = target - open_now
    if missing <= 0:
        return open_now
    taken = set(ReviewFlag.objects.filter(status__in=OPEN_FLAG_STATUSES).values_list("account_id", "kind"))
    accounts = list(SocialAccount.objects.active().order_by("pk").values_list("pk", flat=True))
    rows = []
    for kind in FlagKind.values:
        for pk in accounts:
            if len(rows) >= missing:
                break
            if (pk, kind) not in taken:
                rows.append(ReviewFlag(account_id=pk, kind=kind, evidence={"bench": True}))
    ReviewFlag.objects.bulk_create(rows, batch_size=2000)
    return open_now + len(rows)


def staff_users():
    """A comms member, an editor (an active mandate) and a manager of a unit with accounts."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.models import Mandate, OrgUnit

    User = get_user_model()
    today = timezone.localdate()
    comms = User.objects.filter(is_active=True, groups__name=settings.COMMS_GROUP_NAME).order_by("pk").first()
    mandate = Mandate.objects.active_on(today).filter(user__is_active=True).order_by("pk").first()
    unit = OrgUnit.objects.filter(parent__isnull=True, managers__is_active=True).order_by("pk").first()
    manager = unit.managers.filter(is_active=True).order_by("pk").first() if unit else None
    return {"comms": comms, "editor": mandate.user if mandate else None, "manager": manager}


def bench_staff():
    from django.db import transaction
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment
    from django.urls import reverse

    from review.models import OPEN_FLAG_STATUSES, ReviewFlag

    pages = [
        ("account list", reverse("accounts:list"), ("comms", "editor", "manager")),
        ("review queue", reverse("review:queue"), ("comms",)),
        ("dashboard", reverse("dashboard"), ("comms", "editor", "manager")),
    ]
    rows = []
    info = {}
    try:
        with transaction.atomic():
            info["open_flags_before"] = ReviewFlag.objects.filter(status__in=OPEN_FLAG_STATUSES).count()
            info["open_flags"] = top_up_open_flags(TARGET_OPEN_FLAGS)
            users = staff_users()
            for page, path, roles in pages:
                for role in roles:
                    user = users[role]
                    if user is None:
                        continue
                    client = Client()
                    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
                    timed_get(client, path)  # warm-up
                    samples = [timed_get(client, path) for _n in range(STAFF_REQUESTS)]
                    # Once more, untimed, with the test instrumentation that records the context.
                    setup_test_environment()
                    try:
                        response = client.get(path, secure=True)
                    finally:
                        teardown_test_environment()
                    context = response.context
                    paginated = bool(context and "page" in context and hasattr(context["page"], "paginator"))
                    rows.append(
                        {
                            "page": page,
                            "path": path,
                            "role": role,
                            "p50_ms": round(percentile([s[0] for s in samples], 0.5), 1),
                            "p95_ms": round(percentile([s[0] for s in samples], 0.95), 1),
                            "queries": max(s[1] for s in samples),
                            "paginated": paginated,
                            # The dashboard is not paginated: each of its lists is cut to its first
                            # rows with a link to the whole list (accounts/views/registry.py).
                            "bounded": paginated or page == "dashboard",
                            "rows_shown": len(context["page"]) if paginated else None,
                            "bytes": len(samples[-1][2].content),
                        }
                    )
            raise Rollback
    except Rollback:
        pass
    return rows, info


# --- The CSV import -------------------------------------------------------------------------------


def make_import_csv() -> str:
    """The CSV text of IMPORT_ROWS valid weekly rows for this database."""
    import datetime

    from django.utils import timezone

    from accounts.models import SocialAccount
    from activity.models import WeeklyActivity
    from falkoping_some.lib.weeks import week_start

    today = timezone.localdate()
    this_week = week_start(today)
    # Valid rows: active accounts' weeks since their activation, the latest 52 at most, up to last
    # week; existing weeks are updated (one more post) and missing ones created. Only the accounts
    # the file needs are read (enough for IMPORT_ROWS at 52 weeks each, and some to spare).
    accounts = list(
        SocialAccount.objects.active()
        .exclude(activated_on=None)
        .order_by("pk")
        .values_list("pk", "activated_on")[: IMPORT_ROWS // 26 + 100]
    )
    existing = {
        (a, w): p
        for a, w, p in WeeklyActivity.objects.filter(account_id__in=[pk for pk, _d in accounts])
        .values_list("account_id", "week", "posts")
        .iterator()
    }
    lines = ["account,week,posts"]
    for pk, activated_on in accounts:
        first = week_start(activated_on)
        for back in range(1, 53):
            week = this_week - datetime.timedelta(weeks=back)
            if week < first or len(lines) > IMPORT_ROWS:
                break
            posts = existing.get((pk, week))
            lines.append(f"{pk},{week:%G-W%V},{(posts + 1) % 500 if posts is not None else 3}")
    return "\n".join(lines) + "\n"


def import_child(path):
    """In a subprocess: import the CSV file as the worker would, then roll back."""
    setup_django()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from activity.csv_import import import_activity

    actor = staff_users()["comms"]
    today = timezone.localdate()
    text = Path(path).read_text(encoding="utf-8")
    rows = text.count("\n") - 1
    baseline_kib = memory.peak_rss_kib()
    result = {}
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            outcome = import_activity(actor, text, today=today)
            result["seconds"] = round(time.perf_counter() - start, 2)
            result["queries"] = len(queries)
            raise Rollback
    except Rollback:
        pass
    peak_kib = memory.peak_rss_kib()
    result.update(
        rows=rows,
        errors=len(outcome.errors),
        first_errors=outcome.errors[:3],
        created=outcome.created,
        updated=outcome.updated,
        peak_rss_mib=round(peak_kib / 1024, 1),
        rss_before_import_mib=round(baseline_kib / 1024, 1),
        import_rss_growth_mib=round((peak_kib - baseline_kib) / 1024, 1),
        file_mib=round(len(text.encode()) / 1024 / 1024, 2),
    )
    print("BENCH-JSON " + json.dumps(result))


def bench_import():
    with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8") as csv_file:
        csv_file.write(make_import_csv())
        csv_file.flush()
        done = subprocess.run(  # noqa: S603 (this very script)
            [sys.executable, __file__, "--import-child", csv_file.name],
            capture_output=True,
            text=True,
            check=False,
            timeout=1800,
        )
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH-JSON ")), None)
    if line is None:
        return {"error": (done.stderr or done.stdout)[-2000:]}
    return json.loads(line.removeprefix("BENCH-JSON "))


# --- Main -----------------------------------------------------------------------------------------


def print_table(report):
    public = report["public"]
    print(f"Public page /socialamedier at {report['accounts']} accounts ({public.get('active_accounts')} active)")
    if public:
        print(
            f"  uncached: {public['uncached_render_ms_median']} ms median, {public['uncached_queries']} queries;"
            f" cached (test client): {public['cached_render_ms_median']} ms, {public['cached_queries']} queries;"
            f" {public['body_bytes']} bytes"
        )
    throughput = report.get("throughput") or {}
    if "ratio" in throughput:
        page, static = throughput["page"], throughput["static"]
        print(
            f"  {throughput['connections']} connections, measured by {throughput['client']}:\n"
            f"    page   {page['requests_per_s']} req/s, server CPU {page['server_cpu_ms_per_request']} ms/request"
            f" ({page['server_cores_busy']} cores busy; client {page['client_cores_busy']})\n"
            f"    static {static['requests_per_s']} req/s, server CPU {static['server_cpu_ms_per_request']} ms/request"
            f" ({static['server_cores_busy']} cores busy; client {static['client_cores_busy']})\n"
            f"    page / static: throughput {throughput['ratio']}, CPU per request {throughput['cpu_ratio']}"
            f" (static's CPU per request over the page's); errors {page['errors']} and {static['errors']};"
            f" bytes as expected: {page['bytes_consistent'] and static['bytes_consistent']}"
        )
    print(f"\n{'page':<14}{'role':<9}{'p50 ms':>8}{'p95 ms':>8}{'queries':>9}  paginated")
    for row in report["staff"]:
        print(
            f"{row['page']:<14}{row['role']:<9}{row['p50_ms']:>8}{row['p95_ms']:>8}{row['queries']:>9}"
            f"  {row['paginated']}"
        )
    imp = report["import"]
    if "seconds" in imp:
        print(
            f"\nCSV import of {imp['rows']} rows: {imp['seconds']} s, {imp['queries']} queries,"
            f" peak RSS {imp['peak_rss_mib']} MiB (+{imp['import_rss_growth_mib']} MiB), errors {imp['errors']}"
        )
    elif imp:
        print(f"\nCSV import failed: {imp}")
    print(f"\nGoals met: {report['goal_met']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--accounts", type=int)
    parser.add_argument("--out")
    parser.add_argument("--wrk-seconds", type=int, default=15)
    parser.add_argument("--skip", action="append", default=[], choices=["public", "throughput", "staff", "import"])
    parser.add_argument("--import-child", metavar="CSV", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_child:
        import_child(args.import_child)
        return 0
    if not args.accounts or not args.out:
        parser.error("--accounts and --out are required")
    setup_django()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        print("bench/pages.py: DATABASE_URL must be a PostgreSQL database seeded with seed_bench.", file=sys.stderr)
        return 2
    import load

    # The database and Redis this script was given (bench/run.py: the bench's own, bench/servers.py)
    # are the ones gunicorn serves from too.
    load.DATABASE_URL = os.environ["DATABASE_URL"]
    load.REDIS_URL = os.environ.get("REDIS_URL") or load.REDIS_URL
    info = load.machine()
    report = {"accounts": args.accounts, "database": settings.DATABASES["default"]["NAME"], "machine": info}
    report["public"] = bench_public_uncached() if "public" not in args.skip else {}
    report["throughput"] = bench_public_throughput(args.wrk_seconds) if "throughput" not in args.skip else {}
    report["static_ratio"] = report["throughput"].get("ratio")
    report["static_cpu_ratio"] = report["throughput"].get("cpu_ratio")
    report["staff"], report["staff_setup"] = bench_staff() if "staff" not in args.skip else ([], {})
    report["import"] = bench_import() if "import" not in args.skip else {}
    info["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    staff_p50 = [row["p50_ms"] for row in report["staff"]]
    report["goal_met"] = {
        "static_ratio": report["static_ratio"] is not None and report["static_ratio"] >= GOAL_STATIC_RATIO,
        "static_cpu_ratio": report["static_cpu_ratio"] is not None and report["static_cpu_ratio"] >= GOAL_STATIC_RATIO,
        "static_bytes_consistent": bool(report["throughput"])
        and all(report["throughput"][name]["bytes_consistent"] for name in ("page", "static")),
        "staff_p50_under_100ms": bool(staff_p50) and max(staff_p50) < GOAL_STAFF_P50_MS,
        "staff_paginated": all(row["paginated"] for row in report["staff"] if row["page"] != "dashboard"),
        "staff_bounded": all(row["bounded"] for row in report["staff"]),
        # Constant in N is judged by comparing the query counts of two sizes (bench/run.py, and the
        # test suite's accounts/tests/test_query_counts.py); here, the counts for this N.
        "public_queries_at_this_n": report["public"].get("uncached_queries"),
        "import_ok": report["import"].get("errors") == 0,
    }
    Path(args.out).write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print_table(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
