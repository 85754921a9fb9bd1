"""The scheduled checks at scale (issue 9): the number of queries of each check does not grow with
the data, and on a random data set (seed_bench's generator) every check finds exactly the accounts
that a plain Python reading of its rule finds, the flags follow, and the set-based finding of
PostgreSQL (Check.finding, evidence built in SQL) gives the same evidence as the find_* functions.
The timings are in bench/checks.py, never here."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import checks
from accounts.models import (
    OPEN_FLAG_STATUSES,
    AccountStatus,
    Mandate,
    ReviewFlag,
    SelfCheck,
    SocialAccount,
    WeeklyActivity,
    week_start,
)
from accounts.notifications import MANDATE_EXPIRY_NOTICE

pytestmark = pytest.mark.django_db

WEEKS = 10


def seed(accounts: int, seed: int = 9):
    call_command(
        "seed_bench", "--accounts", str(accounts), "--weeks", str(WEEKS), "--seed", str(seed), "--reset",
        stdout=io.StringIO(),
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _window_of_four_weeks(monkeypatch, settings):
    monkeypatch.setattr(checks, "SHORTFALL_WINDOW_WEEKS", 4)
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
    limit = today - checks.INACTIVITY_LIMIT
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


def test_the_flags_follow_the_findings_on_random_data():
    today = timezone.localdate()
    seed(60, seed=7)
    some = list(ReviewFlag.objects.filter(status__in=OPEN_FLAG_STATUSES).order_by("pk").values_list("pk", flat=True))
    # Closed by comms: the check raises them again.
    ReviewFlag.objects.filter(pk__in=some[::3]).update(status="dismissed", reason="Test.", closed_at=timezone.now())
    for name, check in checks.CHECKS.items():
        found = check.find(today)
        run = checks.run_check(check, today)
        assert run.found == len(found), name
        flags = ReviewFlag.objects.filter(kind=check.kind, status__in=OPEN_FLAG_STATUSES)
        assert {flag.account_id: flag.evidence for flag in flags} == found, name
        assert checks.run_check(check, today).raised == checks.run_check(check, today).resolved == 0


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
    from moderation.checks import LocalIsoformat

    account = SocialAccountFactory()
    in_sql = (
        SocialAccount.objects.filter(pk=account.pk)
        .annotate(iso=LocalIsoformat(Value(instant, output_field=DateTimeField())))
        .values_list("iso", flat=True)
        .get()
    )
    assert in_sql == timezone.localtime(instant).isoformat()
