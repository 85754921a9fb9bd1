"""The capture benchmarks (issue 18 item 5, bench/README.md "Capture"): `make bench-capture`.

    .venv/bin/python bench/capture_bench.py [--only ingest,workers,queries] [--items 100000]
        [--connections 1000] [--archive-items 100000] [--search-items 1000000] [--out FILE]

Each figure is printed beside its limit, measured in the same run:

- ingest: N items (posts with comments) captured by the real engine (capture.sync.Sync) from the toy
  platform (simulators/toy.py) served over loopback HTTP in a process of its own, against a
  bulk_create of the same rows into the same table. Goal: the sync's rate at least half the bulk
  rate. Also the queries of every synced page (min/max: constant in N) and the worker's resident
  memory every 10,000 items (flat).
- workers: a full sync of C connections by two worker processes running capture.tasks.sync_connection
  (the Celery task's own function), then a second, hourly, sync of the same connections (the re-read
  window), and the projected time of an hourly sync of 10,000 connections with two workers.
- queries: the archive page (capture.selectors.archive, the first 50 posts, with their threads) for
  an account of 100,000 items, and the full-text search (capture.selectors.search, first 50) over
  1,000,000 items, rows made by SQL generate_series from Swedish words: p50 and p95 of 20 runs
  each (goal: p50 under 200 ms), EXPLAIN (ANALYZE, BUFFERS) saved in bench/explain/capture-*.txt.

The database is its own, falkoping_bench_capture on the PostgreSQL server of DATABASE_URL (or
BENCH_POSTGRES, bench/servers.py), created and migrated when missing; its capture tables are emptied
at the start of each benchmark. Quick runs: BENCH_CAPTURE_ITEMS, BENCH_CAPTURE_CONNECTIONS,
BENCH_CAPTURE_ARCHIVE_ITEMS and BENCH_CAPTURE_SEARCH_ITEMS set the sizes.

The functions below also run inside the tests (falkoping_some/tests/test_bench_capture.py) on the
test database at a tiny size: they use Django's default connection as they find it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
EXPLAIN = BENCH_DIR / "explain"
DATABASE = "falkoping_bench_capture"
TOY = "toy"
RATE_GOAL = 0.5  # the sync's rate over the bulk insert's
P50_GOAL_MS = 200
MEMORY_GROWTH_BUDGET_MB = 20  # the worker's RSS from the first sample to the last
SAMPLE_EVERY = 10_000
HOUR = 3600
TARGET_CONNECTIONS = 10_000

# Swedish words, the common ones first: a word's index is drawn skewed towards the start (rows made in
# SQL, `words_sql`), so the first words are in most rows and the last in few. Inflected forms
# (bibliotek/biblioteket/bibliotekets) and stop words (och, att, för) are there so that the Swedish
# configuration's stemming and stop words matter.
WORDS = (  # noqa: SIM905 (170 words read better as text)
    "och att det som för på är med till av inte om har kommun kommunen vi ni den biblioteket "
    "bibliotek bibliotekets skolan skolor förskolan barn familjer ungdomar öppettider öppet stängt "
    "idag imorgon helgen veckan vecka sommar sommarlov vinter Falköping Falköpings Mösseberg Floby "
    "Stenstorp Vartofta Kinnarp simhallen simhall badet idrottshallen fotboll evenemang konsert "
    "utställning vägarbete trafik parkering snöröjning sophämtning återvinning vatten avlopp "
    "välkommen välkomna tack fråga frågor svar hjälp information nyheter anmälan kulturhuset teater "
    "bio museum ridskola föreningar seniorer äldreboende hemtjänst bygglov detaljplan samråd "
    "fullmäktige nämnden beslut budget skattesats kallt varmt regn snö sol blåsigt halka "
    "översvämning strömavbrott trevligt fantastiskt tråkigt synd bra dåligt underbart kanelbullar "
    "fika lussekatter midsommar valborg nationaldagen julmarknad hembygdsgård fornlämning gånggrift "
    "ättestupa kyrkogård elsparkcykel laddstolpe cykelbana busshållplats pendeltåg "
).split()


def configure(database_url: str | None = None):
    """Settings for the benchmark's own database, before Django starts (a standalone run only)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "falkoping_some.settings")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("PORTAL_DEMO", "true")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
    os.environ["CAPTURE_ALLOW_SIMULATORS"] = "true"
    os.environ["CAPTURE_MEDIA_ENABLED"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def text_for(n: int) -> str:
    """Deterministic Swedish-ish text of 6 to 13 words (the Python twin of WORDS_SQL)."""
    words = []
    for j in range(6 + n % 8):
        h = (n * 7919 + j * 104729) % 10007
        words.append(WORDS[int(len(WORDS) * (h / 10007) ** 2)])
    return " ".join(words).capitalize()


# The toy platform's connector (its simulator is simulators/toy.py): the tests' own
# (capture/tests/toy.py), registered in this process and the workers it forks. -------------------


def register():
    from capture.connectors import registry

    registry.CONNECTORS[TOY] = "capture.tests.toy:ToyConnector"


# The simulator, in a process of its own (its CPU and memory are not the worker's). ---------------


def build_toy(accounts: list[tuple[str, int, int]], page_size: int, now: datetime.datetime, spacing_minutes: int):
    """A toy platform with, for each (account id, posts, comments per post), that many posts, one
    every `spacing_minutes` back from `now`, each with its comments."""
    from simulators.toy import ToyPlatform

    toy = ToyPlatform(page_size=page_size, keep_requests=False)
    n = 0
    for account_id, posts, comments in accounts:
        toy.add_account(account_id, f"Konto {account_id}")
        for p in range(posts):
            post_id = f"{account_id}-p{p}"
            published = now - datetime.timedelta(minutes=spacing_minutes * (p + 1))
            toy.add_post(account_id, post_id, text_for(n), published)
            n += 1
            for c in range(comments):
                parent = f"{post_id}-c{c - 1}" if c % 3 == 2 else None  # every third answers the one before
                toy.add_comment(
                    post_id, f"{post_id}-c{c}", text_for(n), f"Invånare {n % 97}",
                    published + datetime.timedelta(minutes=c + 1), parent_id=parent,
                )  # fmt: skip
                n += 1
    return toy


def _serve_toy(spec, pipe, stop):
    from simulators.server import serve

    toy = build_toy(**spec)
    running = serve(toy)
    pipe.send(running.url)
    stop.wait()
    running.stop()


class ToyServer:
    """`with ToyServer(spec) as url:` the toy platform served by a forked process."""

    def __init__(self, spec: dict, in_process: bool = False):
        self.spec, self.in_process = spec, in_process

    def __enter__(self) -> str:
        if self.in_process:
            from simulators.server import serve

            self.running = serve(build_toy(**self.spec))
            return self.running.url
        from django.db import connections

        connections.close_all()  # a forked child must not share the parent's database socket
        context = multiprocessing.get_context("fork")
        parent, child = context.Pipe()
        self.stop = context.Event()
        self.process = context.Process(target=_serve_toy, args=(self.spec, child, self.stop), daemon=True)
        self.process.start()
        if not parent.poll(600):
            raise RuntimeError("the toy platform did not start")
        return parent.recv()

    def __exit__(self, *exc):
        if self.in_process:
            self.running.stop()
            return
        self.stop.set()
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()


# Helpers. ------------------------------------------------------------------------------------------


def rss_mb() -> float:
    """This process's resident memory now (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def empty_capture_tables():
    from django.db import connection

    from capture.models import CapturedItem, CapturedMedia, Connection, ItemVersion

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # CASCADE: what the rules above made of earlier runs' items goes too (questions, removals and
            # cases pointing at them, profile snapshots; issue 19). The benchmark's database is its own.
            cursor.execute(
                "TRUNCATE capture_capturedmedia, capture_itemversion, capture_captureditem, capture_connection CASCADE"
            )
    else:
        CapturedMedia.objects.all().delete()
        ItemVersion.objects.all().delete()
        CapturedItem.objects.all().update(thread=None, parent=None)
        CapturedItem.objects.all().delete()
        Connection.objects.all().delete()


def make_accounts(count: int):
    """`count` active accounts under one unit, and the user who connects them."""
    from accounts.tests.factories import OrgUnitFactory, SocialAccountFactory, UserFactory

    unit = OrgUnitFactory(name="Benchmark")
    user = UserFactory(email=f"bench-{time.monotonic_ns()}@example.falkoping.se")
    stamp = time.monotonic_ns()
    accounts = [
        SocialAccountFactory(name=f"Bench {stamp}-{i}", handle=f"bench{stamp}x{i}", unit=unit) for i in range(count)
    ]
    return accounts, user


def make_connections(accounts, user, url):
    from capture import crypto
    from capture.models import Connection

    return Connection.objects.bulk_create(
        Connection(
            account=account,
            kind=TOY,
            base_url=url,
            external_id=f"a{i}",
            token_encrypted=crypto.encrypt(f"token-a{i}"),
            created_by=user,
        )  # fmt: skip
        for i, account in enumerate(accounts)
    )


def percentile(values, q):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


# 1. Ingest. ---------------------------------------------------------------------------------------


def ingest(items: int, comments_per_post: int = 3, page_size: int = 100, in_process: bool = False) -> dict:
    """Captures `items` items through capture.sync.Sync over loopback HTTP, then bulk-inserts the same
    rows; answers the figures."""
    from django.db import connection as db
    from django.db import transaction
    from django.utils import timezone

    from capture import sync
    from capture.models import CapturedItem

    register()
    empty_capture_tables()
    posts = max(1, items // (1 + comments_per_post))
    now = timezone.now().replace(microsecond=0)
    spec = {"accounts": [("a0", posts, comments_per_post)], "page_size": page_size, "now": now, "spacing_minutes": 7}
    expected = posts * (1 + comments_per_post)
    [account], user = make_accounts(1)
    pages, samples, store_seconds = [], [], [0.0]
    counter = {"queries": 0}

    def count(execute, sql, params, many, context):
        # Not the savepoints of an enclosing transaction (the tests'): a page's transaction is its
        # own BEGIN and COMMIT in the worker, which no cursor executes.
        if not sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            counter["queries"] += 1
        return execute(sql, params, many, context)

    class MeasuredSync(sync.Sync):
        """The engine as it is, with a stopwatch on store_page and a count at each saved page."""

        stored = counted = 0

        def store_page(self, page_items, threads=None):
            started = time.perf_counter()
            try:
                return super().store_page(page_items, threads=threads)
            finally:
                store_seconds[0] += time.perf_counter() - started
                self.stored += len(page_items)

        def _save_cursor(self, walk):
            super()._save_cursor(walk)
            pages.append({"items": self.stored - self.counted, "queries": counter["queries"]})
            self.counted = self.stored
            counter["queries"] = 0
            boundary = (samples[-1]["items"] if samples else 0) + SAMPLE_EVERY
            if self.stored >= boundary or not samples:
                samples.append({"items": self.stored, "rss_mb": round(rss_mb(), 1)})

    with ToyServer(spec, in_process=in_process) as url:
        [conn] = make_connections([account], user, url)
        measured = MeasuredSync(conn, now=now)
        reading = [0.0]  # seconds in the connector's calls: HTTP, the simulator's answer, parsing

        def stopwatch(method):
            def timed_call(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return method(*args, **kwargs)
                finally:
                    reading[0] += time.perf_counter() - started

            return timed_call

        measured.connector.posts = stopwatch(measured.connector.posts)
        measured.connector.replies = stopwatch(measured.connector.replies)
        with db.execute_wrapper(count):
            started = time.perf_counter()
            result = measured.run()
            sync_seconds = time.perf_counter() - started
        samples.append({"items": measured.stored, "rss_mb": round(rss_mb(), 1)})
    captured = CapturedItem.objects.filter(connection=conn).count()

    # The same rows, bulk-inserted into the same table (another platform name: the unique key).
    rows = list(CapturedItem.objects.filter(connection=conn).order_by("pk"))
    post_rows, reply_rows = [r for r in rows if r.thread_id is None], [r for r in rows if r.thread_id is not None]

    def copy(row, **changes):
        clone = CapturedItem(**{f.attname: getattr(row, f.attname) for f in CapturedItem._meta.concrete_fields})
        clone.pk = None
        clone.platform = "toybulk"
        for key, value in changes.items():
            setattr(clone, key, value)
        return clone

    post_copies = [copy(r) for r in post_rows]
    started = time.perf_counter()
    with transaction.atomic():
        CapturedItem.objects.bulk_create(post_copies, batch_size=1000)
        new_pk = {r.pk: c.pk for r, c in zip(post_rows, post_copies, strict=True)}
        # Replies answer a post or an earlier reply: inserted generation by generation, each after its
        # parent, so that every row is inserted with its thread and parent set.
        waiting = reply_rows
        while waiting:
            ready = [r for r in waiting if r.parent_id is None or r.parent_id in new_pk]
            if not ready:
                raise RuntimeError("a reply whose parent is not among the rows")
            copies = [
                copy(r, thread_id=new_pk[r.thread_id], parent_id=new_pk[r.parent_id] if r.parent_id else None)
                for r in ready
            ]
            CapturedItem.objects.bulk_create(copies, batch_size=1000)
            new_pk.update((r.pk, c.pk) for r, c in zip(ready, copies, strict=True))
            waiting = [r for r in waiting if r.pk not in new_pk]
    bulk_seconds = time.perf_counter() - started
    bulk_count = CapturedItem.objects.filter(platform="toybulk").count()

    sync_rate = captured / sync_seconds if sync_seconds else 0
    store_rate = captured / store_seconds[0] if store_seconds[0] else 0
    bulk_rate = bulk_count / bulk_seconds if bulk_seconds else 0
    page_queries = [p["queries"] for p in pages if p["items"]]
    per_page = [p for p in pages if p["items"]]
    # Queries per page, in the first half of the walk and in the second: constant in N.
    half = len(page_queries) // 2 or 1
    rss = [s["rss_mb"] for s in samples]
    return {
        "items": captured,
        "expected_items": expected,
        "posts": posts,
        "comments_per_post": comments_per_post,
        "page_size": page_size,
        "http_calls": result.calls,
        "pages": result.pages,
        "sync_seconds": round(sync_seconds, 2),
        "sync_items_per_second": round(sync_rate),
        "connector_seconds": round(reading[0], 2),
        "store_page_seconds": round(store_seconds[0], 2),
        "store_page_items_per_second": round(store_rate),
        "bulk_seconds": round(bulk_seconds, 2),
        "bulk_items": bulk_count,
        "bulk_items_per_second": round(bulk_rate),
        "sync_over_bulk": round(sync_rate / bulk_rate, 3) if bulk_rate else None,
        "store_page_over_bulk": round(store_rate / bulk_rate, 3) if bulk_rate else None,
        "queries_per_page": {
            "min": min(page_queries, default=0),
            "max": max(page_queries, default=0),
            "first_half_max": max(page_queries[:half], default=0),
            "second_half_max": max(page_queries[half:], default=0),
            "items_per_page_max": max((p["items"] for p in per_page), default=0),
            "by_page": page_queries,
        },
        "rss_samples": samples,
        "rss_growth_mb": round(max(rss) - rss[0], 1) if rss else 0,
        "method": (
            "the toy platform (simulators/toy.py) in a forked process on loopback HTTP; capture.sync.Sync "
            "as it is, store_page timed apart; queries counted with connection.execute_wrapper between two "
            "saved pages (a page of posts with all their comments, or the walk's end); RSS (VmRSS) "
            f"every {SAMPLE_EVERY:,} items; the bulk insert: the synced rows copied (another platform) "
            "with bulk_create in batches of 1,000, posts then replies, in one transaction"
        ),
        "goal_met": {
            "all_captured": captured == expected,
            "sync_at_least_half_bulk": bool(bulk_rate) and sync_rate >= RATE_GOAL * bulk_rate,
            "store_page_at_least_half_bulk": bool(bulk_rate) and store_rate >= RATE_GOAL * bulk_rate,
            "queries_constant": max(page_queries[half:], default=0) <= max(page_queries[:half], default=0),
            "memory_flat": (max(rss) - rss[0]) <= MEMORY_GROWTH_BUDGET_MB if rss else True,
        },
    }


# 2. Two workers, many connections. -------------------------------------------------------------------


def _worker(queue, results):
    from django.db import connections

    from capture import tasks

    connections.close_all()
    outcome = {"done": 0, "items": 0, "statuses": {}}
    while True:
        pk = queue.get()
        if pk is None:
            break
        answer = tasks.sync_connection(pk)
        status = answer if isinstance(answer, str) else "synced"
        outcome["statuses"][status] = outcome["statuses"].get(status, 0) + 1
        if isinstance(answer, dict):
            outcome["items"] += answer["new"]
        outcome["done"] += 1
    connections.close_all()
    results.put(outcome)


def sync_round(pks, processes: int) -> dict:
    """Every connection synced once by `processes` worker processes (0: in this process)."""
    if processes == 0:
        from capture import tasks

        started = time.perf_counter()
        statuses, items = {}, 0
        for pk in pks:
            answer = tasks.sync_connection(pk)
            status = answer if isinstance(answer, str) else "synced"
            statuses[status] = statuses.get(status, 0) + 1
            items += answer["new"] if isinstance(answer, dict) else 0
        return {"seconds": round(time.perf_counter() - started, 2), "statuses": statuses, "new_items": items}
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue, results = context.Queue(), context.Queue()
    for pk in pks:
        queue.put(pk)
    for _ in range(processes):
        queue.put(None)
    started = time.perf_counter()
    workers = [context.Process(target=_worker, args=(queue, results)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    outcomes = [results.get() for _ in workers]
    seconds = time.perf_counter() - started
    for worker in workers:
        worker.join()
    statuses = {}
    for outcome in outcomes:
        for key, value in outcome["statuses"].items():
            statuses[key] = statuses.get(key, 0) + value
    return {
        "seconds": round(seconds, 2),
        "statuses": statuses,
        "new_items": sum(o["items"] for o in outcomes),
        "per_worker": [o["done"] for o in outcomes],
    }


def workers(
    connections: int, posts: int = 10, comments_per_post: int = 2, processes: int = 2, in_process: bool = False
) -> dict:
    """A first and an hourly sync of `connections` connections by `processes` workers."""
    from django.utils import timezone

    from capture.models import CapturedItem

    register()
    empty_capture_tables()
    now = timezone.now().replace(microsecond=0)
    # A post every 6 days back from now: the hourly sync re-reads the 4 of the last 30 days (the one of
    # exactly 30 days ago is just outside by then) and their comments.
    spec = {
        "accounts": [(f"a{i}", posts, comments_per_post) for i in range(connections)],
        "page_size": 100,
        "now": now,
        "spacing_minutes": 6 * 24 * 60,
    }
    accounts, user = make_accounts(connections)
    with ToyServer(spec, in_process=in_process) as url:
        pks = [c.pk for c in make_connections(accounts, user, url)]
        first = sync_round(pks, processes)
        hourly = sync_round(pks, processes)
    captured = CapturedItem.objects.count()
    per_connection = hourly["seconds"] / connections if connections else 0
    projected = per_connection * TARGET_CONNECTIONS
    return {
        "connections": connections,
        "processes": processes,
        "items_per_connection": posts * (1 + comments_per_post),
        "captured": captured,
        "first": first,
        "hourly": hourly,
        "first_connections_per_second": round(connections / first["seconds"], 1) if first["seconds"] else None,
        "hourly_connections_per_second": round(connections / hourly["seconds"], 1) if hourly["seconds"] else None,
        "projected_hourly_seconds_10000": round(projected, 1),
        "projected_first_seconds_10000": round(first["seconds"] / connections * TARGET_CONNECTIONS, 1)
        if connections
        else None,
        "method": (
            f"{processes} forked processes taking connection pks from one queue and running "
            "capture.tasks.sync_connection (the Celery task's function, with its advisory lock) against "
            "the toy platform in a process of its own; each connection has "
            f"{posts} posts, one every 6 days, with {comments_per_post} comments each; the hourly round "
            "re-reads the 30-day window (4 of the 10 posts and their comments); projection: the hourly "
            f"round's time per connection × {TARGET_CONNECTIONS:,}"
        ),
        "goal_met": {
            "all_captured": captured == connections * posts * (1 + comments_per_post),
            "all_synced": first["statuses"] == {"synced": connections} == hourly["statuses"],
            "hourly_10000_within_an_hour": projected < HOUR,
        },
    }


# 3. The archive and the search on PostgreSQL. ----------------------------------------------------------


def words_sql(row: str) -> str:
    """An SQL expression of 6 to 13 WORDS for the row number `row` (the same draw as text_for)."""
    array = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]"
    index = f"1 + floor({len(WORDS)} * power((({row}) * 7919 + j * 104729) %% 10007 / 10007.0, 2))::int"
    return (
        f"initcap(array_to_string(ARRAY(SELECT ({array})[{index}] FROM generate_series(0, 5 + ({row}) %% 8) j), ' '))"  # noqa: S608, E501
    )


INSERT_COLUMNS = (
    "connection_id, account_id, platform, platform_id, kind, thread_platform_id, parent_platform_id, "
    "thread_id, parent_id, text, author_id, author_name, by_account, permalink, permalink_key, published_at, "
    "hidden, raw, raw_sha256, captured_at, changed_at, last_seen_at, version_count"
)


def fill_for_queries(archive_items: int, total_items: int, other_accounts: int = 99) -> dict:
    """`total_items` items by generate_series, `archive_items` of them on the first account; a quarter
    posts, each with three comments. The GIN index (capture/migrations/0003) is dropped during the
    insert and built again after it, as a bulk load would."""
    from django.db import connection

    empty_capture_tables()
    accounts, user = make_accounts(1 + other_accounts)
    conns = make_connections(accounts, user, "http://127.0.0.1:9")
    first = conns[0]
    posts_first = max(1, archive_items // 4)
    posts_other = max(0, (total_items - archive_items) // 4 // max(1, other_accounts))
    index = "capture_item_text_swedish"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # Inside a transaction (the tests'), the deferred foreign keys' checks would be pending at
            # CREATE INDEX, which PostgreSQL refuses: checked as each row goes in instead.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"DROP INDEX IF EXISTS {index}")
        cursor.execute(
            f"""INSERT INTO capture_captureditem ({INSERT_COLUMNS})
            SELECT c.id, c.account_id, 'toy', 'p-' || c.id || '-' || g, 'post', '', '', NULL, NULL,
                   {words_sql("c.id * 1000003 + g")}, '', '', true, '', '',
                   now() - g * interval '37 minutes', false,
                   jsonb_build_object('id', 'p-' || c.id || '-' || g),
                   md5('p' || c.id || '-' || g) || md5(g::text), now(), now(), now(), 1
            FROM capture_connection c,
                 generate_series(1, CASE WHEN c.id = %s THEN %s ELSE %s END) g""",  # noqa: S608 (constants)
            [first.pk, posts_first, posts_other],
        )
        cursor.execute(
            f"""INSERT INTO capture_captureditem ({INSERT_COLUMNS})
            SELECT p.connection_id, p.account_id, 'toy', p.platform_id || '-c' || k, 'comment',
                   p.platform_id, p.platform_id, p.id, p.id,
                   {words_sql("p.id * 3 + k")}, 'u' || (p.id %% 997), 'Invånare ' || (p.id %% 997), false, '', '',
                   p.published_at + k * interval '5 minutes', false,
                   jsonb_build_object('id', p.platform_id || '-c' || k),
                   md5(p.platform_id || k) || md5(k::text), now(), now(), now(), 1
            FROM capture_captureditem p, generate_series(1, 3) k
            WHERE p.kind = 'post' AND p.platform = 'toy'""",  # noqa: S608 (constants)
            [],
        )
        insert_seconds = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON capture_captureditem "
            "USING gin (to_tsvector('swedish'::regconfig, \"text\"))"
        )
        index_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        # Fresh statistics and visibility map, as autovacuum would have them in a while (inside the
        # tests' transaction, where VACUUM cannot run, the statistics only).
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE account_id = %s) FROM capture_captureditem", [first.account_id]
        )
        total, on_first = cursor.fetchone()
    return {
        "account": first.account,
        "total": total,
        "on_account": on_first,
        "insert_seconds": round(insert_seconds, 1),
        "index_seconds": round(index_seconds, 1),
    }


SEARCHES = {
    "common": "kommun",  # in about one row in ten (kommun, kommunen: one stem)
    "stemmed": "biblioteket",  # bibliotek, biblioteket, bibliotekets: one Swedish stem
    "two_words": "simhallen öppettider",
    "phrase": '"välkommen till"',  # "till" is a Swedish stop word: the phrase keeps its place
    "not": "snöröjning -halka",
    "rare": "gånggrift",
    "absent": "Stenstorpsvägen",  # in no row: the planner's guess for a word it has no statistics of
}


def timed(fn, repeat: int) -> dict:
    fn()  # warm up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "min_ms": round(min(times), 2),
        "max_ms": round(max(times), 2),
        "runs": repeat,
    }


def save_explain(name: str, title: str, queryset, note: str = "") -> str:
    from django.db import connection

    plan = queryset.explain(analyze=True, buffers=True)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        sql = cursor.mogrify(sql, params).decode() if hasattr(cursor, "mogrify") else sql % tuple(params)
    EXPLAIN.mkdir(exist_ok=True)
    path = EXPLAIN / f"capture-{name}.txt"
    path.write_text(f"{title}\n{note}\n\nQuery:\n{sql}\n\n== EXPLAIN (ANALYZE, BUFFERS) ==\n{plan}\n")
    return str(path.relative_to(BASE_DIR)) if path.is_relative_to(BASE_DIR) else str(path)


def queries(
    archive_items: int,
    total_items: int,
    repeat: int = 20,
    explain: bool = True,
    other_accounts: int = 99,
) -> dict:
    """The archive page of an account of `archive_items` items and the search over `total_items`."""
    from django.db import connection

    from capture import selectors

    if connection.vendor != "postgresql":
        raise RuntimeError("the archive and search benchmark needs PostgreSQL (its full-text search)")
    filled = fill_for_queries(archive_items, total_items, other_accounts)
    account = filled.pop("account")

    def archive_page():
        posts = list(selectors.archive(account)[:50])
        return selectors.threads(posts)

    archive_posts = list(selectors.archive(account)[:50])
    results = {
        "archive_page": timed(archive_page, repeat),
        "archive_posts_only": timed(lambda: list(selectors.archive(account)[:50]), repeat),
        "threads_only": timed(lambda: selectors.threads(archive_posts), repeat),
    }

    def search_page(text):
        # As the search page reads it: the capped count, then the first page with the plan it chose.
        hits = selectors.SearchHits(text)
        hits.count()
        return hits[0:50]

    searches = {}
    for name, text in SEARCHES.items():
        figures = timed(lambda text=text: search_page(text), repeat)
        figures["text"] = text
        figures["matches"] = selectors.search(text).count()
        figures["plan"] = "walk" if selectors.SearchHits(text).more_than_counted else "gin"
        searches[name] = figures
    explains = []
    if explain:
        from capture.models import CapturedItem

        where = (
            f"database {connection.settings_dict['NAME']}, {filled['total']:,} captured items, "
            f"{filled['on_account']:,} on the account; inside the benchmark run (bench/capture_bench.py)"
        )
        explains.append(
            save_explain(
                "archive", "The archive page's posts (capture.selectors.archive, first 50)",
                selectors.archive(account)[:50], where,
            )
        )  # fmt: skip
        explains.append(
            save_explain(
                "threads", "The comments of the archive page's 50 posts (capture.selectors.threads)",
                CapturedItem.objects.filter(thread_id__in=[p.pk for p in archive_posts]).order_by("published_at", "pk"),
                where,
            )
        )  # fmt: skip
        for name in ("common", "stemmed", "rare", "absent"):
            hits = selectors.SearchHits(SEARCHES[name])
            plan = selectors.WALK_ONLY if hits.more_than_counted else selectors.GIN_ONLY
            with selectors._planner(plan):
                explains.append(
                    save_explain(
                        f"search-{name}",
                        f"The search {SEARCHES[name]!r} (capture.selectors.SearchHits, first 50, planner {plan})",
                        selectors.search(SEARCHES[name])[:50], where,
                    )
                )  # fmt: skip
    worst = max([results["archive_page"]["p50_ms"], *(s["p50_ms"] for s in searches.values())])
    return {
        **filled,
        "archive": results,
        "search": searches,
        "explain_files": explains,
        "method": (
            f"rows by SQL generate_series (a quarter posts, each with 3 comments; Swedish words drawn skewed "
            f"towards the common ones), GIN index built after the insert, VACUUM ANALYZE; one warm-up, then "
            f"{repeat} runs of each query with its rows fetched (list()); the archive page: the first 50 "
            "posts and their threads, as the view reads them"
        ),
        "goal_met": {
            "archive_p50_under_200ms": results["archive_page"]["p50_ms"] < P50_GOAL_MS,
            "search_p50_under_200ms": all(s["p50_ms"] < P50_GOAL_MS for s in searches.values()),
            "search_p50_under_200ms_by_query": {name: s["p50_ms"] < P50_GOAL_MS for name, s in searches.items()},
            "worst_p50_ms": worst,
        },
    }


# Main. ---------------------------------------------------------------------------------------------


def ensure_database(server: str, name: str):
    from urllib.parse import urlsplit

    import psycopg2

    parts = urlsplit(server)
    connection = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
        password=parts.password or None, dbname="postgres",
    )  # fmt: skip
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (pg,) = cursor.fetchone()
    memory = ""
    with contextlib.suppress(OSError, StopIteration):
        memory = next(
            line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )  # fmt: skip
    return {
        "cpus": os.cpu_count(),
        "memory": memory,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "postgresql": pg,
    }


def print_tables(result: dict):
    if "ingest" in result:
        r = result["ingest"]
        q = r["queries_per_page"]
        print(
            f"\nIngest: {r['items']:,} items ({r['posts']:,} posts × {1 + r['comments_per_post']}),"
            f" page {r['page_size']}"
        )
        print(f"  sync (HTTP + engine) {r['sync_seconds']:>8.1f} s {r['sync_items_per_second']:>8,} items/s")
        print(
            f"  of which store_page  {r['store_page_seconds']:>8.1f} s {r['store_page_items_per_second']:>8,} items/s"
        )
        print(f"  of which connector   {r['connector_seconds']:>8.1f} s ({r['http_calls']:,} HTTP calls)")
        print(f"  bulk_create          {r['bulk_seconds']:>8.1f} s {r['bulk_items_per_second']:>8,} items/s")
        print(
            f"  sync ÷ bulk {r['sync_over_bulk']}, store_page ÷ bulk {r['store_page_over_bulk']} (goal ≥ {RATE_GOAL})"
        )
        print(
            f"  queries per page: min {q['min']}, max {q['max']}"
            f" (first half max {q['first_half_max']}, second {q['second_half_max']})"
        )
        print("  RSS MB by items: " + ", ".join(f"{s['items']:,}: {s['rss_mb']}" for s in r["rss_samples"]))
        print(f"  goals: {json.dumps(r['goal_met'])}")
    if "workers" in result:
        r = result["workers"]
        print(
            f"\nWorkers: {r['connections']:,} connections, {r['processes']} processes,"
            f" {r['items_per_connection']} items each"
        )
        print(
            f"  first sync  {r['first']['seconds']:>8.1f} s ({r['first_connections_per_second']} connections/s)"
            f" {r['first']['statuses']}"
        )
        print(
            f"  hourly sync {r['hourly']['seconds']:>8.1f} s ({r['hourly_connections_per_second']} connections/s)"
            f" {r['hourly']['statuses']}"
        )
        print(
            f"  projected for 10,000 connections: hourly {r['projected_hourly_seconds_10000']:,} s,"
            f" first {r['projected_first_seconds_10000']:,} s"
        )
        print(f"  goals: {json.dumps(r['goal_met'])}")
    if "queries" in result:
        r = result["queries"]
        print(f"\nArchive and search: {r['total']:,} items, {r['on_account']:,} on the archive's account")
        for name, figures in r["archive"].items():
            print(f"  {name:<22} p50 {figures['p50_ms']:>8.1f} ms  p95 {figures['p95_ms']:>8.1f} ms")
        for name, figures in r["search"].items():
            print(
                f"  search {name:<15} p50 {figures['p50_ms']:>8.1f} ms  p95 {figures['p95_ms']:>8.1f} ms"
                f"  {figures['matches']:>8,} matches  {figures['plan']:<4}  {figures['text']}"
            )
        print(f"  goals: {json.dumps(r['goal_met'])}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    env = os.environ.get
    parser.add_argument("--only", default="ingest,workers,queries")
    parser.add_argument("--items", type=int, default=int(env("BENCH_CAPTURE_ITEMS", 100_000)))
    parser.add_argument("--connections", type=int, default=int(env("BENCH_CAPTURE_CONNECTIONS", 1_000)))
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--archive-items", type=int, default=int(env("BENCH_CAPTURE_ARCHIVE_ITEMS", 100_000)))
    parser.add_argument("--search-items", type=int, default=int(env("BENCH_CAPTURE_SEARCH_ITEMS", 1_000_000)))
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--out", help="the JSON file (default bench/results/capture-<date>.json)")
    args = parser.parse_args()
    sys.path.insert(0, str(BENCH_DIR))
    import servers

    server = servers.postgres_server()
    ensure_database(server, args.database)
    configure(f"{server}/{args.database}")
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    only = set(args.only.split(","))
    result = {"taken": datetime.datetime.now(datetime.UTC).isoformat(timespec="minutes"), "machine": machine()}
    if "ingest" in only:
        print(f"Ingest of {args.items:,} items …", flush=True)
        result["ingest"] = ingest(args.items)
    if "workers" in only:
        print(f"Full sync of {args.connections:,} connections with {args.processes} workers …", flush=True)
        result["workers"] = workers(args.connections, processes=args.processes)
    if "queries" in only:
        print(f"Archive of {args.archive_items:,} and search over {args.search_items:,} items …", flush=True)
        result["queries"] = queries(args.archive_items, args.search_items)
    result["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.mkdir(exist_ok=True)
    out = Path(args.out) if args.out else RESULTS / f"capture-{datetime.datetime.now(datetime.UTC):%Y-%m-%dT%H%M}.json"
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print_tables(result)
    print(f"\nWritten: {out}")


if __name__ == "__main__":
    main()
