"""Activity's scheduled checks (R6, R15, R19), registered with review's (review/scheduled_checks.py):
accounts without a post for more than six months, and accounts that post less than once a week."""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    JSONField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, JSONObject, TruncDate
from django.utils import timezone

from accounts.models import SocialAccount
from activity import sources
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
    """The accounts of find_inactive, annotated with `platform_from` (the first week read from the
    platform, activity/sources.py), `last_posted_at` (the newest own post captured in those weeks)
    and `last_week` (the Monday of the last manual week with posts before them): one correlated
    subquery each, answered from an index per account."""
    limit = today - INACTIVITY_LIMIT  # "more than six months": the day exactly six months back is not yet
    tz = timezone.get_current_timezone()
    return (
        SocialAccount.objects.active()
        .filter(activated_on__lt=limit)
        .annotate(platform_from=sources.first_platform_week_sql())
        .annotate(last_posted_at=sources.last_platform_post_sql(), last_week=sources.last_manual_week_sql())
        .annotate(last_posted_on=TruncDate("last_posted_at", tzinfo=tz))
        # The day the count starts: a captured post's own date (R6 exact to the day), else a manual
        # week's Sunday (week + 6 days), else the activation (never posted). One COALESCE, so that
        # each subquery is asked once per account, and the manual one only without a captured post.
        .alias(
            counted_from=Coalesce(
                "last_posted_on",
                ExpressionWrapper(F("last_week") + datetime.timedelta(days=6), output_field=DateField()),
                "activated_on",
                output_field=DateField(),
            )
        )
        .filter(counted_from__lt=limit)
    )


def find_inactive(today: datetime.date) -> dict[int, dict]:
    """R6, R15: active accounts without a post for more than six months.

    Which posts count follows activity/sources.py. For the weeks read from the platform the last
    post is the newest own post captured, on its own date (Europe/Stockholm), so "more than six
    months" is exact to the day (`source` "platform"). Manual logs are per week, not per post: a
    week with posts counts as a post on its Sunday (the last day it can stand for), so an account
    is never flagged while a logged week might still hold a post within the limit (`source`
    "manual": exact only to the week). The count starts at the later of that day and the
    activation date: an account that never posted counts from its activation (`source` None), and
    posts logged before the account was activated do not make a newly started account look
    abandoned."""
    rows = _inactive(today).values_list("pk", "activated_on", "last_posted_on", "last_week")
    found = {}
    for pk, activated_on, last_posted_on, last_week_monday in rows:
        if last_posted_on is not None:
            last_post, source = last_posted_on, sources.Source.PLATFORM.value
        elif last_week_monday is not None:
            last_post, source = last_week_monday + datetime.timedelta(days=6), sources.Source.MANUAL.value
        else:
            last_post, source = None, None
        since = max(d for d in (last_post, activated_on) if d)
        found[pk] = {
            "last_post": last_post.isoformat() if last_post else None,
            "since": since.isoformat(),
            "activated_on": activated_on.isoformat(),
            "source": source,
        }
    return found


def _shortfall_mondays(today: datetime.date) -> list[datetime.date]:
    """The Mondays of the SHORTFALL_WINDOW_WEEKS full weeks before the current one."""
    first = week_start(today) - datetime.timedelta(weeks=SHORTFALL_WINDOW_WEEKS)
    return [first + datetime.timedelta(weeks=n) for n in range(SHORTFALL_WINDOW_WEEKS)]


def _shortfall(today: datetime.date):
    """The accounts of find_posting_shortfall, annotated with `window_posts`: the window's manual
    weeks from their logs plus its platform weeks from the captured posts (activity/sources.py),
    each a correlated subquery over the window's rows of one account (an index range)."""
    weeks = SHORTFALL_WINDOW_WEEKS
    current = week_start(today)
    first = current - datetime.timedelta(weeks=weeks)
    return (
        SocialAccount.objects.active()
        # The activation week (its Monday) is no later than the window's first week.
        .filter(activated_on__lt=first + datetime.timedelta(days=7))
        .annotate(platform_from=sources.first_platform_week_sql())
        .annotate(
            manual_posts=Coalesce(sources.manual_posts_sql(first, current), Value(0), output_field=IntegerField()),
            platform_posts=Coalesce(sources.platform_posts_sql(first, current), Value(0), output_field=IntegerField()),
        )
        .annotate(window_posts=F("manual_posts") + F("platform_posts"))
        # An average under one a week, compared as whole numbers.
        .filter(window_posts__lt=weeks * MIN_POSTS_PER_WEEK)
    )


