"""The scheduled checks (review/scheduled_checks.py): each rule at its edges, the flags' lifecycle
(raise, refresh, resolve, idempotence, dry run), the query count, the command, the schedules
and the daily digest."""

import datetime
import importlib
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import MandateFactory, SocialAccountFactory, UserFactory
from activity import scheduled_checks as activity_checks
from activity.models import WeeklyActivity
from capture.models import Connection, ConnectionState, ProfileSnapshot
from review import flags as flag_service
from review import scheduled_checks as checks
from review.models import CheckRun, FlagKind, FlagStatus, ReviewFlag, SelfCheck

pytestmark = pytest.mark.django_db

D = datetime.date
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture(autouse=True)
def _window_of_four_weeks(monkeypatch):
    # The tests are written for the default window, whatever POSTING_WINDOW_WEEKS says here.
    monkeypatch.setattr(activity_checks, "SHORTFALL_WINDOW_WEEKS", 4)


def log(account, monday, posts):
    assert monday.weekday() == 0
    return WeeklyActivity.objects.create(account=account, week=monday, posts=posts, logged_by=UserFactory())


def flag(account, kind):
    return ReviewFlag.objects.filter(account=account, kind=kind, status__in=["open", "acknowledged"]).first()


def run(name, today, **kwargs):
    (check_run,) = checks.run_checks(only=[name], today=today, **kwargs)
    return check_run


class TestInactive:
    # Last post logged in the week of Monday 18 May 2026: it counts as Sunday 24 May.
    @pytest.mark.parametrize(
        ("today", "flagged"),
        [
            (D(2026, 11, 25), True),  # six months and a day after the last post
            (D(2026, 11, 24), False),  # exactly six months: not yet "more than"
            (D(2026, 11, 23), False),  # a day less
        ],
    )
    def test_counted_from_the_last_post(self, library_account, today, flagged):
        log(library_account, D(2026, 5, 11), 2)
        log(library_account, D(2026, 5, 18), 3)
        log(library_account, D(2026, 6, 1), 0)  # a logged week without posts is no post
        check_run = run("inactive", today)
        found = flag(library_account, FlagKind.INACTIVE_6_MONTHS)
        assert bool(found) is flagged
        assert (check_run.found, check_run.raised) == ((1, 1) if flagged else (0, 0))
        if flagged:
            assert found.evidence == {
                "last_post": "2026-05-24",
                "since": "2026-05-24",
                "activated_on": "2024-01-15",
                "source": "manual",  # the Sunday of the logged week: exact only to the week
            }

    @pytest.mark.parametrize(("today", "flagged"), [(D(2026, 11, 25), True), (D(2026, 11, 24), False)])
    def test_never_posted_is_counted_from_activation(self, today, flagged):
        account = SocialAccountFactory(activated_on=D(2026, 5, 24))
        run("inactive", today)
        found = flag(account, FlagKind.INACTIVE_6_MONTHS)
        assert bool(found) is flagged
        if flagged:
            assert found.evidence == {
                "last_post": None,
                "since": "2026-05-24",
                "activated_on": "2026-05-24",
                "source": None,
            }

    @pytest.mark.parametrize(
        ("today", "activated_on", "flagged"),
        [
            # Six calendar months before 31 August is the last day of February.
            (D(2026, 8, 31), D(2026, 2, 27), True),
            (D(2026, 8, 31), D(2026, 2, 28), False),
            (D(2028, 8, 31), D(2028, 2, 28), True),  # a leap year: the limit is 29 February
            (D(2028, 8, 31), D(2028, 2, 29), False),
        ],
    )
    def test_month_end(self, today, activated_on, flagged):
        account = SocialAccountFactory(activated_on=activated_on)
        run("inactive", today)
        assert bool(flag(account, FlagKind.INACTIVE_6_MONTHS)) is flagged

    def test_only_active_accounts(self, library_account):
        SocialAccountFactory(status="requested", activated_on=None)
        check_run = run("inactive", D(2026, 11, 25))
        assert check_run.found == 1


