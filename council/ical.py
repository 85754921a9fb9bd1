"""Council meetings as iCalendar (RFC 5545): the invitation's attachment, the download on the
meeting's page and the personal calendar feed.

Times are written as local Europe/Stockholm times with a TZID and a VTIMEZONE, so a meeting at
10:00 stays at 10:00 in Outlook on both sides of the summer-time change; the UID is stable and the
SEQUENCE is bumped on every change, so calendars update the event instead of adding a second one.
"""

from datetime import date, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from .models import MeetingStatus

PRODID = "-//Falköpings kommun//SoMe-portalen//SV"
CALENDAR_NAME = "SoMe-rådet"
LOCAL_ZONE = ZoneInfo("Europe/Stockholm")


def meeting_ical(meeting, *, method="REQUEST") -> bytes:
    """One meeting as a calendar of its own: METHOD:REQUEST for an invitation or an update,
    METHOD:CANCEL when the meeting is cancelled (whatever `method` says), so the event is removed
    from the invitees' calendars."""
    if meeting.status == MeetingStatus.CANCELLED:
        method = "CANCEL"
    calendar = _calendar(method)
    calendar.add_component(_event(meeting))
    return _to_ical(calendar, [meeting])


def feed_ical(meetings) -> bytes:
    """A person's feed: every meeting they are invited to, cancelled ones kept as
    STATUS:CANCELLED so a subscribed calendar shows (or drops) them instead of keeping a stale one."""
    meetings = list(meetings)
    calendar = _calendar("PUBLISH")
    calendar.add("X-WR-CALNAME", CALENDAR_NAME)
    for meeting in meetings:
        calendar.add_component(_event(meeting))
    return _to_ical(calendar, meetings)


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    return calendar


def _event(meeting) -> Event:
    event = Event()
    event.add("UID", meeting.uid)
    event.add("SEQUENCE", meeting.sequence)
    event.add("DTSTAMP", timezone.now().astimezone(ZoneInfo("UTC")))
    event.add("DTSTART", meeting.starts_at.astimezone(LOCAL_ZONE))
    event.add("DTEND", meeting.ends_at.astimezone(LOCAL_ZONE))
    event.add("SUMMARY", meeting.title)
    event.add("LOCATION", meeting.place or meeting.online_link)
    event.add("URL", settings.SITE_URL + meeting.get_absolute_url())
    event.add("DESCRIPTION", _description(meeting))
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("TRANSP", "TRANSPARENT" if cancelled else "OPAQUE")
    event["ORGANIZER"] = _organizer()
    return event


def _description(meeting) -> str:
    lines = []
    items = list(meeting.agenda_items.all())
    if items:
        lines.append(_("Agenda:"))
        for number, item in enumerate(items, start=1):
            line = f"{number}. {item.title}"
            if item.presenter:
                line += f" – {item.presenter}"
            lines.append(line)
    if meeting.online_link:
        if lines:
            lines.append("")
        lines.append(_("Join the meeting online: %(link)s") % {"link": meeting.online_link})
    if lines:
        lines.append("")
    lines.append(_("The meeting in the SoMe portal: %(url)s") % {"url": settings.SITE_URL + meeting.get_absolute_url()})
    return "\n".join(lines)


def _organizer() -> vCalAddress:
    """The portal's sender address: Outlook will not accept a REQUEST without an ORGANIZER."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = vText(name or "SoMe-portalen")
    return organizer


def _to_ical(calendar: Calendar, meetings) -> bytes:
    # The VTIMEZONE needs to cover only the meetings' dates (the default span, 1970–2038, would
    # add a hundred transitions to every invitation).
    if meetings:
        first = min(m.starts_at for m in meetings).astimezone(LOCAL_ZONE).date() - timedelta(days=366)
        last = max(m.ends_at for m in meetings).astimezone(LOCAL_ZONE).date() + timedelta(days=366)
    else:
        today = timezone.localdate()
        first, last = today, today + timedelta(days=1)
    calendar.add_missing_timezones(first_date=date(first.year, 1, 1), last_date=date(last.year, 12, 31))
    return calendar.to_ical()
