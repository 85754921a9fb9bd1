"""The portal's dates and times, the same in every language (FORMAT_MODULE_PATH): one format for
each kind, used by every page, email and message through the names (|date:"SHORT_DATETIME_FORMAT",
date_format()), never an ad-hoc format string. A list shows 2026-11-20 17:48, running text
20 november 2026 (20 November 2026 in English: the portal's readers are in Sweden, so not Django's
American 11/20/2026 5:48 p.m.); a 24-hour clock, weeks from Monday. Each language's module
(sv/, en/) takes Django's own input formats and separators for it and these on top."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