class TestPostingShortfall:
    # Wednesday 25 November 2026 is in 2026-W48: the window is W44 to W47 (Mondays 26 Oct to 16 Nov).
    TODAY = D(2026, 11, 25)
    WINDOW = ["2026-W44", "2026-W45", "2026-W46", "2026-W47"]

    def test_an_average_of_exactly_one_is_enough(self, library_account):
        log(library_account, D(2026, 10, 26), 4)  # the other three weeks have no log: zero
        assert run("shortfall", self.TODAY).found == 0

    def test_an_average_under_one_is_flagged(self, library_account):
        log(library_account, D(2026, 10, 26), 1)
        log(library_account, D(2026, 11, 2), 1)
        log(library_account, D(2026, 11, 16), 1)  # 2026-W46 has no log and counts as zero
        log(library_account, D(2026, 10, 19), 9)  # before the window
        run("shortfall", self.TODAY)
        found = flag(library_account, FlagKind.POSTING_SHORTFALL)
        assert found.evidence == {
            "weeks": self.WINDOW,
            "posts": 3,
            "average": 0.75,
            "window": 4,
            "source": "manual",
            "platform_from": None,
        }

    def test_the_current_week_is_not_counted(self, library_account):
        log(library_account, D(2026, 11, 16), 3)
        log(library_account, D(2026, 11, 23), 10)
        run("shortfall", self.TODAY)
        assert flag(library_account, FlagKind.POSTING_SHORTFALL).evidence["posts"] == 3

    def test_a_window_across_the_new_year_has_week_53(self, library_account):
        assert D(2026, 12, 28).isocalendar()[:2] == (2026, 53)
        today = D(2027, 1, 13)  # 2027-W02: the window is 2026-W51, W52, W53 and 2027-W01
        log(library_account, D(2026, 12, 7), 10)  # 2026-W50, outside
        log(library_account, D(2026, 12, 28), 3)
        run("shortfall", today)
        evidence = flag(library_account, FlagKind.POSTING_SHORTFALL).evidence
        assert evidence["weeks"] == ["2026-W51", "2026-W52", "2026-W53", "2027-W01"]
        assert evidence["posts"] == 3
        log(library_account, D(2027, 1, 4), 1)
        assert run("shortfall", today).resolved == 1

    @pytest.mark.parametrize(
        ("activated_on", "judged"),
        [
            (D(2026, 11, 11), False),  # two weeks ago
            (D(2026, 11, 2), False),  # three full weeks only
            (D(2026, 11, 1), True),  # a Sunday in the window's first week: four weeks of the account
            (D(2026, 10, 26), True),
        ],
    )
    def test_too_new_an_account_is_not_judged_yet(self, activated_on, judged):
        account = SocialAccountFactory(activated_on=activated_on)
        run("shortfall", self.TODAY)
        assert bool(flag(account, FlagKind.POSTING_SHORTFALL)) is judged


class TestMandates:
    TODAY = D(2026, 11, 25)

    def test_an_account_without_an_editor(self, library_account):
        run("no_editor", self.TODAY)
        assert flag(library_account, FlagKind.NO_ACTIVE_EDITOR).evidence == {}

    def test_an_editor_with_a_mandate_in_force(self, library_account, redaktor):
        assert run("no_editor", self.TODAY).found == 0

    def test_ended_and_revoked_mandates_do_not_count(self, library_account):
        MandateFactory(account=library_account, valid_until=self.TODAY - datetime.timedelta(days=1))
        MandateFactory(account=library_account, revoked_at=timezone.now(), revoke_reason="Slutat.")
        MandateFactory(account=library_account, valid_from=self.TODAY + datetime.timedelta(days=1))
        run("no_editor", self.TODAY)
        assert flag(library_account, FlagKind.NO_ACTIVE_EDITOR)

    @pytest.mark.parametrize(("days", "flagged"), [(0, True), (14, True), (15, False)])
    def test_a_mandate_ending_within_fourteen_days(self, library_account, days, flagged):
        editor = UserFactory(first_name="Eva", last_name="Ek")
        MandateFactory(user=editor, account=library_account, valid_until=self.TODAY + datetime.timedelta(days=days))
        MandateFactory(account=library_account)  # open-ended
        run("mandate_expiring", self.TODAY)
        found = flag(library_account, FlagKind.MANDATE_EXPIRING)
        assert bool(found) is flagged
        if flagged:
            until = (self.TODAY + datetime.timedelta(days=days)).isoformat()
            assert found.evidence == {"mandates": [{"editor": "Eva Ek", "valid_until": until}]}

    def test_sends_no_email_of_its_own(self, library_account):
        MandateFactory(account=library_account, valid_until=self.TODAY)
        run("mandate_expiring", self.TODAY)
        assert not Notification.objects.exists()


