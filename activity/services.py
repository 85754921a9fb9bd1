"""Weekly activity (R19): an editor logs how many posts an account published in an ISO week.

"Logging takes one click and a number": the dashboard offers this week's number for every account
the editor holds a mandate for, and links to the recent weeks nobody logged. One log per account
and week; a second entry for the same week edits the first (auditlog records the change).

A week read from the platform (activity/sources.py: from the week of the account's first
connection on) is not logged: the dashboard shows its captured posts and asks nothing, and a
number for it is refused (check_week).

Permission is refused with PermissionDenied (the view answers 403), a refused week or number with
DomainError (the view shows its message).
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import Mandate, SocialAccount
from activity import sources
from activity.models import WeeklyActivity
from capture.models import Connection
from falkoping_some.lib.errors import DomainError
from falkoping_some.lib.weeks import iso_week, week_start

WEEK = datetime.timedelta(weeks=1)
POSTS_PER_WEEK = 1  # R19: on average at least one post per week
MISSING_WEEKS_SHOWN = 8  # how far back the dashboard reminds an editor of weeks nobody logged


def week_label(monday: datetime.date) -> str:
    """week 48, 2026: how a week reads on a page (the same msgid as the templates use)."""
    year, number, _weekday = monday.isocalendar()
    return _("week %(week)s, %(year)s") % {"week": number, "year": year}


def first_loggable_week(account) -> datetime.date | None:
    """The Monday of the week the account was activated in: nothing before it is its activity."""
    return week_start(account.activated_on) if account.activated_on else None


_UNKNOWN = object()


def check_week(account, week: datetime.date, today: datetime.date, platform_from=_UNKNOWN) -> str | None:
    """Why `week` (a Monday) can't be logged for the account, or None when it can. Shared with the
    CSV import so that a page and a file refuse the same weeks with the same words. `platform_from`
    (the account's first platform week, sources.platform_weeks_from) saves a query per row."""
    if platform_from is _UNKNOWN:
        platform_from = sources.platform_from(account)
    if sources.source_of(week, platform_from) == sources.Source.PLATFORM:
        # Never both for one week (activity/sources.py): the captured posts are the week's figure.
        return _(
            "The week %(week)s is read from the platform: the account is connected since the week %(since)s, "
            "and its posts are counted from what the portal captured. Weeks before that can be logged."
        ) % {"week": iso_week(week), "since": iso_week(platform_from)}
    if week > week_start(today):
        return _("The week %(week)s has not begun yet: log a week once it has started.") % {"week": iso_week(week)}
    first = first_loggable_week(account)
    if first is None:
        return _("The account has never been activated, so it has no weeks to log.")
    if week < first:
        return _("The account was activated on %(date)s: weeks before %(week)s cannot be logged.") % {
            "date": formats.date_format(account.activated_on, "SHORT_DATE_FORMAT"),
            "week": iso_week(first),
        }
    return None


def check_posts(posts) -> str | None:
    """Why `posts` isn't a plausible number of posts for one week, or None when it is."""
    if posts < 0:
        return _("The number of posts cannot be negative.")
    if posts > WeeklyActivity.MAX_POSTS:
        return _("%(posts)s posts in one week is more than the %(max)s the portal accepts: check the number.") % {
            "posts": posts,
            "max": WeeklyActivity.MAX_POSTS,
        }
    return None


def log_activity(actor, account, week, posts, note=None) -> tuple[WeeklyActivity, bool]:
    """R19: record that `account` published `posts` posts in the ISO week of `week` (any day of
    it). A second entry for the same week replaces the number of the first. `note=None` keeps the
    note already logged for the week (the dashboard's one-number form has no note field).
    Returns the log and whether it was new."""
    if not actor.has_perm("activity.log", account):
        raise PermissionDenied
    week = week_start(week)
    today = timezone.localdate()
    problem = check_posts(posts)
    if problem:
        raise DomainError(problem)
    with transaction.atomic():
        # The account row is locked so that a closing and a log of the same account wait for
        # each other; the log's own row is locked by update_or_create.
        account = SocialAccount.objects.lock_active(
            account, _("Activity can only be logged for an active account; this one is “%(status)s”.")
        )
        problem = check_week(account, week, today)
        if problem:
            raise DomainError(problem)
        defaults = {"posts": posts, "logged_by": actor, "logged_at": timezone.now()}
        if note is not None:
            defaults["note"] = note.strip()
        # update_or_create locks the existing row (select_for_update) and saves it through
        # save(), so auditlog records the change; two first entries racing meet the unique
        # constraint and the loser retries as an update.
        activity, created = WeeklyActivity.objects.update_or_create(account=account, week=week, defaults=defaults)
    return activity, created


def logged_weeks(account, since: datetime.date) -> set[datetime.date]:
    return set(WeeklyActivity.objects.filter(account=account, week__gte=since).values_list("week", flat=True))


def _missing(account, logged: set, today: datetime.date, weeks: int, platform_from=None) -> list[datetime.date]:
    this_week = week_start(today)
    first = first_loggable_week(account)
    if first is None:
        return []
    candidates = (this_week - n * WEEK for n in range(weeks + 1))
    return [
        monday
        for monday in candidates
        if monday >= first
        and monday not in logged
        and sources.source_of(monday, platform_from) == sources.Source.MANUAL  # a platform week needs no log
    ]


def missing_weeks(account, today, weeks=MISSING_WEEKS_SHOWN) -> list[datetime.date]:
    """The Mondays of the weeks with no log: this week and the `weeks` full weeks before it,
    newest first, never a week before the account's activation nor a week read from the platform."""
    since = week_start(today) - weeks * WEEK
    return _missing(account, logged_weeks(account, since), today, weeks, sources.platform_from(account))


PLATFORM_WEEKS_SHOWN = 4  # a connected account's row shows this week and the full weeks before it


@dataclass
class DashboardRow:
    account: SocialAccount
    this_week: datetime.date
    logged: WeeklyActivity | None  # this week's log
    missing: list[datetime.date] = field(default_factory=list)  # earlier weeks with no log, newest first
    saved: object = None  # the confirmation of a week just saved from this row (activity.views)
    # A connected account (activity/sources.py): this week's and recent weeks' captured posts, newest
    # first, and when the platform was last read. Nothing is asked for a platform week.
    platform_weeks: list[sources.WeekCount] = field(default_factory=list)
    last_capture_at: datetime.datetime | None = None

    @property
    def from_platform(self) -> bool:
        """This week is read from the platform: the row shows it and asks no number."""
        return bool(self.platform_weeks) and self.platform_weeks[0].monday == self.this_week

    @property
    def this_week_iso(self) -> str:
        return iso_week(self.this_week)

    @property
    def missing_links(self) -> list[tuple[datetime.date, str]]:
        return [(monday, week_label(monday)) for monday in self.missing]


def dashboard_rows(user, today) -> list[DashboardRow]:
    """For the editor's dashboard: each active account the user holds a mandate for today, with
    this week's log (or None) and the recent full weeks nobody logged; for a connected account its
    recent platform weeks as captured. Three queries (six with a connected account), whatever
    the number of accounts."""
    this_week = week_start(today)
    since = this_week - MISSING_WEEKS_SHOWN * WEEK
    accounts = list(
        SocialAccount.objects.active()
        .filter(pk__in=Mandate.objects.active_on(today).filter(user=user).values("account_id"))
        .select_related("unit")
        .order_by("name", "pk")
    )
    logs = {}
    for activity in WeeklyActivity.objects.filter(account__in=accounts, week__gte=since, week__lte=this_week):
        logs[(activity.account_id, activity.week)] = activity
    platform = sources.platform_weeks_from([account.pk for account in accounts])
    connected = [account for account in accounts if account.pk in platform]
    counts = sources.week_counts(connected, this_week - (PLATFORM_WEEKS_SHOWN - 1) * WEEK, this_week)
    captured = (
        dict(
            Connection.objects.filter(account__in=connected)
            .order_by()
            .values("account")
            .annotate(last=Max("last_success_at"))
            .values_list("account", "last")
        )
        if connected
        else {}
    )
    rows = []
    for account in accounts:
        logged = {week for (account_id, week) in logs if account_id == account.pk}
        first_platform_week = platform.get(account.pk)
        missing = [
            w for w in _missing(account, logged, today, MISSING_WEEKS_SHOWN, first_platform_week) if w != this_week
        ]
        row = DashboardRow(account, this_week, logs.get((account.pk, this_week)), missing)
        row.platform_weeks = [w for w in reversed(counts.get(account.pk, [])) if w.from_platform]
        row.last_capture_at = captured.get(account.pk)
        rows.append(row)
    return rows


def recent_weeks(account, today, weeks=12) -> list[sources.WeekCount]:
    """The last `weeks` weeks (this one first), each with its posts and their source
    (activity/sources.py), from the activation on."""
    this_week = week_start(today)
    counted = sources.week_counts([account], this_week - (weeks - 1) * WEEK, this_week, with_logs=True)
    return list(reversed(counted[account.pk]))
