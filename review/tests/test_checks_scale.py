"""The scheduled checks at scale: the number of queries of each check does not grow with
the data, and on a random data set (seed_bench's generator) every check finds exactly the accounts
that a plain Python reading of its rule finds, the flags follow, and the set-based finding of
PostgreSQL (Check.finding, evidence built in SQL) gives the same evidence as the find_* functions.
The timings are in bench/checks.py, never here."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AccountStatus, Mandate, SocialAccount
from accounts.notifications import MANDATE_EXPIRY_NOTICE
from activity import scheduled_checks as activity_checks
from activity.models import WeeklyActivity
from falkoping_some.lib.weeks import week_start
from review import scheduled_checks as checks
from review.models import OPEN_FLAG_STATUSES, ReviewFlag, SelfCheck

pytestmark = pytest.mark.django_db

WEEKS = 10


def seed(accounts: int, seed: int = 9):
    call_command(
        "seed_bench", "--accounts", str(accounts), "--weeks", str(WEEKS), "--seed", str(seed), "--reset",
        stdout=io.StringIO(),
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _window_of_four_weeks(monkeypatch, settings):
    monkeypatch.setattr(activity_checks, "SHORTFALL_WINDOW_WEEKS", 4)
    settings.DEMO_MODE = True


def queries_of_each_check(today):
    counts = {}
    for name, check in checks.CHECKS.items():
        with CaptureQueriesContext(connection) as captured:
            checks.run_check(check, today)
        counts[name] = len(captured)
    return counts


def test_the_queries_of_each_check_do_not_grow_with_the_data():
    today = timezone.localdate()
    seed(20)
    small = queries_of_each_check(today)
    seed(60)
    assert SocialAccount.objects.count() >= 60
    assert queries_of_each_check(today) == small


# A plain reading of each rule, account by account, in Python. -----------------------------------


def plain_findings(today) -> dict[str, set[int]]:
    active = {account.pk: account for account in SocialAccount.objects.filter(status=AccountStatus.ACTIVE)}
    weeks = {}
    for row in WeeklyActivity.objects.all():
        weeks.setdefault(row.account_id, []).append(row)
    limit = today - activity_checks.INACTIVITY_LIMIT
    current = week_start(today)
    first = current - datetime.timedelta(weeks=4)
    found = {name: set() for name in checks.CHECKS}
    for pk, account in active.items():
        rows = weeks.get(pk, [])
        posted = [row.week for row in rows if row.posts > 0]
        last_post = max(posted) + datetime.timedelta(days=6) if posted else None
        if account.activated_on < limit and (last_post is None or last_post < limit):
            found["inactive"].add(pk)
        # Judged once the activation week is no later than the window's first; under one post a week.
        in_window = sum(row.posts for row in rows if first <= row.week < current)
        if week_start(account.activated_on) <= first and in_window < 4:
            found["shortfall"].add(pk)
        mandates = [mandate for mandate in Mandate.objects.filter(account_id=pk) if mandate.is_active_on(today)]
        if not mandates:
            found["no_editor"].add(pk)
        if any(m.valid_until and m.valid_until <= today + MANDATE_EXPIRY_NOTICE for m in mandates):
            found["mandate_expiring"].add(pk)
        self_checks = sorted(SelfCheck.objects.filter(account_id=pk), key=lambda c: (c.answered_at, c.pk))
        last = timezone.localdate(self_checks[-1].answered_at) if self_checks else None
        if checks.self_check_due(last, account.activated_on) < today:
            found["self_check_overdue"].add(pk)
        if self_checks and self_checks[-1].answers_no:
            found["self_check_no"].add(pk)
    del found["criminal_not_reported"], found["inquiry_overdue"]  # moderation's, tested there
    return found


def test_the_findings_are_those_of_the_rules_on_random_data():
    today = timezone.localdate()
    seed(60, seed=2026)
    expected = plain_findings(today)
    for name, accounts in expected.items():
        assert set(checks.CHECKS[name].find(today)) == accounts, name
    assert expected["inactive"] and expected["shortfall"] and expected["self_check_overdue"]  # the data has some


def decide_some(today) -> tuple[set, set]:
    """Comms decides on some of the open flags: resolves every fourth (the check raises it again),
    dismisses every fourth until a later day (it stays dismissed while found) and every fourth
    until today (the check raises it again, telling of the dismissal). Returns the (kind, account)
    of the last two."""
    now = timezone.now()
    some = list(ReviewFlag.objects.filter(status__in=OPEN_FLAG_STATUSES).order_by("pk").values_list("pk", flat=True))
    ReviewFlag.objects.filter(pk__in=some[::4]).update(status="resolved", closed_at=now)
    dismissed = {"status": "dismissed", "reason": "Säsongskonto.", "closed_at": now}
    held, due = some[1::4], some[2::4]
    ReviewFlag.objects.filter(pk__in=held).update(review_on=today + datetime.timedelta(days=30), **dismissed)
    ReviewFlag.objects.filter(pk__in=due).update(review_on=today, **dismissed)
    return (
        set(ReviewFlag.objects.filter(pk__in=held).values_list("kind", "account_id")),
        set(ReviewFlag.objects.filter(pk__in=due).values_list("kind", "account_id")),
    )


def test_the_flags_follow_the_findings_on_random_data():
    today = timezone.localdate()
    seed(60, seed=7)
    held, due = decide_some(today)
    assert held and due
    for name, check in checks.CHECKS.items():
        found = check.find(today)
        run = checks.run_check(check, today)
        assert run.found == len(found), name
        flags = ReviewFlag.objects.filter(kind=check.kind, status__in=OPEN_FLAG_STATUSES)
        # Every account found has its open flag, except those whose dismissal holds.
        expected = {pk: evidence for pk, evidence in found.items() if (check.kind, pk) not in held}
        assert {flag.account_id: checks._checked_evidence(flag.evidence) for flag in flags} == expected, name
        for flag in flags:
            assert ("dismissed_before" in flag.evidence) is ((check.kind, flag.account_id) in due), name
        assert checks.run_check(check, today).raised == checks.run_check(check, today).resolved == 0
    standing = ReviewFlag.objects.filter(status="dismissed", lapsed_at__isnull=True)
    assert set(standing.values_list("kind", "account_id")) <= held
    assert standing.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based findings are PostgreSQL's")
def test_in_sql_and_in_python_the_flags_end_the_same(monkeypatch):
    """apply_finding_sql (PostgreSQL's workers) and apply_findings (SQLite, the self-check) raise,
    refresh, resolve and let lapse the same flags, with the same evidence."""
    today = timezone.localdate()
    seed(60, seed=5)
    decide_some(today)
    # Some evidence out of date, to be refreshed (and what it says of a dismissal kept).
    still_open = ReviewFlag.objects.filter(status__in=OPEN_FLAG_STATUSES).order_by("pk")
    ReviewFlag.objects.filter(pk__in=list(still_open.values_list("pk", flat=True))[::5]).update(evidence={"old": 1})

    def outcome(in_sql: bool):
        monkeypatch.setattr(checks, "uses_sql_findings", lambda: in_sql)
        with transaction.atomic():
            runs = [(run.found, run.raised, run.resolved) for run in checks.run_checks(today=today)]
            flags = sorted(
                (account, kind, status, json.dumps(evidence, sort_keys=True), lapsed is not None)
                for account, kind, status, evidence, lapsed in ReviewFlag.objects.values_list(
                    "account_id", "kind", "status", "evidence", "lapsed_at"
                )
            )
            transaction.set_rollback(True)
        return runs, flags

    in_sql = outcome(True)
    assert in_sql == outcome(False)
    assert any(raised for _found, raised, _resolved in in_sql[0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based findings are PostgreSQL's")
def test_the_set_based_findings_give_the_same_evidence():
    today = timezone.localdate()
    seed(60, seed=11)
    for name, check in checks.CHECKS.items():
        if check.finding is None:
            continue
        in_sql = {
            pk: evidence if isinstance(evidence, dict) else json.loads(evidence)
            for pk, evidence in checks.finding_rows(check.finding(today))
        }
        assert in_sql == check.find(today), name


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based findings are PostgreSQL's")
@pytest.mark.parametrize(
    "instant",
    [
        datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.UTC),  # winter, +01:00
        datetime.datetime(2026, 7, 1, 22, 5, 7, 120, tzinfo=datetime.UTC),  # summer, the next day, microseconds
        datetime.datetime(2026, 3, 29, 0, 59, 59, tzinfo=datetime.UTC),  # a second before the clocks go forward
        datetime.datetime(2026, 3, 29, 1, 0, tzinfo=datetime.UTC),  # the moment they do
    ],
)
def test_local_isoformat_in_sql_is_pythons(instant):
    from django.db.models import DateTimeField, Value

    from accounts.tests.factories import SocialAccountFactory
    from moderation.scheduled_checks import LocalIsoformat

    account = SocialAccountFactory()
    in_sql = (
        SocialAccount.objects.filter(pk=account.pk)
        .annotate(iso=LocalIsoformat(Value(instant, output_field=DateTimeField())))
        .values_list("iso", flat=True)
        .get()
    )
    assert in_sql == timezone.localtime(instant).isoformat()
