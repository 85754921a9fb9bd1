"""Benchmark of the scheduled checks, run by bench/run.py against a seeded database:

    DATABASE_URL=... PORTAL_DEMO=true DJANGO_SECRET_KEY=x .venv/bin/python bench/checks.py --accounts N --out FILE

For every check of review.scheduled_checks.CHECKS (moderation's two included, as run_checks gathers them):

- the check as the worker runs it (review.scheduled_checks.run_check: the finding, the flags brought in line,
  the CheckRun), inside a transaction that is rolled back, so the database is left as it was (only
  its sequences move on); wall time (best of REPEAT, the first one warms the cache) and the number
  of queries (the savepoints of the enclosing transaction not counted). Three runs of each, since
  what a run writes is part of its cost:
  - steady: on the seeded data, which already holds a flag for every finding, so the run writes
    nothing but its CheckRun (a day on which nothing changed);
  - first: the first run ever, with no flag of its kind yet: it raises one for every account found;
  - churn: a week with churn (CHURN): a tenth of the accounts found lose their open flag and as many
    accounts not found get one, so the run raises a tenth anew and resolves as many (churn_setup);
  each set up (not timed) inside the transaction that is rolled back, and each against the same
  limit below;
- the limit, twice, each through a raw cursor with its rows fetched and timed the same way:
  - the same set-based aggregate run alone: the check's own finding (the accounts with their
    evidence as JSON, review.scheduled_checks.finding_rows) as the SQL Django compiles for it, without the
    flags, the CheckRun or the transaction around it. The goal, within 2x, is measured against it;
  - a floor: hand-written SQL that finds the same accounts with the values of their evidence as
    plain rows, without building the JSON. Below a few milliseconds a check's fixed cost (its
    CheckRun, its savepoint, the JSON of its evidence) exceeds the floor itself, so the JSON shows
    this ratio beside the goal's but does not judge by it;
- for the checks that scale with the number of accounts, a naive per-account ORM loop (one or two
  queries per account), for comparison; above NAIVE_FULL active accounts it times a random sample
  of NAIVE_SAMPLE accounts and extrapolates (the JSON says so);
- all checks together (run_checks), and the peak memory of a fresh process that runs them all
  (VmHWM, bench/memory.py) against a baseline process that only sets Django up and imports the checks.

Writes the JSON to --out and prints a table. Exits 0 when a goal is missed (goal_met says so).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import memory

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
REPEAT = 3
NAIVE_FULL = 10_000  # above this many active accounts the naive loop is sampled
NAIVE_SAMPLE = 1_000
RAW_RATIO_GOAL = 2.0
CHURN = 0.1  # a week with churn: this share of a check's flags resolved, and as many raised
RUNS = ("steady", "first", "churn")  # the runs of each check (the module's docstring)
NAIVE_RATIO_EXPECTED = 50.0
# Queries of one check, whatever N: a bound that does not move with N (bench/run.py compares the
# counts across sizes as well).
QUERY_BUDGET = 8
# Peak memory of the worker above the baseline process: flat in N means within this much at any N.
RSS_BUDGET_MB = 16.0


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "falkoping_some.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


# Timing helpers. -------------------------------------------------------------------------------


def not_savepoint(sql: str) -> bool:
    return not sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))


def measure(fn, repeat=REPEAT, setup=None):
    """Run fn inside a transaction rolled back afterwards, `repeat` times: (best seconds, queries, result).
    `setup`, if given, runs first in the same transaction, neither timed nor counted."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    best, queries, result = None, None, None
    for _n in range(repeat):
        with transaction.atomic():
            if setup is not None:
                setup()
            with CaptureQueriesContext(connection) as ctx:
                clock = time.perf_counter()
                result = fn()
                elapsed = time.perf_counter() - clock
            transaction.set_rollback(True)
        count = sum(1 for query in ctx.captured_queries if not_savepoint(query["sql"]))
        best = elapsed if best is None else min(best, elapsed)
        queries = count
    return best, queries, result


def measure_raw(sql, params, repeat=REPEAT):
    """The raw SQL through a cursor, rows fetched: one warm-up, then best of `repeat`."""
    from django.db import connection

    best, rows = None, None
    with connection.cursor() as cursor:
        for n in range(repeat + 1):
            clock = time.perf_counter()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            elapsed = time.perf_counter() - clock
            if n:
                best = elapsed if best is None else min(best, elapsed)
    return best, rows


# The runs that write: the flags before them. --------------------------------------------------


