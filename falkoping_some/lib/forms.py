"""Form fields shared by the portal's apps."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# No record of the portal is older than this. It also keeps a time entered in Swedish time from
# falling before year 1 when it is stored in UTC (0001-01-01 00:30 in Stockholm is 0000 in UTC).
EARLIEST_DATETIME = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends, whatever the language


def not_before_1900(value):
    """Refuse a time before 1900 with a message, not a 500."""
    if value is None:
        return
    if (value < EARLIEST_DATETIME) if timezone.is_aware(value) else (value.year < 1900):
        raise ValidationError(_("Give a date from the year 1900 on."), code="too_early")


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's own date-and-time picker; read in the portal's time zone (Europe/Stockholm)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_LOCAL)


class DateTimeLocalField(forms.DateTimeField):
    """A date and time entered with the browser's picker, from 1900 on."""

    widget = DateTimeLocalInput
    default_validators = [not_before_1900]
