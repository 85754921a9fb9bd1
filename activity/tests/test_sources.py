"""Where the weekly figures come from (activity/sources.py) and the checks of R6, R15 and R19 on
captured posts: the week boundary in Stockholm time, no week counted twice, inactivity exact to the
day, flags that resolve when a new post is captured, and PostgreSQL's set-based finding equal to
the Python one."""

import datetime
import itertools
import json
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from accounts.tests.factories import SocialAccountFactory, UserFactory
from activity import scheduled_checks as activity_checks
from activity import sources
from activity.models import WeeklyActivity
from capture.models import CapturedItem, Connection, ConnectionState, ItemKind
from review import scheduled_checks as checks
from review.models import FlagKind, ReviewFlag

pytestmark = pytest.mark.django_db

D = datetime.date
STOCKHOLM = ZoneInfo("Europe/Stockholm")
_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def _window_of_four_weeks(monkeypatch):
    monkeypatch.setattr(activity_checks, "SHORTFALL_WINDOW_WEEKS", 4)


def connect(account, at, state=ConnectionState.ACTIVE, kind="facebook"):
    return Connection.objects.create(
        account=account, kind=kind, base_url="http://127.0.0.1:1/", external_id=f"page-{account.pk}",
        state=state, created_by=UserFactory(), created_at=at,
    )  # fmt: skip


def post(connection, at, *, kind=ItemKind.POST, by_account=True, missing=False):
    """A post captured from `connection`, published at the local time `at`."""
    n = next(_ids)
    return CapturedItem.objects.create(
        connection=connection, account=connection.account, platform=connection.kind, platform_id=f"p{n}",
        kind=kind, by_account=by_account, published_at=at, raw={}, raw_sha256="0" * 64,
        missing_since=at + datetime.timedelta(days=1) if missing else None,
    )  # fmt: skip


def local(*args):
    return datetime.datetime(*args, tzinfo=STOCKHOLM)


def log(account, monday, posts):
    return WeeklyActivity.objects.create(account=account, week=monday, posts=posts, logged_by=UserFactory())


def flag(account, kind):
    return ReviewFlag.objects.filter(account=account, kind=kind, status__in=["open", "acknowledged"]).first()


def run(name, today):
    (check_run,) = checks.run_checks(only=[name], today=today)
    return check_run


class TestTheRule:
    def test_a_post_on_sunday_evening_counts_in_that_week(self, library_account):
        feed = connect(library_account, local(2026, 11, 2, 9))
        post(feed, local(2026, 11, 22, 23, 30))  # Sunday of 2026-W47, 22:30 UTC
        post(feed, local(2026, 11, 23, 0, 10))  # Monday of 2026-W48
        weeks = sources.week_counts([library_account], D(2026, 11, 16), D(2026, 11, 23))[library_account.pk]
        assert [(w.monday, w.posts, w.source) for w in weeks] == [
            (D(2026, 11, 16), 1, "platform"),
            (D(2026, 11, 23), 1, "platform"),
        ]

    def test_no_week_is_counted_twice(self, library_account):
        # Connected on Wednesday of 2026-W45: that whole week is read from the platform, and the
        # number logged by hand for it (before the connection was made) is not counted.
        log(library_account, D(2026, 10, 26), 3)
        log(library_account, D(2026, 11, 2), 5)
        feed = connect(library_account, local(2026, 11, 4, 10))
        post(feed, local(2026, 11, 2, 8))  # Monday of the connection's week, before it was made
        post(feed, local(2026, 11, 3, 8), missing=True)  # deleted later on the platform: still published
        post(feed, local(2026, 11, 3, 9), by_account=False)  # someone else's
        post(feed, local(2026, 11, 3, 10), kind=ItemKind.COMMENT)
        post(feed, local(2026, 10, 27, 8))  # captured history from before the connection's week
        weeks = sources.week_counts([library_account], D(2026, 10, 26), D(2026, 11, 9))[library_account.pk]
        assert [(w.posts, w.source) for w in weeks] == [(3, "manual"), (2, "platform"), (0, "platform")]

    def test_any_connection_state_counts_and_the_first_one_decides(self, library_account):
        connect(library_account, local(2026, 9, 1, 10), state=ConnectionState.REMOVED, kind="instagram")
        connect(library_account, local(2026, 11, 4, 10))
        assert sources.platform_from(library_account) == D(2026, 8, 31)

    def test_an_account_without_a_connection_keeps_its_logs(self, library_account):
        log(library_account, D(2026, 11, 2), 4)
        weeks = sources.week_counts([library_account], D(2026, 11, 2), D(2026, 11, 9))[library_account.pk]
        assert [(w.posts, w.source) for w in weeks] == [(4, "manual"), (None, "manual")]