class TestFlagLifecycle:
    TODAY = D(2026, 11, 25)

    def test_a_second_run_changes_nothing(self, library_account, social_account):
        first = checks.run_checks(today=self.TODAY)
        flags = list(ReviewFlag.objects.order_by("pk").values_list("pk", "account", "kind", "status", "evidence"))
        assert len(flags) == 8  # both accounts: inactive, shortfall, no editor and self-check overdue
        second = checks.run_checks(today=self.TODAY)
        assert [(r.check_name, r.found, r.raised, r.resolved) for r in second] == [
            (r.check_name, r.found, 0, 0) for r in first
        ]
        assert list(ReviewFlag.objects.order_by("pk").values_list("pk", "account", "kind", "status", "evidence")) == (
            flags
        )

    def test_an_acknowledged_flag_stays_the_one_open_flag(self, library_account):
        run("inactive", self.TODAY)
        ReviewFlag.objects.update(status=FlagStatus.ACKNOWLEDGED)
        assert run("inactive", self.TODAY).raised == 0
        assert ReviewFlag.objects.count() == 1

    def test_the_evidence_of_an_open_flag_is_kept_current(self, library_account):
        log(library_account, D(2026, 11, 2), 1)
        run("shortfall", self.TODAY)
        log(library_account, D(2026, 11, 9), 1)
        check_run = run("shortfall", self.TODAY)
        assert (check_run.raised, check_run.resolved) == (0, 0)
        assert flag(library_account, FlagKind.POSTING_SHORTFALL).evidence["posts"] == 2

    def test_a_flag_resolves_itself_when_the_condition_is_gone(self, library_account):
        run("inactive", self.TODAY)
        raised = flag(library_account, FlagKind.INACTIVE_6_MONTHS)
        log(library_account, D(2026, 11, 23), 1)
        assert run("inactive", self.TODAY).resolved == 1
        raised.refresh_from_db()
        assert raised.status == FlagStatus.RESOLVED
        assert raised.reason == "The condition is gone."
        assert raised.closed_at is not None
        assert run("inactive", self.TODAY).raised == 0

    def test_a_closed_account_has_its_flags_resolved(self, library_account):
        checks.run_checks(today=self.TODAY)
        assert ReviewFlag.objects.filter(status="open").count() == 4  # with the self-check overdue
        library_account.status = "closed"
        library_account.closed_on = self.TODAY
        library_account.closing_reason = "inactive_6_months"
        library_account.save()
        runs = checks.run_checks(today=self.TODAY)
        assert sum(r.resolved for r in runs) == 4
        assert not ReviewFlag.objects.filter(status__in=["open", "acknowledged"]).exists()

    def test_a_dry_run_writes_no_flags_but_records_the_run(self, library_account):
        check_run = run("inactive", self.TODAY, dry_run=True)
        assert not ReviewFlag.objects.exists()
        assert (check_run.found, check_run.raised, check_run.resolved, check_run.dry_run) == (1, 1, 0, True)
        assert CheckRun.objects.get() == check_run

    def test_a_dry_run_counts_what_it_would_resolve(self, library_account):
        run("inactive", self.TODAY)
        log(library_account, D(2026, 11, 23), 1)
        assert run("inactive", self.TODAY, dry_run=True).resolved == 1
        assert flag(library_account, FlagKind.INACTIVE_6_MONTHS)

    def test_the_database_guards_against_a_second_open_flag(self, library_account, monkeypatch):
        # As if another run raised the flag between this run's read and its insert.
        ReviewFlag.objects.create(account=library_account, kind=FlagKind.INACTIVE_6_MONTHS)
        monkeypatch.setattr(checks, "OPEN_FLAG_STATUSES", (FlagStatus.ACKNOWLEDGED,))
        assert run("inactive", self.TODAY).raised == 0
        assert ReviewFlag.objects.count() == 1

    def test_unknown_check(self):
        with pytest.raises(KeyError, match="nonsense"):
            checks.run_checks(only=["nonsense"])

    def test_one_open_flag_per_account_and_kind(self, library_account):
        first = ReviewFlag.objects.create(account=library_account, kind=FlagKind.INACTIVE_6_MONTHS)
        with pytest.raises(IntegrityError), transaction.atomic():
            ReviewFlag.objects.create(account=library_account, kind=FlagKind.INACTIVE_6_MONTHS)
        first.status = FlagStatus.RESOLVED
        first.save()
        ReviewFlag.objects.create(account=library_account, kind=FlagKind.INACTIVE_6_MONTHS)
        assert ReviewFlag.objects.count() == 2

    def test_a_dismissal_has_a_review_date_and_stands_alone(self, library_account):
        dismissed = {"kind": FlagKind.INACTIVE_6_MONTHS, "status": FlagStatus.DISMISSED, "reason": "Säsong"}
        with pytest.raises(IntegrityError), transaction.atomic():
            ReviewFlag.objects.create(account=library_account, **dismissed)  # never for good
        with pytest.raises(IntegrityError), transaction.atomic():
            ReviewFlag.objects.create(account=library_account, kind=FlagKind.INACTIVE_6_MONTHS, review_on=self.TODAY)
        first = ReviewFlag.objects.create(account=library_account, review_on=self.TODAY, **dismissed)
        with pytest.raises(IntegrityError), transaction.atomic():
            ReviewFlag.objects.create(account=library_account, review_on=self.TODAY, **dismissed)
        first.lapsed_at = timezone.now()
        first.save()
        ReviewFlag.objects.create(account=library_account, review_on=self.TODAY, **dismissed)