def delete_flags(where_sql, params):
    """Delete review flags in SQL, inside the caller's transaction: a queryset's delete would write an
    audit entry per flag (auditlog), which is no part of what is measured."""
    from django.db import connection

    from review.models import ReviewFlag

    table = connection.ops.quote_name(ReviewFlag._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {where_sql}", params)  # noqa: S608 (the model's table; values are parameters)
        return cursor.rowcount


def first_run_setup(kinds) -> int:
    """Before the first run ever: no flag of these kinds, open or closed. Returns how many went."""
    return delete_flags("kind = ANY(%s)", [[str(kind) for kind in kinds]])


def found_accounts(check, today) -> set[int]:
    """The accounts the check finds today, as run_check finds them."""
    from review import scheduled_checks as checks

    if check.finding is not None and checks.uses_sql_findings():
        return {pk for pk, _evidence in checks.finding_rows(check.finding(today))}
    return set(check.find(today))


def churn_setup(check, today, fraction=CHURN, seed=7) -> dict:
    """A week with churn for `check`, inside the caller's transaction: its flags are first brought in
    line (a run, not timed); then `fraction` of the accounts found lose their open flag, which the
    next run raises anew, and as many active accounts that it does not find get one, which the next
    run resolves (the condition is gone). Only accounts without a closed flag of the kind are taken,
    so that what the checks do with dismissed and resolved flags cannot change the count.
    Returns {"flags": open flags of the kind before, "to_raise": n, "to_resolve": n}."""
    import datetime

    from django.utils import timezone

    from accounts.models import SocialAccount
    from review import scheduled_checks as checks
    from review.models import OPEN_FLAG_STATUSES, ReviewFlag

    checks.run_check(check, today)
    found = found_accounts(check, today)
    flags = ReviewFlag.objects.filter(kind=check.kind)
    open_flags = dict(flags.filter(status__in=OPEN_FLAG_STATUSES).values_list("account_id", "pk"))
    closed = set(flags.exclude(status__in=OPEN_FLAG_STATUSES).values_list("account_id", flat=True))
    share = max(1, round(len(open_flags) * fraction)) if open_flags else 0
    rng = random.Random(seed)  # noqa: S311 (a sample, no secret)
    renewable = sorted(pk for pk in found if pk in open_flags and pk not in closed)
    renewed = rng.sample(renewable, min(share, len(renewable)))
    active = set(SocialAccount.objects.active().values_list("pk", flat=True))
    spare = sorted(active - found - set(open_flags) - closed)
    gone = rng.sample(spare, min(share, len(spare)))
    if renewed:
        delete_flags("id = ANY(%s)", [[open_flags[pk] for pk in renewed]])
    last_week = timezone.now() - datetime.timedelta(days=7)
    ReviewFlag.objects.bulk_create(
        [ReviewFlag(account_id=pk, kind=check.kind, evidence={"bench": "churn"}, raised_at=last_week) for pk in gone]
    )
    return {"flags": len(open_flags), "to_raise": len(renewed), "to_resolve": len(gone)}


# Captured posts (issue 19): R6's and R19's checks read them for connected accounts. -------------

CAPTURED_SHARE = 3  # every third active account is connected to its platform
CAPTURED_WEEKS = 12  # each connected account's posts over this many recent weeks


def seed_captured_posts(today) -> dict:
    """Connect every CAPTURED_SHARE-th active account (a connection made 20 weeks ago, so the
    checks' window is read from the platform) and give it own posts, in SQL (INSERT ... SELECT
    generate_series): by the account's id, a quarter post twice a week, a quarter once a fortnight
    (a shortfall), a quarter once a week, and a quarter last posted 30 weeks ago (inactive). Each
    post has a comment by someone else beside it, which the checks must not count. Done once: a
    database that already holds captured items is left as it is. Returns what it holds."""
    import datetime

    from django.db import connection, transaction

    from accounts.models import SocialAccount, User
    from capture.models import CapturedItem, Connection
    from falkoping_some.lib.weeks import week_start

    with transaction.atomic():
        if CapturedItem.objects.exists():
            return _captured_counts()
        user = User.objects.order_by("pk").first()
        connected_at = datetime.datetime.combine(week_start(today) - datetime.timedelta(weeks=20), datetime.time(9))
        ids = list(SocialAccount.objects.active().order_by("pk").values_list("pk", flat=True))[::CAPTURED_SHARE]
        Connection.objects.bulk_create(
            [
                Connection(
                    account_id=pk,
                    kind="feed",
                    base_url=f"http://127.0.0.1:1/{pk}",
                    external_id=str(pk),
                    created_by=user,
                    created_at=connected_at.replace(tzinfo=datetime.UTC),
                )  # fmt: skip
                for pk in ids
            ],
            batch_size=5000,
        )
        end = datetime.datetime.combine(today, datetime.time(12), tzinfo=datetime.UTC)
        with connection.cursor() as cursor:
            # Every column the model declares without a database default is given.
            cursor.execute(
                """
                INSERT INTO capture_captureditem (connection_id, account_id, platform, platform_id, kind,
                    thread_platform_id, parent_platform_id, text, author_id, author_name, by_account, permalink,
                    permalink_key, published_at, hidden, raw, raw_sha256, captured_at, changed_at, last_seen_at,
                    version_count)
                SELECT c.id, c.account_id, 'feed', c.account_id || '-' || g.n || '-' || o.own, o.kind,
                    '', '', 'Bench', '', '', o.own = 1, '', '', g.at, false, '{}'::jsonb, repeat('0', 64),
                    g.at, g.at, g.at, 1
                FROM capture_connection c
                CROSS JOIN LATERAL (
                    SELECT n, %(end)s - (n * CASE mod(c.account_id, 4) WHEN 0 THEN 84 WHEN 1 THEN 336 WHEN 2 THEN 168
                        ELSE 168 END || ' hours')::interval
                           - CASE WHEN mod(c.account_id, 4) = 3 THEN interval '30 weeks' ELSE interval '0' END AS at
                    FROM generate_series(0, CASE mod(c.account_id, 4) WHEN 0 THEN %(weeks)s * 2
                        WHEN 1 THEN %(weeks)s / 2 ELSE %(weeks)s END) AS n
                ) g
                CROSS JOIN (VALUES (1, 'post'), (0, 'comment')) AS o (own, kind)
                WHERE c.kind = 'feed'
                """,
                {"end": end, "weeks": CAPTURED_WEEKS},
            )
            cursor.execute("ANALYZE capture_connection; ANALYZE capture_captureditem")
        # The seed's flags were raised without the captured posts: bring them in line, so that the
        # steady run again finds every flag in place.
        from review import scheduled_checks as checks

        checks.run_checks(today=today)
    return _captured_counts()


def _captured_counts() -> dict:
    from capture.models import CapturedItem, Connection

    return {
        "connections": Connection.objects.count(),
        "captured_items": CapturedItem.objects.count(),
        "own_posts": CapturedItem.objects.filter(kind="post", by_account=True).count(),
    }


# The limit: the findings in hand-written SQL (PostgreSQL). ------------------------------------


def raw_queries(today):
    """{check name: (sql, params)}: each computes the accounts found and the values of their evidence."""
    import datetime

    from django.conf import settings

    from accounts.notifications import MANDATE_EXPIRY_NOTICE
    from activity import scheduled_checks as activity_checks
    from falkoping_some.lib.days import start_of
    from falkoping_some.lib.weeks import week_start
    from moderation.scheduled_checks import POLICE_REPORT_WITHIN
    from review.models import SelfCheck

    limit = today - activity_checks.INACTIVITY_LIMIT
    weeks = activity_checks.SHORTFALL_WINDOW_WEEKS
    current = week_start(today)
    first = current - datetime.timedelta(weeks=weeks)
    tz = settings.TIME_ZONE
    all_yes = " AND ".join(f"l.{name}" for name, _rule in SelfCheck.QUESTIONS)
    in_force = (
        "m.valid_from <= %(today)s AND (m.valid_until IS NULL OR m.valid_until >= %(today)s) AND m.revoked_at IS NULL"
    )
    params = {
        "today": today,
        "limit": limit,
        "limit_sunday": limit - datetime.timedelta(days=6),
        "first": first,
        "current": current,
        "first_end": first + datetime.timedelta(days=7),
        "minimum": weeks * activity_checks.MIN_POSTS_PER_WEEK,
        "weeks": weeks,
        "notice_end": today + MANDATE_EXPIRY_NOTICE,
        "police_limit": today - POLICE_REPORT_WITHIN,
        "tz": tz,
        "first_at": start_of(first),
        "current_at": start_of(current),
    }
    # The Monday of each connected account's first connection, in Stockholm time.
    connected = (
        "c AS (SELECT account_id, DATE_TRUNC('week', MIN(created_at) AT TIME ZONE %(tz)s)::date AS since "
        "FROM capture_connection GROUP BY account_id)"
    )
    sql = {
        # activity/sources.py: from the week of the first connection, the account's own captured posts.
        "inactive": f"""
            WITH {connected},
            p AS (SELECT i.account_id, MAX(i.published_at) AS last FROM capture_captureditem i
                  JOIN c ON c.account_id = i.account_id
                  WHERE i.kind = 'post' AND i.by_account AND (i.published_at AT TIME ZONE %(tz)s)::date >= c.since
                  GROUP BY i.account_id),
            w AS (SELECT w.account_id, MAX(w.week) AS last FROM accounts_weeklyactivity w
                  LEFT JOIN c ON c.account_id = w.account_id
                  WHERE w.posts > 0 AND (c.since IS NULL OR w.week < c.since) GROUP BY w.account_id)
            SELECT a.id, a.activated_on, COALESCE((p.last AT TIME ZONE %(tz)s)::date, w.last + 6) AS last_post
            FROM accounts_socialaccount a
            LEFT JOIN p ON p.account_id = a.id LEFT JOIN w ON w.account_id = a.id
            WHERE a.status = 'active' AND a.activated_on < %(limit)s
              AND ((p.last IS NOT NULL AND (p.last AT TIME ZONE %(tz)s)::date < %(limit)s)
                   OR (p.last IS NULL AND (w.last IS NULL OR w.last < %(limit_sunday)s)))""",  # noqa: S608 (constants)
        "shortfall": f"""
            WITH {connected},
            m AS (SELECT w.account_id, SUM(w.posts) AS n FROM accounts_weeklyactivity w
                  LEFT JOIN c ON c.account_id = w.account_id
                  WHERE w.week >= %(first)s AND w.week < %(current)s AND (c.since IS NULL OR w.week < c.since)
                  GROUP BY w.account_id),
            p AS (SELECT i.account_id, COUNT(*) AS n FROM capture_captureditem i
                  JOIN c ON c.account_id = i.account_id
                  WHERE i.kind = 'post' AND i.by_account AND i.published_at >= %(first_at)s
                    AND i.published_at < %(current_at)s AND (i.published_at AT TIME ZONE %(tz)s)::date >= c.since
                  GROUP BY i.account_id)
            SELECT a.id, COALESCE(m.n, 0) + COALESCE(p.n, 0) AS posts
            FROM accounts_socialaccount a
            LEFT JOIN m ON m.account_id = a.id LEFT JOIN p ON p.account_id = a.id
            WHERE a.status = 'active' AND a.activated_on < %(first_end)s
              AND COALESCE(m.n, 0) + COALESCE(p.n, 0) < %(minimum)s""",  # noqa: S608 (constants)
        "no_editor": f"""
            SELECT a.id FROM accounts_socialaccount a
            WHERE a.status = 'active'
              AND NOT EXISTS (SELECT 1 FROM accounts_mandate m WHERE m.account_id = a.id AND {in_force})""",  # noqa: S608 (constants)
        "mandate_expiring": f"""
            SELECT m.account_id, COALESCE(NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''), u.email),
                   m.valid_until
            FROM accounts_mandate m
            JOIN accounts_socialaccount a ON a.id = m.account_id
            JOIN accounts_user u ON u.id = m.user_id
            WHERE a.status = 'active' AND {in_force} AND m.valid_until <= %(notice_end)s
            ORDER BY m.account_id, m.valid_until, m.id""",  # noqa: S608 (constants)
        "criminal_not_reported": """
            SELECT c.account_id, c.id, c.removed_at
            FROM moderation_moderationcase c JOIN accounts_socialaccount a ON a.id = c.account_id
            WHERE a.status = 'active' AND c.is_criminal AND c.removed_at IS NOT NULL
              AND c.police_reported_on IS NULL AND (c.removed_at AT TIME ZONE %(tz)s)::date < %(police_limit)s
            ORDER BY c.account_id, c.removed_at, c.id""",
        "inquiry_overdue": """
            SELECT i.account_id, i.id, i.deadline
            FROM moderation_inquiry i JOIN accounts_socialaccount a ON a.id = i.account_id
            WHERE a.status = 'active' AND i.answered_at IS NULL AND i.deadline < NOW()
            ORDER BY i.account_id, i.deadline, i.id""",
        "self_check_overdue": """
            SELECT a.id, a.activated_on, (s.last AT TIME ZONE %(tz)s)::date AS last,
                   (COALESCE((s.last AT TIME ZONE %(tz)s)::date, a.activated_on) + INTERVAL '12 months')::date AS due
            FROM accounts_socialaccount a
            LEFT JOIN (SELECT account_id, MAX(answered_at) AS last FROM accounts_selfcheck GROUP BY account_id) s
                   ON s.account_id = a.id
            WHERE a.status = 'active'
              AND (COALESCE((s.last AT TIME ZONE %(tz)s)::date, a.activated_on) + INTERVAL '12 months')::date
                  < %(today)s""",
        "self_check_no": f"""
            SELECT l.account_id, l.id, (l.answered_at AT TIME ZONE %(tz)s)::date, u.email, l.comment
            FROM (SELECT DISTINCT ON (account_id) * FROM accounts_selfcheck
                  ORDER BY account_id, answered_at DESC, id DESC) l
            JOIN accounts_socialaccount a ON a.id = l.account_id
            JOIN accounts_user u ON u.id = l.answered_by_id
            WHERE a.status = 'active' AND NOT ({all_yes})""",  # noqa: S608 (constants)
    }
    return {name: (query, params) for name, query in sql.items()}


def raw_found(name, rows) -> int:
    """The number of accounts in the raw rows (the first column is the account)."""
    return len({row[0] for row in rows})


# The naive per-account loops, for comparison. -------------------------------------------------


def naive_loops(today):
    """{check name: fn(account rows) -> set of account ids found}: one or two ORM queries per account."""
    import datetime
    from types import SimpleNamespace

    from django.utils import timezone

    from accounts.models import Mandate
    from activity import scheduled_checks as activity_checks
    from activity import sources
    from activity.models import WeeklyActivity
    from falkoping_some.lib.days import start_of
    from falkoping_some.lib.weeks import week_start
    from review import scheduled_checks as checks
    from review.models import SelfCheck

    limit = today - activity_checks.INACTIVITY_LIMIT
    weeks = activity_checks.SHORTFALL_WINDOW_WEEKS
    current = week_start(today)
    first = current - datetime.timedelta(weeks=weeks)

    def inactive(accounts):
        # activity/sources.py, one account at a time: its first platform week, then its newest own
        # post in those weeks, else its last manual week with posts before them.
        found = set()
        for pk, activated_on in accounts:
            if activated_on is None or activated_on >= limit:
                continue
            since = sources.platform_weeks_from([pk]).get(pk)
            last_at = (
                sources.own_posts()
                .filter(account_id=pk, published_at__gte=start_of(since))
                .order_by("-published_at")
                .values_list("published_at", flat=True)
                .first()
                if since
                else None
            )
            if last_at is not None:
                last_post = timezone.localdate(last_at)
            else:
                manual = WeeklyActivity.objects.filter(account_id=pk, posts__gt=0)
                if since:
                    manual = manual.filter(week__lt=since)
                last = manual.order_by("-week").first()
                last_post = last.week + datetime.timedelta(days=6) if last else None
            if last_post is None or last_post < limit:
                found.add(pk)
        return found

    def shortfall(accounts):
        found = set()
        for pk, activated_on in accounts:
            if activated_on is None or activated_on >= first + datetime.timedelta(days=7):
                continue
            account = SimpleNamespace(pk=pk, activated_on=activated_on)
            weeks_counted = sources.week_counts([account], first, current - datetime.timedelta(weeks=1))[pk]
            if sum(w.posts or 0 for w in weeks_counted) < weeks * activity_checks.MIN_POSTS_PER_WEEK:
                found.add(pk)
        return found

    def no_editor(accounts):
        return {
            pk for pk, _activated_on in accounts if not Mandate.objects.active_on(today).filter(account_id=pk).exists()
        }

    def self_check_overdue(accounts):
        found = set()
        for pk, activated_on in accounts:
            last = SelfCheck.objects.filter(account_id=pk).order_by("-answered_at").first()
            due = checks.self_check_due(timezone.localdate(last.answered_at) if last else None, activated_on)
            if due is not None and due < today:
                found.add(pk)
        return found

    return {
        "inactive": inactive,
        "shortfall": shortfall,
        "no_editor": no_editor,
        "self_check_overdue": self_check_overdue,
    }


def measure_naive(fn, accounts):
    """(seconds for every account, sampled?, found or None). Sampled above NAIVE_FULL accounts."""
    sampled = len(accounts) > NAIVE_FULL
    subset = (
        random.Random(9).sample(  # noqa: S311 (a sample, no secret)
            accounts, NAIVE_SAMPLE
        )
        if sampled
        else accounts
    )
    fn(subset[:50])  # warm up
    clock = time.perf_counter()
    found = fn(subset)
    elapsed = time.perf_counter() - clock
    if sampled:
        return elapsed * len(accounts) / len(subset), True, None
    return elapsed, False, len(found)


# Peak memory in a fresh process. --------------------------------------------------------------


def child(mode: str):
    """Run in a subprocess: 'baseline' sets Django up and imports the checks; 'checks' also runs them all
    (rolled back). Prints its peak resident memory in MB (bench/memory.py)."""
    setup()
    from django.db import connection, transaction

    from review import scheduled_checks as checks

    connection.ensure_connection()
    if mode == "checks":
        with transaction.atomic():
            checks.run_checks()
            transaction.set_rollback(True)
    print(json.dumps({"peak_rss_mb": memory.peak_rss_kib() / 1024}))


def peak_rss(mode: str) -> float:
    out = subprocess.run(  # noqa: S603 (this script, this interpreter)
        [sys.executable, __file__, "--child", mode], capture_output=True, text=True, check=True, env=os.environ.copy()
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["peak_rss_mb"]


# Main. -----------------------------------------------------------------------------------------


def run(n: int) -> dict:
    setup()
    from django.db import connection
    from django.utils import timezone

    from accounts.models import SocialAccount
    from review import scheduled_checks as checks

    today = timezone.localdate()
    # As run_check does for its statement (apply_finding_sql), so that the limits are measured alike:
    # PostgreSQL's JIT compiles the findings' correlated subqueries for seconds (issue 19).
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    captured = seed_captured_posts(today)
    raw = raw_queries(today)
    naive = naive_loops(today)
    accounts = list(SocialAccount.objects.active().order_by("pk").values_list("pk", "activated_on"))
    results = []
    for name, check in checks.CHECKS.items():
        if check.finding is None or name not in raw:
            # The connection checks (issue 18) are asked of the few connections in Python: no set-based
            # finding and no limit to measure against here.
            continue
        seconds, queries, check_run = measure(lambda check=check: checks.run_check(check, today))
        finding_seconds, found_rows = measure_raw(*checks.finding_rows(check.finding(today)).query.sql_with_params())
        raw_seconds, rows = measure_raw(*raw[name])
        writes, expected = {}, {}
        prepares = {
            "first": lambda check=check: first_run_setup([check.kind]),
            "churn": lambda check=check, expected=expected: expected.update(churn_setup(check, today)),
        }
        for run_name, prepare in prepares.items():
            run_seconds, run_queries, run = measure(lambda check=check: checks.run_check(check, today), setup=prepare)
            writes[run_name] = {
                "seconds": round(run_seconds, 4),
                "queries": run_queries,
                "raised": run.raised,
                "resolved": run.resolved,
                "ratio_to_finding_sql": round(run_seconds / finding_seconds, 2) if finding_seconds else None,
            }
        writes["churn"]["expected"] = expected
        entry = {
            "name": name,
            "seconds": round(seconds, 4),
            "queries": queries,
            "raised": check_run.raised,
            "resolved": check_run.resolved,
            "first": writes["first"],
            "churn": writes["churn"],
            "found": check_run.found,
            "finding_sql_seconds": round(finding_seconds, 4),
            "finding_sql_found": len(found_rows),
            "ratio_to_finding_sql": round(seconds / finding_seconds, 2) if finding_seconds else None,
            "raw_sql_seconds": round(raw_seconds, 4),
            "raw_found": raw_found(name, rows),
            "ratio_to_raw": round(seconds / raw_seconds, 2) if raw_seconds else None,
            "naive_seconds": None,
            "naive_ratio": None,
            "naive_sampled": None,
        }
        if name in naive:
            naive_seconds, sampled, naive_count = measure_naive(naive[name], accounts)
            entry.update(
                naive_seconds=round(naive_seconds, 3),
                naive_ratio=round(naive_seconds / seconds, 1) if seconds else None,
                naive_sampled=f"{NAIVE_SAMPLE} of {len(accounts)} accounts timed, extrapolated" if sampled else None,
            )
            if naive_count is not None:
                entry["naive_found"] = naive_count
        results.append(entry)
        print(f"  {name}: {entry['seconds']:.3f} s, {queries} queries", file=sys.stderr, flush=True)
    # What every run costs whatever it finds: a check whose finding is an SQL query that finds
    # nothing, run as the others are (the queryset compiled, the one statement planned and run, the
    # CheckRun written, the savepoint). Below a few milliseconds of SQL this, not the finding, sets
    # the ratio.
    from django.db.models.functions import JSONObject

    nothing = checks.Check(
        "bench_nothing",
        "bench_nothing",
        lambda day: {},
        lambda day: SocialAccount.objects.filter(pk__lt=0).annotate(evidence=JSONObject()),
    )
    overhead, _queries, _run = measure(lambda: checks.run_check(nothing, today))
    for entry in results:
        net = max(entry["seconds"] - overhead, 0.0)
        for limit_key, ratio_key in (
            ("raw_sql_seconds", "ratio_to_raw_net_of_overhead"),
            ("finding_sql_seconds", "ratio_to_finding_sql_net_of_overhead"),
        ):
            limit = entry[limit_key]
            entry[ratio_key] = round(net / limit, 2) if limit else None
        for run_name in ("first", "churn"):
            limit = entry["finding_sql_seconds"]
            net = max(entry[run_name]["seconds"] - overhead, 0.0)
            entry[run_name]["ratio_to_finding_sql_net_of_overhead"] = round(net / limit, 2) if limit else None
    all_seconds, all_queries, _runs = measure(lambda: checks.run_checks(today=today))
    everything = {"steady": {"seconds": round(all_seconds, 4), "queries": all_queries}}
    for run_name, prepare in (
        ("first", lambda: first_run_setup([check.kind for check in checks.CHECKS.values()])),
        ("churn", lambda: [churn_setup(check, today) for check in checks.CHECKS.values()]),
    ):
        run_seconds, run_queries, runs = measure(lambda: checks.run_checks(today=today), setup=prepare)
        everything[run_name] = {
            "seconds": round(run_seconds, 4),
            "queries": run_queries,
            "raised": sum(run.raised for run in runs),
            "resolved": sum(run.resolved for run in runs),
        }
    baseline = peak_rss("baseline")
    peak = peak_rss("checks")
    by_check = {
        limit: {
            r["name"]: r[f"ratio_to_{limit}"] is not None and r[f"ratio_to_{limit}"] <= RAW_RATIO_GOAL for r in results
        }
        for limit in ("finding_sql", "raw")
    }
    for run_name in ("first", "churn"):
        by_check[run_name] = {
            r["name"]: r[run_name]["ratio_to_finding_sql"] is not None
            and r[run_name]["ratio_to_finding_sql"] <= RAW_RATIO_GOAL
            for r in results
        }
    goal_met = {
        "within_2x_finding_sql": all(by_check["finding_sql"].values()),
        "within_2x_finding_sql_by_check": by_check["finding_sql"],
        "first_within_2x_finding_sql": all(by_check["first"].values()),
        "first_within_2x_finding_sql_by_check": by_check["first"],
        "churn_within_2x_finding_sql": all(by_check["churn"].values()),
        "churn_within_2x_finding_sql_by_check": by_check["churn"],
        # Each run wrote what its setup made it find: the steady run nothing, the first a flag per
        # account found, the churn run a tenth raised and as many resolved.
        "runs_write_as_set_up": all(
            r["raised"] == r["resolved"] == 0
            and r["first"]["raised"] == r["found"]
            and r["churn"]["raised"] == r["churn"]["expected"]["to_raise"]
            and r["churn"]["resolved"] == r["churn"]["expected"]["to_resolve"]
            for r in results
        ),
        # The floor, reported and not judged by (the module's docstring).
        "within_2x_raw": all(by_check["raw"].values()),
        "within_2x_raw_by_check": by_check["raw"],
        "queries_bounded": all(r["queries"] <= QUERY_BUDGET for r in results),
        "query_budget": QUERY_BUDGET,
        "memory_within_budget": peak - baseline <= RSS_BUDGET_MB,
        "memory_budget_mb": RSS_BUDGET_MB,
        "naive_50x": all(r["naive_ratio"] >= NAIVE_RATIO_EXPECTED for r in results if r["naive_ratio"] is not None),
        "findings_agree_with_raw": all(r["found"] == r["raw_found"] == r["finding_sql_found"] for r in results),
    }
    goal_met["all"] = all(
        goal_met[key]
        for key in (
            "within_2x_finding_sql",
            "first_within_2x_finding_sql",
            "churn_within_2x_finding_sql",
            "runs_write_as_set_up",
            "queries_bounded",
            "memory_within_budget",
            "findings_agree_with_raw",
        )
    )
    return {
        "accounts": n,
        "active_accounts": len(accounts),
        "captured": captured,
        "today": today.isoformat(),
        "method": (
            f"best of {REPEAT} runs (the first warms the cache), each check inside a transaction rolled back; "
            "the finding's SQL and the hand-written SQL through a cursor with their rows fetched, one warm-up "
            f"and best of {REPEAT}; queries without the savepoints of the enclosing transaction"
        ),
        "checks": results,
        "fixed_overhead_seconds": round(overhead, 4),
        "all": {"seconds": round(all_seconds, 4), "queries": all_queries},
        "all_runs": everything,
        "churn_share": CHURN,
        "peak_rss_mb": round(peak, 1),
        "baseline_rss_mb": round(baseline, 1),
        "worker_rss_mb": round(peak - baseline, 1),
        "rss_method": (
            "peak resident set (VmHWM) of a fresh process that runs run_checks (rolled back), minus that of a "
            "process that only sets Django up, imports the checks and connects; ru_maxrss would carry the "
            "benchmark's own peak over into its children"
        ),
        "goal_met": goal_met,
    }


def print_table(result):
    print(f"Scheduled checks at N = {result['accounts']:,} ({result['active_accounts']:,} active)")
    head = (
        f"{'check':<22} {'found':>7} {'s':>8} {'queries':>7} {'alone s':>8} {'x alone':>7} "
        f"{'floor s':>8} {'x floor':>7} {'naive s':>9} {'x naive':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in result["checks"]:
        naive = (
            f"{r['naive_seconds']:>9.2f} {r['naive_ratio']:>8.1f}"
            if r["naive_seconds"] is not None
            else f"{'':>9} {'':>8}"
        )
        print(
            f"{r['name']:<22} {r['found']:>7} {r['seconds']:>8.3f} {r['queries']:>7} "
            f"{r['finding_sql_seconds']:>8.3f} {r['ratio_to_finding_sql']:>7.2f} "
            f"{r['raw_sql_seconds']:>8.3f} {r['ratio_to_raw']:>7.2f} {naive}"
        )
    print(f"{'all':<22} {'':>7} {result['all']['seconds']:>8.3f} {result['all']['queries']:>7}")
    print(
        "alone: the check's own finding SQL run alone (the goal: x alone <= 2); "
        "floor: hand-written SQL of the same accounts, no JSON evidence"
    )
    print(f"fixed cost of a run that finds nothing: {result['fixed_overhead_seconds'] * 1000:.1f} ms")
    print(
        f"\nThe runs that write, against the same SQL alone: steady (the seed holds every flag), first (no flag"
        f" yet), churn ({result['churn_share']:.0%} of the flags resolved and as many raised)"
    )
    head = (
        f"{'check':<22} {'found':>7} {'steady s':>9} {'x alone':>7} {'first s':>9} {'raised':>7} {'x alone':>7}"
        f" {'churn s':>9} {'raised':>7} {'resolved':>8} {'x alone':>7}"
    )
    print(head)
    print("-" * len(head))
    for r in result["checks"]:
        first, churn = r["first"], r["churn"]
        print(
            f"{r['name']:<22} {r['found']:>7} {r['seconds']:>9.3f} {r['ratio_to_finding_sql']:>7.2f}"
            f" {first['seconds']:>9.3f} {first['raised']:>7} {first['ratio_to_finding_sql']:>7.2f}"
            f" {churn['seconds']:>9.3f} {churn['raised']:>7} {churn['resolved']:>8}"
            f" {churn['ratio_to_finding_sql']:>7.2f}"
        )
    runs = result["all_runs"]
    print(
        f"{'all':<22} {'':>7} {runs['steady']['seconds']:>9.3f} {'':>7} {runs['first']['seconds']:>9.3f}"
        f" {runs['first']['raised']:>7} {'':>7} {runs['churn']['seconds']:>9.3f} {runs['churn']['raised']:>7}"
        f" {runs['churn']['resolved']:>8}"
    )
    print(
        f"peak RSS {result['peak_rss_mb']} MB, baseline {result['baseline_rss_mb']} MB, "
        f"worker {result['worker_rss_mb']} MB; goals: {json.dumps(result['goal_met'])}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=0)
    parser.add_argument("--out")
    parser.add_argument("--child", choices=["baseline", "checks"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    result = run(args.accounts)
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)


if __name__ == "__main__":
    main()