class TestShortfallOnCapturedPosts:
    TODAY = D(2026, 11, 25)  # 2026-W48: the window is W44 to W47

    def test_flagged_from_the_platform(self, library_account):
        feed = connect(library_account, local(2026, 1, 5, 10))
        for day in (D(2026, 10, 27), D(2026, 11, 4), D(2026, 11, 24)):  # the last is in the current week
            post(feed, local(day.year, day.month, day.day, 12))
        log(library_account, D(2026, 11, 9), 9)  # a platform week: the log does not count
        run("shortfall", self.TODAY)
        assert flag(library_account, FlagKind.POSTING_SHORTFALL).evidence == {
            "weeks": ["2026-W44", "2026-W45", "2026-W46", "2026-W47"],
            "posts": 2,
            "average": 0.5,
            "window": 4,
            "source": "platform",
            "platform_from": "2026-W02",
        }

    def test_the_sunday_evening_post_completes_the_window(self, library_account):
        feed = connect(library_account, local(2026, 1, 5, 10))
        for day in (D(2026, 10, 27), D(2026, 11, 4), D(2026, 11, 11)):
            post(feed, local(day.year, day.month, day.day, 12))
        post(feed, local(2026, 11, 22, 23, 30))  # Sunday of W47, local time
        assert run("shortfall", self.TODAY).found == 0

    def test_a_window_of_both_sources(self, library_account):
        log(library_account, D(2026, 10, 26), 1)
        log(library_account, D(2026, 11, 2), 1)
        feed = connect(library_account, local(2026, 11, 12, 10))  # in W46
        post(feed, local(2026, 11, 13, 12))
        run("shortfall", self.TODAY)
        evidence = flag(library_account, FlagKind.POSTING_SHORTFALL).evidence
        assert (evidence["posts"], evidence["source"], evidence["platform_from"]) == (3, "both", "2026-W46")

    def test_a_new_captured_post_resolves_the_flag(self, library_account):
        feed = connect(library_account, local(2026, 1, 5, 10))
        for day in (D(2026, 10, 27), D(2026, 11, 4), D(2026, 11, 11)):
            post(feed, local(day.year, day.month, day.day, 12))
        assert run("shortfall", self.TODAY).raised == 1
        post(feed, local(2026, 11, 20, 12))
        assert run("shortfall", self.TODAY).resolved == 1
        assert flag(library_account, FlagKind.POSTING_SHORTFALL) is None


class TestInactivityOnCapturedPosts:
    # The last post: Sunday 24 May 2026, 23:30 in Stockholm (21:30 UTC).
    @pytest.mark.parametrize(
        ("today", "flagged"),
        [
            (D(2026, 11, 25), True),  # six months and a day
            (D(2026, 11, 24), False),  # exactly six months: not yet "more than"
        ],
    )
    def test_exact_to_the_day(self, library_account, today, flagged):
        feed = connect(library_account, local(2026, 1, 5, 10))
        post(feed, local(2026, 5, 24, 23, 30))
        post(feed, local(2026, 5, 20, 12))
        found = flag(library_account, FlagKind.INACTIVE_6_MONTHS) if run("inactive", today).found else None
        assert bool(found) is flagged
        if flagged:
            assert found.evidence == {
                "last_post": "2026-05-24",
                "since": "2026-05-24",
                "activated_on": "2024-01-15",
                "source": "platform",
            }

    def test_a_midweek_post_is_exact_where_a_log_is_not(self, library_account):
        # A post on Wednesday 20 May: flagged on 21 November. A log of that week would stand for
        # Sunday 24 May and be flagged only on 25 November.
        feed = connect(library_account, local(2026, 1, 5, 10))
        post(feed, local(2026, 5, 20, 12))
        assert run("inactive", D(2026, 11, 21)).found == 1

    def test_the_manual_log_before_the_connection(self, library_account):
        log(library_account, D(2026, 5, 18), 2)
        connect(library_account, local(2026, 9, 1, 10))  # nothing captured since
        run("inactive", D(2026, 11, 25))
        assert flag(library_account, FlagKind.INACTIVE_6_MONTHS).evidence["source"] == "manual"

    def test_a_new_captured_post_resolves_the_flag(self, library_account):
        feed = connect(library_account, local(2026, 1, 5, 10))
        post(feed, local(2026, 4, 2, 12))
        assert run("inactive", D(2026, 11, 25)).raised == 1
        post(feed, local(2026, 11, 24, 12))
        assert run("inactive", D(2026, 11, 25)).resolved == 1


def mixed_data():
    """Accounts of every kind: manual only, platform only, both, connected this week, never posted."""
    today = D(2026, 11, 25)
    manual = SocialAccountFactory(activated_on=D(2025, 1, 1))
    log(manual, D(2026, 5, 4), 2)
    log(manual, D(2026, 11, 2), 1)
    platform = SocialAccountFactory(activated_on=D(2025, 1, 1))
    feed = connect(platform, local(2025, 1, 8, 10))
    post(feed, local(2026, 5, 10, 23, 30))
    both = SocialAccountFactory(activated_on=D(2025, 1, 1))
    log(both, D(2026, 10, 26), 2)
    post(connect(both, local(2026, 11, 11, 9)), local(2026, 11, 15, 23, 59))
    new = SocialAccountFactory(activated_on=D(2025, 1, 1))
    log(new, D(2026, 11, 16), 1)
    connect(new, local(2026, 11, 24, 9), state=ConnectionState.BROKEN)
    SocialAccountFactory(activated_on=D(2025, 1, 1))  # never posted
    return today


