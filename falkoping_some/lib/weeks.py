"""ISO weeks, as the weekly activity log (R19) and the checks count them."""

import datetime


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of the ISO week that `day` falls in."""
    return day - datetime.timedelta(days=day.weekday())


def iso_week(monday: datetime.date) -> str:
    """The week as people write it: 2026-W05."""
    year, number, _weekday = monday.isocalendar()
    return f"{year}-W{number:02d}"
