"""The portal's dates and times in English (FORMAT_MODULE_PATH). Django's own English ones are
American (11/20/2026 5:48 p.m.); the portal's readers are in Sweden, so a list shows the same
2026-11-20 17:48 as in Swedish, a 24-hour clock, weeks from Monday, and running text reads
20 November 2026."""

from django.conf.locale.en.formats import *  # noqa: F403 (Django's English input formats and separators)

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
