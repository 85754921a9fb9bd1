"""Days as the portal dates things: by their local day in its time zone (Europe/Stockholm)."""

import datetime

from django.utils import timezone


def start_of(day: datetime.date) -> datetime.datetime:
    """The first moment of `day` in the portal's time zone: a moment is dated by its local day,
    so "dated before `day`" is "before this moment"."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