@pytest.fixture(params=["sql", "python"])
def both_ways(request, monkeypatch):
    """Each test of a dismissal runs as PostgreSQL's workers do (apply_finding_sql) and as SQLite
    and the self-check do (apply_findings): the two must agree."""
    if request.param == "sql" and connection.vendor != "postgresql":
        pytest.skip("the set-based findings are PostgreSQL's")
    monkeypatch.setattr(checks, "uses_sql_findings", lambda: request.param == "sql")
    return request.param


def on(day, hour=6):
    """The clock at `hour` o'clock on `day` in Falköping, as the morning checks run."""
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM), tick=False)


@pytest.mark.usefixtures("both_ways")
class TestDismissalStands:
    """A flag that comms dismissed stays decided (DESIGN.md, ReviewFlag): not raised again while its
    condition persists, until the review date chosen; raised anew if the condition went away and
    came back; and on the review date, with the condition still there, raised again with the
    dismissal in its evidence."""

    TODAY = D(2026, 11, 25)  # the library has been inactive for more than six months
    REASON = "Säsongskonto: öppnar igen till sommarlovet."

    def dismiss(self, actor, account, kind, day, review_on=None):
        chosen = {"review_on": review_on} if review_on else {}  # the default: as comms leaves the field
        with on(day, 9):
            return flag_service.dismiss_flag(actor, flag(account, kind), self.REASON, **chosen)

    def run_on(self, name, day):
        with on(day):
            return run(name, day)

    def test_not_raised_again_until_the_review_date(self, library_account, kommunikator):
        self.run_on("inactive", self.TODAY)
        dismissed = self.dismiss(kommunikator, library_account, FlagKind.INACTIVE_6_MONTHS, self.TODAY)
        for day in (self.TODAY, D(2026, 11, 26), D(2027, 2, 24)):  # the day before the review date, too
            check_run = self.run_on("inactive", day)
            assert (check_run.found, check_run.raised) == (1, 0), day
            assert flag(library_account, FlagKind.INACTIVE_6_MONTHS) is None, day
        dismissed.refresh_from_db()
        assert dismissed.review_on == D(2027, 2, 25)  # three months by default
        assert dismissed.lapsed_at is None

        # On the review date, the condition still there: raised again, saying why it was dismissed.
        assert self.run_on("inactive", D(2027, 2, 25)).raised == 1
        again = flag(library_account, FlagKind.INACTIVE_6_MONTHS)
        assert again.pk != dismissed.pk and again.status == FlagStatus.OPEN
        assert again.evidence == {
            "last_post": None,
            "since": "2024-01-15",
            "activated_on": "2024-01-15",
            "source": None,
            "dismissed_before": {
                "flag": dismissed.pk,
                "dismissed_on": "2026-11-25",
                "dismissed_by": str(kommunikator),
                "reason": self.REASON,
                "review_on": "2027-02-25",
            },
        }
        dismissed.refresh_from_db()
        assert dismissed.status == FlagStatus.DISMISSED and dismissed.lapsed_at is not None
        # Idempotent: the next runs keep that flag, and what it says of the dismissal.
        for day in (D(2027, 2, 25), D(2027, 2, 26)):
            check_run = self.run_on("inactive", day)
            assert (check_run.raised, check_run.resolved) == (0, 0)
        assert flag(library_account, FlagKind.INACTIVE_6_MONTHS).evidence == again.evidence
        assert ReviewFlag.objects.count() == 2

    def test_the_review_date_chosen_when_dismissing(self, library_account, kommunikator):
        self.run_on("inactive", self.TODAY)
        self.dismiss(kommunikator, library_account, FlagKind.INACTIVE_6_MONTHS, self.TODAY, review_on=D(2026, 12, 1))
        assert self.run_on("inactive", D(2026, 11, 30)).raised == 0
        assert self.run_on("inactive", D(2026, 12, 1)).raised == 1

    def test_a_flag_raised_again_keeps_what_it_says_of_the_dismissal(self, library_account, kommunikator):
        self.run_on("shortfall", self.TODAY)
        self.dismiss(kommunikator, library_account, FlagKind.POSTING_SHORTFALL, self.TODAY, review_on=D(2026, 11, 30))
        self.run_on("shortfall", D(2026, 11, 30))
        again = flag(library_account, FlagKind.POSTING_SHORTFALL)
        assert again.evidence["posts"] == 0 and again.evidence["dismissed_before"]["review_on"] == "2026-11-30"
        # Two posts in the week of 23 November: still too few; the evidence is brought up to date.
        log(library_account, D(2026, 11, 23), 2)
        check_run = self.run_on("shortfall", D(2026, 12, 1))
        assert (check_run.raised, check_run.resolved) == (0, 0)
        refreshed = flag(library_account, FlagKind.POSTING_SHORTFALL)
        assert refreshed.pk == again.pk and refreshed.evidence["posts"] == 2
        assert refreshed.evidence["dismissed_before"] == again.evidence["dismissed_before"]

    def test_raised_anew_when_the_condition_has_gone_and_come_back(self, library_account, kommunikator):
        # R19: no posts in the four weeks before the week of 25 November.
        self.run_on("shortfall", self.TODAY)
        dismissed = self.dismiss(kommunikator, library_account, FlagKind.POSTING_SHORTFALL, self.TODAY)
        assert self.run_on("shortfall", D(2026, 11, 26)).raised == 0
        # Four posts in the week of 16 November: the condition is gone, the dismissal lapses.
        log(library_account, D(2026, 11, 16), 4)
        check_run = self.run_on("shortfall", D(2026, 11, 27))
        assert (check_run.found, check_run.raised, check_run.resolved) == (0, 0, 0)
        dismissed.refresh_from_db()
        assert dismissed.lapsed_at is not None
        # Five weeks on the window holds no post: the condition is back, long before the review
        # date, and it is a new finding (nothing said of the earlier dismissal).
        check_run = self.run_on("shortfall", D(2026, 12, 21))
        assert check_run.raised == 1
        again = flag(library_account, FlagKind.POSTING_SHORTFALL)
        assert "dismissed_before" not in again.evidence
        assert again.evidence["posts"] == 0

    def test_an_account_no_longer_active_ends_the_dismissal(self, library_account, kommunikator):
        self.run_on("inactive", self.TODAY)
        dismissed = self.dismiss(kommunikator, library_account, FlagKind.INACTIVE_6_MONTHS, self.TODAY)
        library_account.status, library_account.closed_on = "closed", self.TODAY
        library_account.closing_reason = "inactive_6_months"
        library_account.save()
        self.run_on("inactive", D(2026, 11, 26))
        dismissed.refresh_from_db()
        assert dismissed.lapsed_at is not None

    def test_a_dismissal_holds_for_its_own_account_and_kind_only(self, library_account, social_account, kommunikator):
        self.run_on("inactive", self.TODAY)
        self.run_on("no_editor", self.TODAY)
        self.dismiss(kommunikator, library_account, FlagKind.INACTIVE_6_MONTHS, self.TODAY)
        # Another check's flag of the account, and the same kind on another account, are resolved
        # by comms: the checks raise those again the next day.
        with on(self.TODAY, 9):
            flag_service.resolve_flag(kommunikator, flag(library_account, FlagKind.NO_ACTIVE_EDITOR), "Påmint.")
            flag_service.resolve_flag(kommunikator, flag(social_account, FlagKind.INACTIVE_6_MONTHS), "Påmint.")
        assert self.run_on("inactive", D(2026, 11, 26)).raised == 1
        assert self.run_on("no_editor", D(2026, 11, 26)).raised == 1
        assert flag(library_account, FlagKind.INACTIVE_6_MONTHS) is None

    def test_a_dry_run_counts_a_held_finding_as_nothing_to_raise(self, library_account, kommunikator):
        self.run_on("inactive", self.TODAY)
        dismissed = self.dismiss(kommunikator, library_account, FlagKind.INACTIVE_6_MONTHS, self.TODAY)
        with on(D(2026, 11, 26)):
            assert run("inactive", D(2026, 11, 26), dry_run=True).raised == 0
        with on(D(2027, 2, 25)):
            assert run("inactive", D(2027, 2, 25), dry_run=True).raised == 1
        dismissed.refresh_from_db()
        assert dismissed.lapsed_at is None and flag(library_account, FlagKind.INACTIVE_6_MONTHS) is None

    def test_the_queries_do_not_grow_with_the_dismissals(self, kommunikator):
        def accounts(n):
            """n accounts without an editor, their flags dismissed: every other one until the day
            of the run below, the others for longer; one in three then gets an editor."""
            made = [SocialAccountFactory() for _ in range(n)]
            self.run_on("no_editor", self.TODAY)
            with on(self.TODAY, 9):
                for number, account in enumerate(made):
                    review_on = D(2026, 11, 27) if number % 2 else D(2026, 12, 24)
                    flag_service.dismiss_flag(
                        kommunikator, flag(account, FlagKind.NO_ACTIVE_EDITOR), self.REASON, review_on
                    )
            for account in made[::3]:
                MandateFactory(account=account, valid_from=D(2026, 1, 1))

        def queries():
            with CaptureQueriesContext(connection) as captured:
                check_run = self.run_on("no_editor", D(2026, 11, 27))
            return len(captured), check_run.raised

        accounts(3)
        few, raised = queries()
        assert raised == 1  # the second: due, and still without an editor
        accounts(27)
        many, raised = queries()
        assert raised == 9  # the odd ones of 0–26 that are not a multiple of three
        assert few == many
        assert ReviewFlag.objects.filter(status="dismissed", lapsed_at__isnull=True).count() == 1 + 9


