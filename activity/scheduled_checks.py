"""Activity's scheduled checks (R6, R15, R19), registered with review's (review/scheduled_checks.py):
accounts without a post for more than six months, and accounts that post less than once a week."""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import (
    DateField,
    DecimalField,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    JSONField,
    Max,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, JSONObject

from accounts.models import SocialAccount
from falkoping_some.lib.weeks import iso_week, week_start
from review.models import FlagKind
from review.scheduled_checks import Check, register

# R6, R15: an account with no post for more than this is closed. Calendar months, so that
# "six months before 31 August" is 28 (or 29) February, as a person counts.
INACTIVITY_LIMIT = relativedelta(months=6)  # R6, R15
# R19: at least one post a week on average, over this many full ISO weeks before the current one.
SHORTFALL_WINDOW_WEEKS = getattr(settings, "POSTING_WINDOW_WEEKS", 4)
MIN_POSTS_PER_WEEK = 1  # R19


def _inactive(today: datetime.date):
    """The accounts of find_inactive, annotated with `last_week` (the Monday of the last week with
    posts): one aggregate over the weeks with posts, joined (not a subquery per account)."""
    limit = today - INACTIVITY_LIMIT  # "more than six months": the day exactly six months back is not yet
    return (
        SocialAccount.objects.active()
        .filter(activated_on__lt=limit)
        .annotate(posted=FilteredRelation("weekly_activity", condition=Q(weekly_activity__posts__gt=0)))
        .annotate(last_week=Max("posted__week"))
        # Sunday (week + 6 days) before the limit.
        .filter(Q(last_week__isnull=True) | Q(last_week__lt=limit - datetime.timedelta(days=6)))
    )


def find_inactive(today: datetime.date) -> dict[int, dict]:
    """R6, R15: active accounts without a post for more than six months.

    Activity is logged per week, not per post: a week with posts counts as a post on its Sunday
    (the last day it can stand for), so an account is never flagged while a logged week might
    still hold a post within the limit. The count starts at the later of that Sunday and the
    activation date: an account that never posted counts from its activation, and posts logged
    before the account was activated do not make a newly started account look abandoned."""
    rows = _inactive(today).values_list("pk", "activated_on", "last_week")
    found = {}
    for pk, activated_on, last_week_monday in rows:
        last_post = last_week_monday + datetime.timedelta(days=6) if last_week_monday else None
        since = max(d for d in (last_post, activated_on) if d)
        found[pk] = {
            "last_post": last_post.isoformat() if last_post else None,
            "since": since.isoformat(),
            "activated_on": activated_on.isoformat(),
        }
    return found


def _shortfall_mondays(today: datetime.date) -> list[datetime.date]:
    """The Mondays of the SHORTFALL_WINDOW_WEEKS full weeks before the current one."""
    first = week_start(today) - datetime.timedelta(weeks=SHORTFALL_WINDOW_WEEKS)
    return [first + datetime.timedelta(weeks=n) for n in range(SHORTFALL_WINDOW_WEEKS)]


def _shortfall(today: datetime.date):
    """The accounts of find_posting_shortfall, annotated with `window_posts`. Only the window's
    weeks are joined (a condition of the join, not a FILTER over every week of every account)."""
    weeks = SHORTFALL_WINDOW_WEEKS
    current = week_start(today)
    first = current - datetime.timedelta(weeks=weeks)
    in_window = Q(weekly_activity__week__gte=first, weekly_activity__week__lt=current)
    return (
        SocialAccount.objects.active()
        # The activation week (its Monday) is no later than the window's first week.
        .filter(activated_on__lt=first + datetime.timedelta(days=7))
        .annotate(in_window=FilteredRelation("weekly_activity", condition=in_window))
        .annotate(window_posts=Coalesce(Sum("in_window__posts"), Value(0), output_field=IntegerField()))
        # An average under one a week, compared as whole numbers.
        .filter(window_posts__lt=weeks * MIN_POSTS_PER_WEEK)
    )


def find_posting_shortfall(today: datetime.date) -> dict[int, dict]:
    """R19: active accounts averaging fewer than MIN_POSTS_PER_WEEK posts a week over the last
    SHORTFALL_WINDOW_WEEKS full ISO weeks. The current week is not over and is not counted; a week
    without a log counts as zero. The activation week counts as a week of the account; an account
    with fewer full weeks than the window since it was activated is not judged yet."""
    weeks = SHORTFALL_WINDOW_WEEKS
    mondays = _shortfall_mondays(today)
    rows = _shortfall(today).values_list("pk", "window_posts")
    return {
        pk: {
            "weeks": [iso_week(monday) for monday in mondays],
            "posts": posts,
            "average": round(posts / weeks, 2),
            "window": weeks,
        }
        for pk, posts in rows
    }


def _plus_days(expression, days: int):
    """A date `days` later (PostgreSQL: date + integer is a date)."""
    return Func(expression, Value(days), arg_joiner=" + ", template="(%(expressions)s)", output_field=DateField())


def finding_inactive(today: datetime.date):
    last_post = _plus_days(F("last_week"), 6)
    return _inactive(today).annotate(
        evidence=JSONObject(
            last_post=last_post,
            # GREATEST skips a NULL on PostgreSQL: an account that never posted counts from its activation.
            since=Greatest(last_post, F("activated_on"), output_field=DateField()),
            activated_on=F("activated_on"),
        )
    )


def finding_posting_shortfall(today: datetime.date):
    weeks = SHORTFALL_WINDOW_WEEKS
    return _shortfall(today).annotate(
        evidence=JSONObject(
            weeks=Value([iso_week(monday) for monday in _shortfall_mondays(today)], output_field=JSONField()),
            posts=F("window_posts"),
            average=Func(
                F("window_posts"),
                template=f"ROUND((%(expressions)s)::numeric / {int(weeks)}, 2)",
                output_field=DecimalField(),
            ),
            window=Value(weeks),
        )
    )


register(Check("inactive", FlagKind.INACTIVE_6_MONTHS, find_inactive, finding_inactive, order=10))
register(Check("shortfall", FlagKind.POSTING_SHORTFALL, find_posting_shortfall, finding_posting_shortfall, order=20))
