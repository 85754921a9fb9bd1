"""Swedish for words that a library shows on the portal's pages but ships no Swedish for.

django-celery-beat names its schedules in English (IntervalSchedule.__str__: "every 10 minutes") in
the admin's list of periodic tasks, which comms reads. Marked here only so that makemessages puts the
library's msgids into the portal's catalogue (locale/sv), where Django finds them first.
"""

from django.utils.translation import gettext_noop

DJANGO_CELERY_BEAT = [
    gettext_noop("every {}"),
    gettext_noop("every {} {}"),
    gettext_noop("Days"),
    gettext_noop("Hours"),
    gettext_noop("Minutes"),
    gettext_noop("Seconds"),
    gettext_noop("Microseconds"),
    gettext_noop("Day"),
    gettext_noop("Hour"),
    gettext_noop("Minute"),
    gettext_noop("Second"),
    gettext_noop("Microsecond"),
]
