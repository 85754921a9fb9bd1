"""`{% activity_chart account %}`: an account's posts per week over the last 26 full weeks, as an
inline SVG bar chart drawn on the server (no JavaScript), with R19's one-post-a-week line and the
numbers as a table for those who don't see the chart."""

import datetime
from dataclasses import dataclass

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from activity import sources
from activity.services import POSTS_PER_WEEK, WEEK, first_loggable_week
from falkoping_some.lib.weeks import week_start

register = template.Library()

CHART_WEEKS = 26
# The drawing, in SVG user units (the SVG scales to its container).
SLOT, BAR = 24, 16
LEFT, RIGHT, TOP, BOTTOM = 36, 118, 16, 40
PLOT_HEIGHT = 150
STUB = 5  # a week under one post: a short hatched bar, so that it shows and differs by more than colour


@dataclass
class Bar:
    monday: datetime.date
    posts: int | None  # None: nobody logged the week
    from_platform: bool = False  # read from the platform (activity/sources.py), else the manual log
    x: float = 0
    y: float = 0
    height: float = 0
    labelled: bool = False  # every fourth week is named under the axis, counted back from the latest

    @property
    def under(self) -> bool:
        return (self.posts or 0) < POSTS_PER_WEEK

    @property
    def label(self) -> str:
        return f"v. {self.monday.isocalendar()[1]}"


def _ceiling(value: int) -> int:
    """A round top for the axis: 2, 4, 5, 10, 15, 20, 25, 50, …"""
    for step in (2, 4, 5, 10, 15, 20, 25, 50, 75, 100, 150, 200, 250, 300, 400, 500):
        if value <= step:
            return step
    return value


def chart_context(account, today) -> dict:
    last = week_start(today) - WEEK  # the last full week: the current one is not over
    start = last - (CHART_WEEKS - 1) * WEEK
    first = first_loggable_week(account)
    if first is not None:
        start = max(start, first)
    mondays = [] if first is None or start > last else [start + n * WEEK for n in range((last - start).days // 7 + 1)]
    # The same figures as the checks and the activity page: captured posts for the platform weeks.
    counted = {w.monday: w for w in sources.week_counts([account], start, last)[account.pk]} if mondays else {}
    bars = [
        Bar(monday, counted[monday].posts, counted[monday].from_platform) if monday in counted else Bar(monday, None)
        for monday in mondays
    ]
    top = _ceiling(max([b.posts or 0 for b in bars] + [POSTS_PER_WEEK + 1]))
    scale = PLOT_HEIGHT / top
    baseline = TOP + PLOT_HEIGHT
    for i, bar in enumerate(bars):
        bar.x = LEFT + i * SLOT + (SLOT - BAR) / 2
        bar.height = STUB if bar.under else (bar.posts * scale)
        bar.y = baseline - bar.height
        bar.labelled = (len(bars) - 1 - i) % 4 == 0
    total = sum(b.posts or 0 for b in bars)
    weeks = len(bars)
    empty = sum(1 for b in bars if b.under)
    average = formats.number_format(total / weeks, 1) if weeks else "0"
    summary = (
        _("%(weeks)s weeks, on average %(average)s posts a week, %(empty)s weeks without posts")
        % {"weeks": weeks, "average": average, "empty": empty}
        if weeks
        else ""
    )
    width = LEFT + max(weeks, 1) * SLOT + RIGHT
    return {
        "account": account,
        "bars": bars,
        "summary": summary,
        "width": width,
        "height": TOP + PLOT_HEIGHT + BOTTOM,
        "baseline": baseline,
        "plot_left": LEFT,
        "plot_right": LEFT + weeks * SLOT,
        "line_y": baseline - POSTS_PER_WEEK * scale,
        "top": top,
        "top_y": TOP,
        "label_y": baseline + 16,
        "axis_x": LEFT - 6,
        "stub": STUB,
        "bar_width": BAR,
    }


@register.inclusion_tag("activity/_activity_chart.html")
def activity_chart(account, today=None):
    """The chart of `account`'s weekly posts; `today` for tests and the demo, else today."""
    return chart_context(account, today or timezone.localdate())