@pytest.mark.parametrize("name", list(checks.CHECKS))
def test_the_number_of_queries_does_not_grow_with_the_accounts(name):
    today = D(2026, 11, 25)

    def accounts(n):
        from moderation.models import Inquiry, ModerationCase

        stockholm = timezone.get_current_timezone()
        for _ in range(n):
            account = SocialAccountFactory()
            if name != "no_editor":
                mandate = MandateFactory(account=account, valid_until=today + datetime.timedelta(days=3))
            if name == "criminal_not_reported":  # removed five days before `today`, never reported
                ModerationCase.objects.create(
                    account=account, content_kind="comment", category="incitement", description="Hets",
                    is_criminal=True, removed_at=datetime.datetime(2026, 11, 20, 12, tzinfo=stockholm),
                    opened_by=mandate.user,
                )  # fmt: skip
            if name == "self_check_no":  # its latest self-check answered no on R4
                SelfCheck.objects.create(
                    account=account, answered_by=mandate.user, sender_clear=False, profile_description=True,
                    no_political_stance=True, no_dialogue_elsewhere=True, follows_relevant_only=True,
                    comment="Den nya logotypen saknas.",
                )  # fmt: skip
            if name in ("connection_broken", "token_expiring"):  # stopped by the platform; its token ends soon
                Connection.objects.create(
                    account=account, kind="facebook", base_url="https://graph.facebook.com/v26.0",
                    external_id=f"page-{account.pk}", created_by=mandate.user,
                    state=ConnectionState.BROKEN if name == "connection_broken" else ConnectionState.ACTIVE,
                    token_expires_at=timezone.now() + datetime.timedelta(days=3),
                )  # fmt: skip
            if name == "profile_description":  # R5: its profile says something else than the registry
                connection = Connection.objects.create(
                    account=account, kind="mastodon", base_url="https://mastodon.example",
                    external_id=f"{account.pk}", created_by=mandate.user,
                )  # fmt: skip
                for description in ("Den gamla texten.", "Något helt annat."):
                    ProfileSnapshot.objects.create(
                        connection=connection, account=account, description=description, raw={}, raw_sha256="0" * 64
                    )
            if name == "inquiry_overdue":  # its deadline passed a day ago, no answer
                past = timezone.now() - datetime.timedelta(days=3)
                Inquiry.objects.create(
                    account=account, channel="comment", received_at=past, summary="Öppettider?",
                    deadline=past + datetime.timedelta(days=2), logged_by=mandate.user,
                )  # fmt: skip

    def queries():
        with CaptureQueriesContext(connection) as captured:
            check_run = run(name, today)
        return len(captured), check_run.raised

    accounts(3)
    few, raised = queries()
    assert raised == 3
    accounts(27)
    many, raised = queries()
    assert raised == 27
    assert few == many


