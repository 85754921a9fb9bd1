"""Where an account's weekly figures come from (R6, R15, R19): the platform or the manual log.

The rule, in this one place, used by the scheduled checks, the editor's weekly form, the
account's activity page and its chart:

- An account connected to its platform (capture.Connection, in any state: a stopped or removed
  connection still captured what it captured) is *read from the platform* from the ISO week in
  which its first connection was made (`platform_from`, a Monday). Each such week counts the
  account's own captured posts (kind post, by the account itself) by their publication time in
  Europe/Stockholm: a post on Sunday 23:30 local time counts in that week. A post later deleted on
  the platform was still published, and counts.
- Every week before that, and every week of an account never connected, counts the manual log
  (WeeklyActivity), as before the portal read the platforms.
- A week is never counted from both. A manual number for a platform week is refused
  (services.check_week); one logged before the connection was made is kept but not counted.

Why captured history from before the connection does not count: those weeks were logged by hand,
and the checks and comms judged them on those logs; a connector's first read reaches back only as
far as the platform lets it (and CAPTURE_REREAD_DAYS), so part of a week could be captured and
part not; and a week that changed its figure after the fact would change flags already decided.
From the connection's week on, everything the account publishes is captured, so those weeks are
exact: R6's "more than six months" is then exact to the day (the last post's own date), where a
manual log can only say in which week the last post was.

A connection that the platform stopped keeps its weeks: they count what was captured, and its own
flag (connection_broken) tells comms to renew the token, after which the sync reads back.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, DateField, Max, Min, OuterRef, Subquery, Sum, TextChoices, Value
from django.db.models.functions import Cast, Coalesce, TruncDate, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.models import WeeklyActivity
from capture.models import CapturedItem, Connection, ItemKind
from falkoping_some.lib.days import start_of
from falkoping_some.lib.weeks import week_start

WEEK = datetime.timedelta(weeks=1)


class Source(TextChoices):
    """Where a week's number of posts comes from."""

    PLATFORM = "platform", _("read from the platform")
    MANUAL = "manual", _("manual log")


def own_posts():
    """The posts the account itself published, as captured (deleted ones included: they were published)."""
    return CapturedItem.objects.filter(kind=ItemKind.POST, by_account=True)


def platform_weeks_from(account_ids) -> dict[int, datetime.date]:
    """{account id: the Monday of the week its first connection was made}, for the connected ones. One query."""
    rows = (
        Connection.objects.filter(account__in=account_ids)
        .order_by()
        .values("account")
        .annotate(first=Min("created_at"))
        .values_list("account", "first")
    )
    return {pk: week_start(timezone.localdate(first)) for pk, first in rows}


def platform_from(account) -> datetime.date | None:
    """The first week (its Monday) that is read from the platform for this account, or None."""
    return platform_weeks_from([account.pk]).get(account.pk)


def source_of(monday: datetime.date, first_platform_week: datetime.date | None) -> str:
    """The rule for one week: read from the platform from the connection's week on, else the manual log."""
    if first_platform_week is not None and monday >= first_platform_week:
        return Source.PLATFORM
    return Source.MANUAL


def last_capture_at(account) -> datetime.datetime | None:
    """When a sync of the account's connections last succeeded (the figures are as of then)."""
    return Connection.objects.filter(account=account).aggregate(last=Max("last_success_at"))["last"]


@dataclass
class WeekCount:
    """One week of an account: its posts (None: a manual week nobody logged) and where they come from."""

    monday: datetime.date
    posts: int | None
    source: str
    log: WeeklyActivity | None = None  # the manual log of a manual week

    @property
    def from_platform(self) -> bool:
        return self.source == Source.PLATFORM