def test_python_finds_what_it_should_on_mixed_data():
    today = mixed_data()
    assert len(activity_checks.find_inactive(today)) == 2  # the platform one (May) and the one never posted
    assert len(activity_checks.find_posting_shortfall(today)) == 5


@pytest.mark.postgres
def test_the_set_based_findings_equal_the_python_ones():
    today = mixed_data()
    for name in ("inactive", "shortfall"):
        check = checks.CHECKS[name]
        in_sql = {
            pk: evidence if isinstance(evidence, dict) else json.loads(evidence)
            for pk, evidence in checks.finding_rows(check.finding(today))
        }
        assert in_sql == check.find(today), name


class TestTheEditorsPages:
    """The dashboard, the weekly form and the account's activity page on a connected account."""

    TODAY = D(2026, 3, 11)  # Wednesday of 2026-W11

    @pytest.fixture(autouse=True)
    def _today(self, time_machine):
        time_machine.move_to(local(2026, 3, 11, 12), tick=False)

    @pytest.fixture
    def feed(self, library_account):
        feed = connect(library_account, local(2026, 2, 25, 10))  # in 2026-W09
        feed.last_success_at = local(2026, 3, 11, 11, 45)
        feed.save()
        post(feed, local(2026, 3, 9, 12))
        post(feed, local(2026, 3, 10, 12))
        post(feed, local(2026, 3, 8, 23, 30))  # Sunday of W10
        return feed

    def test_the_dashboard_shows_the_platform_s_figures_and_asks_nothing(self, redaktor, feed, library_account):
        from django.template.loader import render_to_string
        from django.test import RequestFactory

        from activity.services import dashboard_rows

        redaktor.__dict__.pop("_portal_roles", None)
        (row,) = dashboard_rows(redaktor, self.TODAY)
        assert row.from_platform
        assert [(w.monday, w.posts) for w in row.platform_weeks] == [
            (D(2026, 3, 9), 2),
            (D(2026, 3, 2), 1),
            (D(2026, 2, 23), 0),
        ]
        # W08 and earlier are manual weeks nobody logged; W09 and W10 are the platform's.
        assert row.missing and max(row.missing) == D(2026, 2, 16)
        with translation.override("en"):
            html = render_to_string(
                "activity/_activity_dashboard.html", {"activity_rows": [row]}, request=RequestFactory().get("/")
            )
        assert "<form" not in html and 'type="number"' not in html
        assert "2 posts in week 11, read from the platform." in html
        assert "Last capture: " in html
        assert "vecka=2026-03-02" not in html and "vecka=2026-02-16" in html

    def test_a_manual_number_for_a_platform_week_is_refused(self, redaktor, feed, library_account):
        from activity.services import log_activity
        from falkoping_some.lib.errors import DomainError

        with pytest.raises(DomainError, match="2026-W09"):
            log_activity(redaktor, library_account, D(2026, 2, 23), 3)
        log_activity(redaktor, library_account, D(2026, 2, 16), 3)  # the week before the connection's
        assert WeeklyActivity.objects.count() == 1

    def test_the_csv_import_refuses_it_too(self, kommunikator, feed, library_account):
        from activity.csv_import import import_activity

        result = import_activity(kommunikator, f"account,week,posts\n{library_account.pk},2026-W10,4\n")
        assert not result.ok and "2026-W09" in result.errors[0]["reason"]

    def test_the_activity_page_shows_each_week_s_source(self, client, redaktor, feed, library_account):
        from django.urls import reverse

        log_entry = log(library_account, D(2026, 2, 16), 5)
        client.force_login(redaktor)
        client.cookies["django_language"] = "en"
        response = client.get(reverse("activity:log", args=[library_account.pk]))
        weeks = {w.monday: (w.posts, w.source) for w in response.context["recent"]}
        assert weeks[D(2026, 3, 9)] == (2, "platform")
        assert weeks[D(2026, 2, 16)] == (log_entry.posts, "manual")
        assert "read from the platform" in response.content.decode()

    def test_the_chart_draws_the_same_numbers(self, feed, library_account):
        from activity.templatetags.activity_chart import chart_context

        bars = {
            bar.monday: (bar.posts, bar.from_platform) for bar in chart_context(library_account, self.TODAY)["bars"]
        }
        assert bars[D(2026, 3, 2)] == (1, True)
        assert bars[D(2026, 2, 16)] == (None, False)
        assert D(2026, 3, 9) not in bars  # the current week is not over
