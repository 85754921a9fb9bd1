"""The portal's dates and times in Swedish (FORMAT_MODULE_PATH): one format for each kind, used by
every page, email and message through the names (|date:"SHORT_DATETIME_FORMAT", date_format()),
never an ad-hoc format string. A list shows 2026-11-20 17:48; running text 20 november 2026."""

from django.conf.locale.sv.formats import *  # noqa: F403 (Django's Swedish input formats and separators)

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