class TestCommand:
    def test_prints_a_table_of_every_check(self, library_account):
        out = io.StringIO()
        call_command("run_checks", stdout=out)
        lines = out.getvalue().splitlines()
        assert lines[0].split() == ["check", "found", "raised", "resolved", "ms"]
        assert [line.split()[:4] for line in lines[1:]] == [
            ["inactive", "1", "1", "0"],
            ["shortfall", "1", "1", "0"],
            ["no_editor", "1", "1", "0"],
            ["mandate_expiring", "0", "0", "0"],
            ["criminal_not_reported", "0", "0", "0"],
            ["inquiry_overdue", "0", "0", "0"],
            ["self_check_overdue", "1", "1", "0"],
            ["self_check_no", "0", "0", "0"],
            ["connection_broken", "0", "0", "0"],
            ["token_expiring", "0", "0", "0"],
            ["profile_description", "0", "0", "0"],
        ]

    def test_only_and_dry_run(self, library_account):
        out = io.StringIO()
        call_command("run_checks", "--only", "inactive", "no_editor", "--dry-run", stdout=out)
        lines = out.getvalue().splitlines()
        assert [line.split()[0] for line in lines[1:3]] == ["inactive", "no_editor"]
        assert "Dry run" in lines[-1]
        assert not ReviewFlag.objects.exists()
        assert CheckRun.objects.filter(dry_run=True).count() == 2

    def test_an_unknown_name_lists_the_checks(self):
        with pytest.raises(CommandError, match="nonsense.*inactive, shortfall, no_editor, mandate_expiring"):
            call_command("run_checks", "--only", "nonsense")
        assert not CheckRun.objects.exists()