def window_source(platform_from: datetime.date | None, today: datetime.date) -> str:
    """Where the window's weeks were read: "platform", "manual" or "both" (some weeks each)."""
    mondays = _shortfall_mondays(today)
    kinds = {sources.source_of(monday, platform_from) for monday in mondays}
    return "both" if len(kinds) > 1 else kinds.pop().value


def find_posting_shortfall(today: datetime.date) -> dict[int, dict]:
    """R19: active accounts averaging fewer than MIN_POSTS_PER_WEEK posts a week over the last
    SHORTFALL_WINDOW_WEEKS full ISO weeks. The current week is not over and is not counted; a
    manual week without a log counts as zero, a platform week counts the posts captured in it
    (activity/sources.py; `source` says which, `platform_from` the first platform week). The
    activation week counts as a week of the account; an account with fewer full weeks than the
    window since it was activated is not judged yet."""
    weeks = SHORTFALL_WINDOW_WEEKS
    mondays = _shortfall_mondays(today)
    rows = _shortfall(today).values_list("pk", "window_posts", "platform_from")
    return {
        pk: {
            "weeks": [iso_week(monday) for monday in mondays],
            "posts": posts,
            "average": round(posts / weeks, 2),
            "window": weeks,
            "source": window_source(platform_from, today),
            "platform_from": iso_week(platform_from) if platform_from else None,
        }
        for pk, posts, platform_from in rows
    }


def _plus_days(expression, days: int):
    """A date `days` later (PostgreSQL: date + integer is a date)."""
    return Func(expression, Value(days), arg_joiner=" + ", template="(%(expressions)s)", output_field=DateField())


def _iso_week_sql(expression):
    """iso_week() in SQL: 2026-W05 (PostgreSQL's ISO year and week)."""
    return Func(expression, template="TO_CHAR(%(expressions)s, 'IYYY-\"W\"IW')", output_field=CharField())


def finding_inactive(today: datetime.date):
    last_manual_post = _plus_days(F("last_week"), 6)
    last_post = Coalesce(F("last_posted_on"), last_manual_post, output_field=DateField())
    return _inactive(today).annotate(
        evidence=JSONObject(
            last_post=last_post,
            # GREATEST skips a NULL on PostgreSQL: an account that never posted counts from its activation.
            since=Greatest(last_post, F("activated_on"), output_field=DateField()),
            activated_on=F("activated_on"),
            source=Case(
                When(last_posted_on__isnull=False, then=Value(sources.Source.PLATFORM.value)),
                When(last_week__isnull=False, then=Value(sources.Source.MANUAL.value)),
                default=None,
                output_field=CharField(),
            ),
        )
    )


def finding_posting_shortfall(today: datetime.date):
    weeks = SHORTFALL_WINDOW_WEEKS
    current = week_start(today)
    first = current - datetime.timedelta(weeks=weeks)
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
            # window_source() in SQL.
            source=Case(
                When(
                    Q(platform_from__isnull=True) | Q(platform_from__gt=current - datetime.timedelta(weeks=1)),
                    then=Value(sources.Source.MANUAL.value),
                ),
                When(platform_from__lte=first, then=Value(sources.Source.PLATFORM.value)),
                default=Value("both"),
                output_field=CharField(),
            ),
            platform_from=_iso_week_sql(F("platform_from")),
        )
    )


register(Check("inactive", FlagKind.INACTIVE_6_MONTHS, find_inactive, finding_inactive, order=10))
register(Check("shortfall", FlagKind.POSTING_SHORTFALL, find_posting_shortfall, finding_posting_shortfall, order=20))
