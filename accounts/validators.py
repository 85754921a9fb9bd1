"""Validators shared by the portal's forms."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# No record of the portal is older than this. It also keeps a time entered in Swedish time from
# falling before year 1 when it is stored in UTC (0001-01-01 00:30 in Stockholm is 0000 in UTC).
EARLIEST_DATETIME = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)


def not_before_1900(value):
    """For a DateTimeField of a form: refuse a time before 1900 with a message, not a 500."""
    if value is not None and timezone.is_aware(value) and value < EARLIEST_DATETIME:
        raise ValidationError(_("Give a date from the year 1900 on."), code="too_early")
    if value is not None and timezone.is_naive(value) and value.year < 1900:
        raise ValidationError(_("Give a date from the year 1900 on."), code="too_early")