def test_the_schedules(django_db_setup):
    from django_celery_beat.models import PeriodicTask

    migration = importlib.import_module("accounts.migrations.0007_check_schedules")
    migration.create_schedules(django_apps, None)  # a second time: nothing new
    tasks = {t.name: t for t in PeriodicTask.objects.filter(name__in=[s[0] for s in migration.SCHEDULES])}
    assert len(tasks) == 5
    inactive = tasks["Kontroll: inaktiva konton (R6, R15)"]
    assert (inactive.task, inactive.kwargs) == ("accounts.tasks.run_scheduled_checks", '{"only": ["inactive"]}')
    assert (inactive.crontab.hour, inactive.crontab.minute, str(inactive.crontab.timezone)) == (
        "6",
        "0",
        "Europe/Stockholm",
    )
    shortfall = tasks["Kontroll: färre än ett inlägg i veckan (R19)"]
    assert (shortfall.crontab.day_of_week, shortfall.crontab.hour, shortfall.crontab.minute) == ("1", "6", "30")
    assert tasks["Kontroll: konton utan redaktör"].kwargs == '{"only": ["no_editor"]}'
    assert tasks["Kontroll: uppdrag som snart upphör"].kwargs == '{"only": ["mandate_expiring"]}'
    digest = tasks["Daglig sammanfattning av flaggor"]
    assert (digest.task, digest.crontab.hour, digest.crontab.minute) == (
        "accounts.tasks.send_flag_digest_task",
        "7",
        "30",
    )


