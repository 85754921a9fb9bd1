"""R20: 24 hours counted on weekdays (moderation.deadlines), at the edges."""

import datetime

import pytest

from moderation.deadlines import STOCKHOLM, answer_deadline, is_working_day


def at(year, month, day, hour=0, minute=0, second=0):
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=STOCKHOLM)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # An ordinary weekday: the same time the next day.
        (at(2026, 3, 3, 10), at(2026, 3, 4, 10)),
        # Friday afternoon: the weekend does not count, Monday the same time.
        (at(2026, 3, 6, 15), at(2026, 3, 9, 15)),
        # Received on a Saturday or Sunday: the 24 hours of Monday, due Tuesday 00:00.
        (at(2026, 3, 7, 11), at(2026, 3, 10)),
        (at(2026, 3, 8, 23, 59), at(2026, 3, 10)),
        # Exactly at midnight on a working day: that whole day.
        (at(2026, 3, 3), at(2026, 3, 4)),
        # Exactly at midnight at the end of a Friday (= Saturday 00:00): Tuesday 00:00.
        (at(2026, 3, 7), at(2026, 3, 10)),
        # One second before Saturday: one second of Friday, the rest on Monday.
        (at(2026, 3, 6, 23, 59, 59), at(2026, 3, 9, 23, 59, 59)),
        # Skärtorsdag 15:00: 9 h of Thursday; långfredag, Saturday, påskdagen, annandag påsk off.
        (at(2026, 4, 2, 15), at(2026, 4, 7, 15)),
        # Received on a holiday (långfredag): the first working day whole, Tuesday → Wednesday 00:00.
        (at(2026, 4, 3, 12), at(2026, 4, 8)),
        # Valborgsmässoafton (30 April) is a working day …
        (at(2026, 4, 29, 15), at(2026, 4, 30, 15)),
        # … 1 May (a Friday in 2026) is not: 30 April 15:00 → Monday 4 May 15:00.
        (at(2026, 4, 30, 15), at(2026, 5, 4, 15)),
        # Kristi himmelsfärd (Thursday 14 May 2026).
        (at(2026, 5, 13, 15), at(2026, 5, 15, 15)),
        # Midsommarafton (Friday 19 June 2026) is treated as a day off: Thursday → Monday.
        (at(2026, 6, 18, 15), at(2026, 6, 22, 15)),
        # Christmas 2026: julafton Thu, juldagen Fri, annandag Sat, Sunday → Monday 28 Dec.
        (at(2026, 12, 23, 10), at(2026, 12, 28, 10)),
        # New Year: nyårsafton Thu, nyårsdagen Fri, weekend → Monday 4 January 2027.
        (at(2026, 12, 30, 10), at(2027, 1, 4, 10)),
        # Received on julafton: the whole of Monday 28 December.
        (at(2026, 12, 24, 9), at(2026, 12, 29)),
        # Trettondagsafton (5 Jan 2027, Tue) works; trettondedag jul (Wed 6 Jan) does not.
        (at(2027, 1, 5, 8), at(2027, 1, 7, 8)),
        # Summer time starts Sunday 29 March 2026 (a day off): Friday 15:00 CET → Monday 15:00 CEST.
        (at(2026, 3, 27, 15), at(2026, 3, 30, 15)),
        # Summer time ends Sunday 25 October 2026 (a day off): Friday 15:00 CEST → Monday 15:00 CET.
        (at(2026, 10, 23, 15), at(2026, 10, 26, 15)),
        # Received on the night of the spring change itself (a Sunday): Monday whole.
        (at(2026, 3, 29, 2, 30), at(2026, 3, 31)),
    ],
)
def test_answer_deadline(received, due):
    assert answer_deadline(received) == due


def test_dst_counts_real_elapsed_hours():
    # Friday 15:00 CET to Monday 15:00 CEST is 9 + 15 = 24 real hours of working days, while the
    # wall clock moved one hour during the (uncounted) Sunday.
    received = at(2026, 3, 27, 15)
    due = answer_deadline(received)
    assert due.utcoffset() == datetime.timedelta(hours=2)
    assert received.utcoffset() == datetime.timedelta(hours=1)
    assert due.astimezone(datetime.UTC) - received.astimezone(datetime.UTC) == datetime.timedelta(hours=72 - 1)


def test_accepts_any_time_zone_and_answers_in_stockholm_time():
    received = datetime.datetime(2026, 3, 6, 14, tzinfo=datetime.UTC)  # Friday 15:00 in Stockholm
    due = answer_deadline(received)
    assert due == at(2026, 3, 9, 15)
    assert due.tzinfo == STOCKHOLM


def test_naive_datetime_refused():
    with pytest.raises(ValueError):
        answer_deadline(datetime.datetime(2026, 3, 6, 15))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (datetime.date(2026, 3, 6), True),  # Friday
        (datetime.date(2026, 3, 7), False),  # Saturday
        (datetime.date(2026, 3, 8), False),  # Sunday
        (datetime.date(2026, 1, 1), False),  # nyårsdagen
        (datetime.date(2026, 1, 6), False),  # trettondedag jul
        (datetime.date(2026, 4, 2), True),  # skärtorsdag
        (datetime.date(2026, 4, 3), False),  # långfredag
        (datetime.date(2026, 4, 6), False),  # annandag påsk
        (datetime.date(2026, 4, 30), True),  # valborgsmässoafton
        (datetime.date(2026, 5, 1), False),  # första maj
        (datetime.date(2026, 5, 14), False),  # kristi himmelsfärd
        (datetime.date(2026, 6, 19), False),  # midsommarafton
        (datetime.date(2027, 6, 25), False),  # midsommarafton 2027 (the last possible day)
        (datetime.date(2027, 6, 18), True),  # a Friday a week before it
        (datetime.date(2025, 6, 6), False),  # nationaldagen on a Friday
        (datetime.date(2026, 12, 24), False),  # julafton
        (datetime.date(2026, 12, 31), False),  # nyårsafton
        (datetime.date(2026, 12, 23), True),
        (datetime.date(2026, 12, 28), True),
    ],
)
def test_is_working_day(day, working):
    assert is_working_day(day) is working
