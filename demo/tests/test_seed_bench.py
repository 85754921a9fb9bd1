"""seed_bench: synthetic benchmark data, with the mix the checks must find, the same for
one seed, and refused in production and on a database that holds real data."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountStatus, Mandate, OrgUnit, SocialAccount, User
from accounts.tests.factories import SocialAccountFactory, UserFactory
from activity.models import WeeklyActivity
from activity.scheduled_checks import INACTIVITY_LIMIT
from conftest import give_mfa
from demo.benchdata import BENCH_DOMAIN, default_units
from demo.models import DatasetMarker
from falkoping_some.lib.weeks import week_start
from moderation.models import Inquiry
from moderation.tests.files.storage import private_media
from review.models import OPEN_FLAG_STATUSES, FlagKind, ReviewFlag
from review.scheduled_checks import run_checks

pytestmark = pytest.mark.django_db

ACCOUNTS, WEEKS = 30, 10


@pytest.fixture
def demo_mode(settings):
    settings.DEMO_MODE = True


def seed(*args, accounts=ACCOUNTS, weeks=WEEKS) -> str:
    out = io.StringIO()
    call_command("seed_bench", "--accounts", str(accounts), "--weeks", str(weeks), *args, stdout=out)
    return out.getvalue()


def activity_by_account() -> dict[int, dict[datetime.date, int]]:
    weeks = {}
    for account_id, week, posts in WeeklyActivity.objects.values_list("account_id", "week", "posts"):
        weeks.setdefault(account_id, {})[week] = posts
    return weeks


def silent_accounts(today) -> set[int]:
    """Active accounts, activated more than six months ago, without a post in the last seven months."""
    seven_months_ago = today - datetime.timedelta(days=213)
    rows = (
        SocialAccount.objects.active()
        .filter(activated_on__lt=today - INACTIVITY_LIMIT)
        .annotate(last=Max("weekly_activity__week", filter=Q(weekly_activity__posts__gt=0)))
        .values_list("pk", "last")
    )
    return {pk for pk, last in rows if last is None or last < seven_months_ago}


def ordered(rows) -> list[tuple]:
    return sorted(rows, key=lambda row: tuple("" if value is None else str(value) for value in row))


def snapshot():
    """The data by natural keys (handles, emails, dates), not primary keys or clock times."""
    handle = dict(SocialAccount.objects.values_list("pk", "handle"))
    email = dict(User.objects.values_list("pk", "email"))
    return {
        "units": ordered(OrgUnit.objects.values_list("name", "parent__name")),
        "accounts": ordered(
            SocialAccount.objects.values_list(
                "handle", "name", "platform", "status", "unit__name", "activated_on", "closed_on", "url"
            )
        ),
        "activity": ordered(
            (handle[a], week, posts)
            for a, week, posts in WeeklyActivity.objects.values_list("account_id", "week", "posts")
        ),
        "mandates": ordered(
            (handle[a], email[u], start, until, revoked is not None)
            for a, u, start, until, revoked in Mandate.objects.values_list(
                "account_id", "user_id", "valid_from", "valid_until", "revoked_at"
            )
        ),
        "questions": ordered(
            (handle[a], summary, answered is None)
            for a, summary, answered in Inquiry.objects.values_list("account_id", "summary", "answered_at")
        ),
        "flags": ordered(
            (handle[a], kind, status)
            for a, kind, status in ReviewFlag.objects.values_list("account_id", "kind", "status")
        ),
    }


@pytest.mark.usefixtures("demo_mode")
class TestGenerate:
    def test_counts_as_asked_with_monday_weeks_in_the_window(self):
        output = seed("--units", "12")
        this_monday = week_start(timezone.localdate())
        first_monday = this_monday - datetime.timedelta(weeks=WEEKS)

        assert SocialAccount.objects.count() == ACCOUNTS
        assert OrgUnit.objects.count() == 12
        assert OrgUnit.objects.filter(parent__isnull=True).count() >= 2  # a tree, not a list
        assert OrgUnit.objects.filter(parent__parent__isnull=False).exists()
        assert all(unit.managers.exists() for unit in OrgUnit.objects.all())
        weeks = set(WeeklyActivity.objects.values_list("week", flat=True))
        assert weeks and all(week.weekday() == 0 and first_monday <= week < this_monday for week in weeks)
        assert len(weeks) == WEEKS
        assert not User.objects.exclude(email__endswith=f"@{BENCH_DOMAIN}").exists()
        # Every live account has an editor who has (or had) a mandate, granted by somebody else.
        live = SocialAccount.objects.filter(status__in=[AccountStatus.ACTIVE, AccountStatus.CLOSED])
        assert all(account.mandates.exists() for account in live)
        assert not Mandate.objects.filter(granted_by=None).exists()
        marker = DatasetMarker.objects.get()
        assert marker.kind == "bench"
        assert marker.parameters == {"accounts": ACCOUNTS, "weeks": WEEKS, "units": 12, "seed": 1, "flags": None}
        assert f"{ACCOUNTS} accounts" in output
        assert "Bench data ready" in output

    def test_default_units_scale_with_the_accounts(self):
        seed()
        assert OrgUnit.objects.count() == default_units(ACCOUNTS)
        assert default_units(10_000) == default_units(100_000) == 300

    def test_the_mix_most_weekly_some_every_other_week_some_silent_and_some_not_active(self):
        seed()
        today = timezone.localdate()
        activity = activity_by_account()
        active = list(SocialAccount.objects.active().values_list("pk", flat=True))
        weekly = [pk for pk in active if len(activity.get(pk, {})) == WEEKS and min(activity[pk].values()) > 0]
        every_other = [
            pk
            for pk in active
            if (posting := sorted(w for w, n in activity.get(pk, {}).items() if n > 0))
            and len(posting) == WEEKS // 2
            and all((b - a).days == 14 for a, b in zip(posting, posting[1:], strict=False))
        ]
        silent = silent_accounts(today)

        assert len(weekly) > len(active) / 2
        assert every_other
        assert silent
        assert not set(weekly) & silent
        statuses = set(SocialAccount.objects.values_list("status", flat=True))
        assert AccountStatus.ACTIVE in statuses and statuses - {AccountStatus.ACTIVE}
        assert Inquiry.objects.exists()
        # Open flags by default: exactly what the checks find on this data.
        assert ReviewFlag.objects.filter(status__in=OPEN_FLAG_STATUSES).exists()

    def test_deterministic_for_one_seed_whichever_way_rows_are_inserted(self):
        seed("--seed", "7")
        first = snapshot()
        seed("--seed", "7", "--reset", "--insert", "bulk")
        assert snapshot() == first
        seed("--seed", "8", "--reset")
        assert snapshot() != first

    def test_flags_option_limits_the_open_flags(self):
        seed("--flags", "5")
        assert ReviewFlag.objects.filter(status__in=OPEN_FLAG_STATUSES).count() == 5

    def test_the_seeded_flags_are_what_the_checks_find(self):
        seed()
        runs = run_checks()
        assert [(run.check_name, run.raised, run.resolved) for run in runs if run.raised or run.resolved] == []
        found = {run.check_name: run.found for run in runs}
        assert found["inactive"] > 0 and found["shortfall"] > 0

    def test_scheduled_check_finds_the_silent_accounts(self):
        seed("--flags", "0")
        silent = silent_accounts(timezone.localdate())
        assert silent
        assert not ReviewFlag.objects.exists()

        (run,) = run_checks(only=["inactive"])

        assert run.found == run.raised == len(silent)
        flagged = set(
            ReviewFlag.objects.filter(kind=FlagKind.INACTIVE_6_MONTHS, status="open").values_list(
                "account_id", flat=True
            )
        )
        assert flagged == silent


@pytest.mark.usefixtures("demo_mode")
class TestRefusals:
    def test_refuses_production_settings(self, settings):
        settings.DEBUG = settings.DEMO_MODE = False
        with pytest.raises(CommandError, match="produktionsinställningar"):
            seed()
        assert not SocialAccount.objects.exists()
        assert not DatasetMarker.objects.exists()
        assert not User.objects.exists()

    @pytest.mark.parametrize("reset", [False, True])
    def test_refuses_a_database_with_real_data(self, reset):
        user = UserFactory(email="riktig@falkoping.se")
        account = SocialAccountFactory()
        with pytest.raises(CommandError, match="riktiga uppgifter"):
            seed(*(["--reset"] if reset else []))
        assert list(User.objects.all()) == [user]
        assert list(SocialAccount.objects.all()) == [account]
        assert OrgUnit.objects.count() == 2  # the factories' own
        assert not DatasetMarker.objects.exists()
        assert not WeeklyActivity.objects.exists()

    def test_a_database_with_superusers_only_counts_as_empty(self):
        UserFactory(email="admin@falkoping.se", is_superuser=True, is_staff=True)
        seed()
        assert SocialAccount.objects.count() == ACCOUNTS

    def test_a_second_run_needs_reset_which_wipes_the_earlier_bench_data(self):
        seed()
        counts = (User.objects.count(), WeeklyActivity.objects.count(), ReviewFlag.objects.count())
        with pytest.raises(CommandError, match="--reset"):
            seed("--seed", "2")
        assert (User.objects.count(), WeeklyActivity.objects.count(), ReviewFlag.objects.count()) == counts

        output = seed("--reset")

        assert "Emptied" in output
        assert SocialAccount.objects.count() == ACCOUNTS
        assert (User.objects.count(), WeeklyActivity.objects.count(), ReviewFlag.objects.count()) == counts
        assert DatasetMarker.objects.count() == 1

    def test_demo_data_is_not_real_data(self, tmp_path):
        with private_media(tmp_path / "private"):
            call_command("seed_demo", stdout=io.StringIO())
            assert DatasetMarker.objects.get().kind == "demo"
            demo_accounts = SocialAccount.objects.count()

            seed()  # beside the demo's data
            assert SocialAccount.objects.count() == demo_accounts + ACCOUNTS
            assert set(DatasetMarker.objects.values_list("kind", flat=True)) == {"demo", "bench"}

            seed("--reset")  # records included, past the records guard
            assert SocialAccount.objects.count() == ACCOUNTS
            assert not User.objects.filter(email__endswith="@demo.falkoping.se").exists()
            assert set(DatasetMarker.objects.values_list("kind", flat=True)) == {"bench"}


def test_the_marker_is_read_only_in_the_admin(client, superuser):
    marker = DatasetMarker.objects.create(kind="bench", parameters={"accounts": 10})
    client.force_login(give_mfa(superuser))
    assert client.get(reverse("admin:demo_datasetmarker_changelist")).status_code == 200
    page = client.get(reverse("admin:demo_datasetmarker_change", args=[marker.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.text
    assert client.get(reverse("admin:demo_datasetmarker_add")).status_code == 403
    assert client.post(reverse("admin:demo_datasetmarker_delete", args=[marker.pk]), {"post": "yes"}).status_code == 403
    assert DatasetMarker.objects.filter(pk=marker.pk).exists()
