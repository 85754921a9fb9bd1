"""The council's calendar: the .ics of one meeting (local times across the summer-time change,
cancellation) and the personal feed behind a secret token."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from council.ical import PRODID, feed_ical, meeting_ical
from council.models import AgendaItem, CalendarFeed, CouncilMeeting, Invitation, MeetingStatus

STOCKHOLM = ZoneInfo("Europe/Stockholm")
UTC = ZoneInfo("UTC")


def make_meeting(user, start, *, status=MeetingStatus.PUBLISHED, **fields):
    fields.setdefault("place", "Stadshuset, sal Mösseberg")
    return CouncilMeeting.objects.create(
        starts_at=start, ends_at=start + timedelta(hours=1, minutes=30), status=status, created_by=user, **fields
    )


def local(*args):
    return datetime(*args, tzinfo=STOCKHOLM)


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def only_event(calendar):
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


@pytest.fixture
def meeting(kommunikator):
    meeting = make_meeting(
        kommunikator,
        local(2026, 3, 26, 10, 0),
        title="SoMe-rådet mars",
        online_link="https://teams.example.com/meet/123",
    )
    meeting.sequence = 3
    meeting.save()
    AgendaItem.objects.create(meeting=meeting, order=1, title="Läget i kanalerna", presenter="Anna Ek")
    AgendaItem.objects.create(meeting=meeting, order=2, title="Övriga frågor")
    return meeting


class TestMeetingIcal:
    def test_one_event_with_the_meetings_identity(self, meeting, settings):
        calendar = parse(meeting_ical(meeting))

        assert str(calendar["PRODID"]) == PRODID == "-//Falköpings kommun//SoMe-portalen//SV"
        assert str(calendar["VERSION"]) == "2.0"
        assert str(calendar["METHOD"]) == "REQUEST"
        event = only_event(calendar)
        assert str(event["UID"]) == meeting.uid == f"someradet-{meeting.pk}@falkoping.se"
        assert int(event["SEQUENCE"]) == 3
        assert str(event["SUMMARY"]) == "SoMe-rådet mars"
        assert str(event["LOCATION"]) == "Stadshuset, sal Mösseberg"
        assert str(event["STATUS"]) == "CONFIRMED"
        assert str(event["URL"]) == settings.SITE_URL + reverse("council:meeting", args=[meeting.pk])
        assert event["DTSTAMP"].dt.utcoffset() == timedelta(0)
        assert str(event["ORGANIZER"]).startswith("mailto:")
        assert "@" in str(event["ORGANIZER"])

    def test_description_has_the_agenda_and_the_link(self, meeting):
        description = str(only_event(parse(meeting_ical(meeting)))["DESCRIPTION"])

        assert "Läget i kanalerna – Anna Ek" in description
        assert "Övriga frågor" in description
        assert "https://teams.example.com/meet/123" in description

    def test_location_is_the_link_when_there_is_no_place(self, kommunikator):
        meeting = make_meeting(kommunikator, local(2026, 5, 7, 9), place="", online_link="https://teams.example.com/x")

        assert str(only_event(parse(meeting_ical(meeting)))["LOCATION"]) == "https://teams.example.com/x"

    @pytest.mark.parametrize(
        ("day", "utc_hour"),
        [
            ((2026, 3, 26), 9),  # CET, UTC+1: the last Thursday before summer time
            ((2026, 4, 2), 8),  # CEST, UTC+2: summer time began on 29 March
            ((2026, 10, 22), 8),  # CEST: still summer time
            ((2026, 10, 29), 9),  # CET: summer time ended on 25 October
        ],
    )
    def test_local_time_across_the_summer_time_change(self, kommunikator, day, utc_hour):
        meeting = make_meeting(kommunikator, local(*day, 10, 0))

        data = meeting_ical(meeting)
        event = only_event(parse(data))
        start = event["DTSTART"]

        assert start.params["TZID"] == "Europe/Stockholm"
        assert start.dt.replace(tzinfo=None) == datetime(*day, 10, 0)
        assert start.dt.astimezone(UTC) == datetime(*day, utc_hour, 0, tzinfo=UTC)
        assert event["DTEND"].dt.astimezone(UTC) == datetime(*day, utc_hour + 1, 30, tzinfo=UTC)
        assert f"DTSTART;TZID=Europe/Stockholm:{day[0]}{day[1]:02}{day[2]:02}T100000".encode() in data

    def test_a_vtimezone_for_stockholm_is_present(self, meeting):
        calendar = parse(meeting_ical(meeting))

        zones = calendar.walk("VTIMEZONE")
        assert [str(zone["TZID"]) for zone in zones] == ["Europe/Stockholm"]
        assert {component.name for component in zones[0].subcomponents} == {"STANDARD", "DAYLIGHT"}

    def test_a_cancelled_meeting_cancels(self, kommunikator):
        meeting = make_meeting(kommunikator, local(2026, 4, 2, 10), status=MeetingStatus.CANCELLED)

        calendar = parse(meeting_ical(meeting))

        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(only_event(calendar)["STATUS"]) == "CANCELLED"

    def test_feed_ical_publishes_every_meeting(self, meeting, kommunikator):
        cancelled = make_meeting(kommunikator, local(2026, 4, 2, 10), status=MeetingStatus.CANCELLED)

        calendar = parse(feed_ical([meeting, cancelled]))

        assert str(calendar["METHOD"]) == "PUBLISH"
        assert str(calendar["X-WR-CALNAME"]) == "SoMe-rådet"
        statuses = {str(e["UID"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
        assert statuses == {meeting.uid: "CONFIRMED", cancelled.uid: "CANCELLED"}


class TestMeetingIcsView:
    def test_download(self, client, medarbetare, meeting):
        client.force_login(medarbetare)

        response = client.get(reverse("council:meeting_ics", args=[meeting.pk]))

        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="someradet-2026-03-26.ics"'
        assert str(only_event(parse(response.content))["UID"]) == meeting.uid

    def test_requires_login(self, client, meeting):
        url = reverse("council:meeting_ics", args=[meeting.pk])

        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"

    def test_a_draft_is_comms_own(self, client, medarbetare, kommunikator):
        draft = make_meeting(kommunikator, local(2026, 5, 7, 10), status=MeetingStatus.DRAFT)
        client.force_login(medarbetare)

        assert client.get(reverse("council:meeting_ics", args=[draft.pk])).status_code == 404


@pytest.fixture
def invited(kommunikator, medarbetare, meeting):
    """medarbetare is invited to the March meeting and to a cancelled one, not to a third."""
    cancelled = make_meeting(kommunikator, local(2026, 4, 2, 10), status=MeetingStatus.CANCELLED)
    other = make_meeting(kommunikator, local(2026, 4, 9, 10), title="Inte för dig")
    draft = make_meeting(kommunikator, local(2026, 4, 16, 10), status=MeetingStatus.DRAFT)
    for m in (meeting, cancelled, draft):
        Invitation.objects.create(meeting=m, user=medarbetare)
    Invitation.objects.create(meeting=other, user=kommunikator)
    return {"meeting": meeting, "cancelled": cancelled, "other": other, "draft": draft}


def feed_url(token):
    return reverse("council:feed", args=[token])


class TestFeed:
    def test_the_token_is_the_key(self, client, medarbetare, invited):
        token = CalendarFeed.objects.create(user=medarbetare).token

        response = client.get(feed_url(token))  # not signed in

        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert response["Cache-Control"] == "private, no-store"
        calendar = parse(response.content)
        assert str(calendar["METHOD"]) == "PUBLISH"
        statuses = {str(e["UID"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
        assert statuses == {invited["meeting"].uid: "CONFIRMED", invited["cancelled"].uid: "CANCELLED"}

    def test_wrong_token_is_404(self, client, medarbetare, invited):
        CalendarFeed.objects.create(user=medarbetare)

        assert client.get(feed_url("not-the-token")).status_code == 404

    def test_renewed_away_token_is_404(self, client, medarbetare, invited):
        old = CalendarFeed.objects.create(user=medarbetare).token
        client.force_login(medarbetare)

        response = client.post(reverse("council:feed_renew"), follow=True)

        new = CalendarFeed.objects.get(user=medarbetare).token
        assert new != old
        assert response.redirect_chain[-1][0] == reverse("council:feed_settings")
        assert new in response.content.decode()
        assert [str(m) for m in response.context["messages"]]  # the success message
        client.logout()
        assert client.get(feed_url(old)).status_code == 404
        assert client.get(feed_url(new)).status_code == 200

    def test_inactive_user_is_404(self, client, medarbetare, invited):
        token = CalendarFeed.objects.create(user=medarbetare).token
        medarbetare.is_active = False
        medarbetare.save()

        assert client.get(feed_url(token)).status_code == 404


class TestFeedSettings:
    def test_creates_the_address_on_the_first_visit(self, client, medarbetare):
        client.force_login(medarbetare)

        response = client.get(reverse("council:feed_settings"))

        assert response.status_code == 200
        token = CalendarFeed.objects.get(user=medarbetare).token
        content = response.content.decode()
        assert feed_url(token) in content
        assert "readonly" in content
        # a second visit shows the same address
        assert client.get(reverse("council:feed_settings")).context["feed_url"].endswith(feed_url(token))

    def test_requires_login(self, client, db):
        assert client.get(reverse("council:feed_settings")).status_code == 302

    def test_renew_requires_post(self, client, medarbetare):
        client.force_login(medarbetare)

        assert client.get(reverse("council:feed_renew")).status_code == 405