def week_counts(accounts, first: datetime.date, last: datetime.date, *, with_logs=False) -> dict[int, list[WeekCount]]:
    """{account id: its weeks from the Monday `first` to the Monday `last`, oldest first}, each counted by
    the rule above. Weeks before an account's activation week are left out. Three queries, whatever
    the number of accounts and weeks."""
    accounts = list(accounts)
    if not accounts:
        return {}
    ids = [account.pk for account in accounts]
    platform = platform_weeks_from(ids)
    logs_query = WeeklyActivity.objects.filter(account__in=ids, week__gte=first, week__lte=last)
    if with_logs:
        logs_query = logs_query.select_related("logged_by")
    logs = {(log.account_id, log.week): log for log in logs_query}
    counted = {}
    connected = [pk for pk in ids if pk in platform and platform[pk] <= last]
    if connected:
        # The week in Stockholm time, by the database (TruncWeek with the time zone), grouped there.
        rows = (
            own_posts()
            .filter(
                account__in=connected,
                published_at__gte=start_of(first),
                published_at__lt=start_of(last + WEEK),
            )
            .annotate(week=TruncWeek("published_at", tzinfo=timezone.get_current_timezone()))
            .order_by()
            .values("account", "week")
            .annotate(n=Count("pk"))
            .values_list("account", "week", "n")
        )
        for pk, week, n in rows:
            counted[(pk, timezone.localtime(week).date() if timezone.is_aware(week) else week.date())] = n
    result = {}
    for account in accounts:
        start = first
        if account.activated_on:
            start = max(first, week_start(account.activated_on))
        weeks = []
        monday = start
        while monday <= last and account.activated_on:
            source = source_of(monday, platform.get(account.pk))
            if source == Source.PLATFORM:
                weeks.append(WeekCount(monday, counted.get((account.pk, monday), 0), source))
            else:
                log = logs.get((account.pk, monday))
                weeks.append(WeekCount(monday, log.posts if log else None, source, log))
            monday += WEEK
        result[account.pk] = weeks
    return result


# The same rule as SQL expressions on a queryset of accounts, for the set-based checks ----------
# (activity/scheduled_checks.py). Each is one correlated subquery that PostgreSQL answers from an
# index per account (capture_item_own_posts, the unique index of the weekly logs, the connection's
# account index): no query per account from Python, and the same on SQLite.


def first_platform_week_sql():
    """The Monday (a date) of the week of the account's first connection, or NULL."""
    first = (
        Connection.objects.filter(account=OuterRef("pk")).order_by().values("account").annotate(first=Min("created_at"))
    )
    return Cast(
        TruncWeek(Subquery(first.values("first")), tzinfo=timezone.get_current_timezone()), output_field=DateField()
    )


def own_posts_of_outer_account(since_week: str = "platform_from"):
    """The outer account's own captured posts published in or after the week named `since_week`
    (an annotation of the outer query, a Monday), in Stockholm time."""
    return (
        own_posts()
        .filter(account=OuterRef("pk"))
        .alias(published_on=TruncDate("published_at", tzinfo=timezone.get_current_timezone()))
        .filter(published_on__gte=OuterRef(since_week))
    )


def last_platform_post_sql(since_week: str = "platform_from"):
    """The publication time of the account's newest own post in its platform weeks, or NULL."""
    newest = own_posts_of_outer_account(since_week).order_by("-published_at").values("published_at")[:1]
    return Subquery(newest)


def last_manual_week_sql(since_week: str = "platform_from"):
    """The Monday of the account's last manual week with posts (before its platform weeks), or NULL."""
    before = Coalesce(OuterRef(since_week), Value(datetime.date.max), output_field=DateField())
    last = (
        WeeklyActivity.objects.filter(account=OuterRef("pk"), posts__gt=0)
        .filter(week__lt=before)
        .order_by("-week")
        .values("week")[:1]
    )
    return Subquery(last, output_field=DateField())


def manual_posts_sql(first: datetime.date, end: datetime.date, since_week: str = "platform_from"):
    """The posts logged by hand in the manual weeks from the Monday `first` to before the Monday `end`, or NULL."""
    before = Coalesce(OuterRef(since_week), Value(end), output_field=DateField())
    logged = (
        WeeklyActivity.objects.filter(account=OuterRef("pk"), week__gte=first, week__lt=end)
        .filter(week__lt=before)
        .order_by()
        .values("account")
        .annotate(n=Sum("posts"))
        .values("n")
    )
    return Subquery(logged)


def platform_posts_sql(first: datetime.date, end: datetime.date, since_week: str = "platform_from"):
    """The own posts captured in the platform weeks from the Monday `first` to before the Monday `end`, or NULL."""
    captured = (
        own_posts_of_outer_account(since_week)
        .filter(published_at__gte=start_of(first), published_at__lt=start_of(end))
        .order_by()
        .values("account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(captured)
