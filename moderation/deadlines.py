"""R20: questions in comments and messages are answered "on weekdays within 24 hours"
("Frågor ska under vardagar besvaras inom 24 timmar").

How the 24 hours are counted (the choices, defined here once):

- Only time on working days counts: Saturdays, Sundays, Swedish public holidays and the three
  eves that the municipality treats as days off (NON_WORKING_EVES) do not.
- A working day counts whole, 00:00–24:00 Stockholm time, one hour for one hour. The routine says
  weekdays, not office hours, so a question at Friday 15:00 is due Monday 15:00, and a question
  received on a Saturday is due Tuesday 00:00 (the 24 hours of Monday).
- Hours are real elapsed hours. A working day with a daylight-saving change would count 23 or 25
  hours; under the EU rules the changes fall on the last Sunday of March and October, which never
  count, so in practice a deadline keeps its wall-clock time across them (Friday 15:00 before the
  change is due Monday 15:00 after it).
- A deadline is an instant: a question is late when answered after it. Time counted to the end
  of a working day ends at the next midnight (24 h of Monday end at Tuesday 00:00).
"""

import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

STOCKHOLM = ZoneInfo("Europe/Stockholm")
UTC = datetime.UTC
ANSWER_WITHIN = datetime.timedelta(hours=24)  # R20


def _midsommarafton(year: int) -> datetime.date:
    """The Friday between 19 and 25 June."""
    june19 = datetime.date(year, 6, 19)
    return june19 + datetime.timedelta(days=(4 - june19.weekday()) % 7)


def non_working_eves(year: int) -> set[datetime.date]:
    """R20: midsommarafton, julafton and nyårsafton are not public holidays in law, but are days
    off in the municipality (as in most of Sweden): no question waits on them for an answer.
    Counted here whatever the holidays package says (its "de_facto" category lists them in some
    versions, not in its default "public" one)."""
    return {_midsommarafton(year), datetime.date(year, 12, 24), datetime.date(year, 12, 31)}


@lru_cache(maxsize=64)
def _days_off(year: int) -> frozenset[datetime.date]:
    # include_sundays=False: the Swedish calendar lists every Sunday as a holiday by default;
    # weekends are handled by is_working_day() itself. Only the statutory "public" category.
    public = holidays.Sweden(years=year, include_sundays=False, categories=("public",))
    return frozenset(public) | non_working_eves(year)


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday, and neither a Swedish public holiday nor one of NON_WORKING_EVES."""
    return day.weekday() < 5 and day not in _days_off(day.year)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    # Midnight always exists in Stockholm (the clocks change at 02:00/03:00).
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=STOCKHOLM)


def answer_deadline(received_at: datetime.datetime) -> datetime.datetime:
    """R20: when a question received at `received_at` must be answered: 24 hours counted on
    working days only (see the module docstring). Aware in, aware (Stockholm time) out."""
    if received_at.tzinfo is None:
        raise ValueError("answer_deadline() needs an aware datetime.")
    # Arithmetic in UTC: Python's aware arithmetic within one zone is wall-clock arithmetic, which
    # would miscount the day of a DST change.
    start = received_at.astimezone(UTC)
    remaining = ANSWER_WITHIN
    day = received_at.astimezone(STOCKHOLM).date()
    for _ in range(3660):  # ten years of days: far more than any run of days off
        end = _local_midnight(day + datetime.timedelta(days=1)).astimezone(UTC)
        if is_working_day(day):
            available = end - start
            if remaining <= available:
                return (start + remaining).astimezone(STOCKHOLM)
            remaining -= available
        start = end
        day += datetime.timedelta(days=1)
    raise RuntimeError("No working day found.")  # pragma: no cover