class TestDigest:
    def at(self, day, hour, minute):
        return time_machine.travel(datetime.datetime(*day, hour, minute, tzinfo=STOCKHOLM), tick=False)

    def test_one_mail_per_person_per_day(self, library_account, redaktor, chef, medarbetare):
        with self.at((2026, 11, 25), 6, 0):
            checks.run_checks()  # the library: inactive, posting shortfall and self-check overdue
        with self.at((2026, 11, 25), 7, 30):
            digest = checks.send_flag_digest()
        assert (digest.found, digest.raised) == (3, 2)
        mails = {n.recipient: n for n in Notification.objects.all()}
        assert set(mails) == {redaktor, chef}
        for mail in mails.values():
            assert mail.body.count("- Falköpings bibliotek (Facebook): ") == 3
            assert f"/konton/{library_account.pk}/" in mail.body
            assert "3" in mail.subject
        with self.at((2026, 11, 25), 9, 0):
            assert checks.send_flag_digest() is None  # one a day
        with self.at((2026, 11, 26), 6, 0):
            checks.run_checks()
        with self.at((2026, 11, 26), 7, 30):
            assert checks.send_flag_digest().found == 0
        assert Notification.objects.count() == 2

    def test_a_dismissed_flag_is_not_mailed_again_until_its_review_date(self, library_account, redaktor, kommunikator):
        with self.at((2026, 11, 25), 6, 0):
            checks.run_checks(only=["shortfall"])
        with self.at((2026, 11, 25), 7, 30):
            assert checks.send_flag_digest().found == 1
        shortfall = ReviewFlag.objects.get(kind=FlagKind.POSTING_SHORTFALL)
        with self.at((2026, 11, 25), 9, 0):
            flag_service.dismiss_flag(kommunikator, shortfall, "Uppehåll under ombyggnaden.", D(2026, 12, 7))
        mailed = Notification.objects.count()
        for day in (26, 27):
            with self.at((2026, 11, day), 6, 0):
                assert checks.run_checks(only=["shortfall"])[0].raised == 0
            with self.at((2026, 11, day), 7, 30):
                assert checks.send_flag_digest().found == 0
        assert Notification.objects.count() == mailed
        # On its review date, the cause still there: mailed again, saying that it was dismissed.
        with self.at((2026, 12, 7), 6, 0):
            checks.run_checks(only=["shortfall"])
        with self.at((2026, 12, 7), 7, 30):
            assert checks.send_flag_digest().found == 1
        mail = Notification.objects.filter(recipient=redaktor).latest("pk")
        assert "Avfärdades 2026-11-25 och togs upp igen" in mail.body
        assert mail.body.count("- Falköpings bibliotek (Facebook): ") == 1

    def test_the_next_digest_has_only_the_new_flags(self, library_account, redaktor, social_account):
        with self.at((2026, 11, 25), 7, 30):
            checks.send_flag_digest()
        with self.at((2026, 11, 26), 6, 0):
            checks.run_checks(only=["inactive"])
        with self.at((2026, 11, 26), 7, 30):
            checks.send_flag_digest()
        (mail,) = Notification.objects.all()
        assert mail.recipient == redaktor  # the social account has neither editor nor manager
        assert mail.body.count("- ") == 1
