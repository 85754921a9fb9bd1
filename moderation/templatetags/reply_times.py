"""`{% reply_times_chart months name %}`: R20's reply times per month as an SVG bar chart drawn on the
server (no JavaScript): each month's bar is the share of questions answered within the deadline,
with the percentage written above it and the median time to the first reply written under the
month, so nothing is told by colour alone; the same figures follow as a table."""

from dataclasses import dataclass

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from moderation.services.questions import MonthReplies

register = template.Library()

SLOT, BAR = 44, 28
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 22, 44
PLOT_HEIGHT = 120


def hours_text(hours: float | None) -> str:
    """A median as people say it: "45 min", "3 h", "2,5 d"."""
    if hours is None:
        return "–"
    if hours < 1:
        return _("%(minutes)s min") % {"minutes": max(1, round(hours * 60))}
    if hours < 48:
        return _("%(hours)s h") % {"hours": formats.number_format(round(hours, 1), 1 if hours < 10 else 0)}
    return _("%(days)s d") % {"days": formats.number_format(round(hours / 24, 1), 1)}


@dataclass
class Column:
    month: MonthReplies
    x: float = 0
    y: float = 0
    height: float = 0
    centre: float = 0

    @property
    def median_text(self) -> str:
        return hours_text(self.month.median_hours)


@register.inclusion_tag("moderation/_reply_times.html")
def reply_times_chart(months, name, key="all"):
    """`months`: monthly_reply_times(...); `name`: whose questions (an account, or "every account");
    `key`: unique on the page, for the ids."""
    baseline = TOP + PLOT_HEIGHT
    columns = []
    for i, month in enumerate(months):
        column = Column(month)
        column.x = LEFT + i * SLOT + (SLOT - BAR) / 2
        column.centre = column.x + BAR / 2
        column.height = 0 if month.share is None else month.share * PLOT_HEIGHT
        column.y = baseline - column.height
        columns.append(column)
    received = sum(month.received for month in months)
    judged = sum(month.judged for month in months)
    in_time = sum(month.in_time for month in months)
    summary = _("%(received)s questions in %(months)s months; %(in_time)s of %(judged)s answered in time") % {
        "received": received,
        "months": len(months),
        "in_time": in_time,
        "judged": judged,
    }
    return {
        "columns": columns,
        "name": name,
        "key": key,
        "summary": summary,
        "width": LEFT + len(columns) * SLOT + RIGHT,
        "height": baseline + BOTTOM,
        "baseline": baseline,
        "top_y": TOP,
        "plot_left": LEFT,
        "plot_right": LEFT + len(columns) * SLOT,
        "axis_x": LEFT - 6,
        "month_y": baseline + 16,
        "median_y": baseline + 32,
        "bar_width": BAR,
        "any": received > 0,
    }
