"""After a council meeting (R17, R24): attendance on one screen, the figures, minutes, attachments."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.tests.factories import MandateFactory, UserFactory
from council.models import Attendance, CouncilMeeting, Invitation, MinutesAttachment
from council.services.attendance import (
    add_attachments,
    attendance_per_person,
    missed_last_two,
    person_attendance,
    record_attendance,
    save_minutes,
)
from falkoping_some.lib.errors import DomainError
from moderation.tests.files import PDF_BYTES, upload
from moderation.tests.files.storage import private_media

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
NOW = datetime.datetime(2025, 3, 10, 12, 0, tzinfo=STOCKHOLM)


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def media(tmp_path):
    with private_media(tmp_path / "private") as path:
        yield path


def make_meeting(creator, starts_at, status="published", title="SoMe-rådet"):
    return CouncilMeeting.objects.create(
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        place="Stadshuset",
        status=status,
        created_by=creator,
    )


def days_ago(days):
    return NOW - datetime.timedelta(days=days)


@pytest.fixture
def meeting(kommunikator):
    return make_meeting(kommunikator, days_ago(1))


@pytest.fixture
def invitations(meeting, redaktor, annan_redaktor):
    return [
        Invitation.objects.create(meeting=meeting, user=redaktor, response="yes"),
        Invitation.objects.create(meeting=meeting, user=annan_redaktor, response="no"),
    ]


def marks_post(invitations, *values):
    return {f"narvaro-{invitation.pk}": value for invitation, value in zip(invitations, values, strict=True)}


# Recording attendance: one screen, comms only, not before the meeting starts.


def test_attendance_screen_lists_everyone_with_a_radio_group(client, kommunikator, meeting, invitations):
    client.force_login(kommunikator)
    response = client.get(reverse("council:attendance", args=[meeting.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<fieldset") == 2
    for invitation in invitations:
        assert f"<legend>{invitation.user}" in html
        assert html.count(f'name="narvaro-{invitation.pk}"') == 3  # present, absent, excused
    assert html.count('type="submit"') >= 1


def test_record_attendance_in_one_post(client, kommunikator, meeting, invitations):
    client.force_login(kommunikator)
    response = client.post(
        reverse("council:attendance", args=[meeting.pk]), marks_post(invitations, "present", "excused")
    )
    assert response.status_code == 302
    first, second = (Invitation.objects.get(pk=i.pk) for i in invitations)
    assert (first.attendance, second.attendance) == (Attendance.PRESENT, Attendance.EXCUSED)
    assert first.attendance_recorded_by == kommunikator
    assert first.attendance_recorded_at == NOW


@pytest.mark.parametrize("who", ["redaktor", "medarbetare"])
def test_forged_attendance_post_refused(client, request, who, meeting, invitations):
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("council:attendance", args=[meeting.pk]), marks_post(invitations, "present", "present")
    )
    assert response.status_code == 403
    assert not Invitation.objects.exclude(attendance="").exists()


def test_service_refuses_non_comms(redaktor, meeting, invitations):
    with pytest.raises(PermissionDenied):
        record_attendance(redaktor, meeting, {invitations[0].pk: "present"})


def test_not_before_the_meeting_starts(client, kommunikator, invitations, meeting):
    meeting.starts_at = NOW + datetime.timedelta(minutes=1)
    meeting.ends_at = NOW + datetime.timedelta(hours=2)
    meeting.save()
    client.force_login(kommunikator)
    response = client.post(
        reverse("council:attendance", args=[meeting.pk]), marks_post(invitations, "absent", "absent")
    )
    assert response.status_code == 200
    assert not Invitation.objects.exclude(attendance="").exists()
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        record_attendance(kommunikator, meeting, {invitations[0].pk: "absent"})
    assert Invitation.objects.get(pk=invitations[0].pk).attendance == Attendance.ABSENT


def test_not_for_a_draft_meeting(kommunikator, redaktor):
    draft = make_meeting(kommunikator, days_ago(1), status="draft")
    invitation = Invitation.objects.create(meeting=draft, user=redaktor)
    with pytest.raises(DomainError):
        record_attendance(kommunikator, draft, {invitation.pk: "present"})


def test_invitation_of_another_meeting_refused(kommunikator, meeting, invitations, medarbetare):
    other = make_meeting(kommunikator, days_ago(30))
    foreign = Invitation.objects.create(meeting=other, user=medarbetare)
    with pytest.raises(DomainError):
        record_attendance(kommunikator, meeting, {invitations[0].pk: "present", foreign.pk: "absent"})
    assert not Invitation.objects.exclude(attendance="").exists()  # all or nothing


# The figures (R24).


def invite(meeting, user, attendance):
    return Invitation.objects.create(meeting=meeting, user=user, attendance=attendance)


@pytest.fixture
def three_meetings(kommunikator):
    return [make_meeting(kommunikator, days_ago(days)) for days in (90, 60, 30)]


def test_attendance_per_person(kommunikator, three_meetings, redaktor, annan_redaktor, medarbetare):
    first, second, third = three_meetings
    for meeting, mark in zip(three_meetings, ("present", "absent", "excused"), strict=True):
        invite(meeting, redaktor, mark)
    invite(first, annan_redaktor, "absent")
    invite(second, annan_redaktor, "absent")
    invite(third, annan_redaktor, "present")
    # Not counted: older than 12 months, not yet held, cancelled.
    invite(make_meeting(kommunikator, days_ago(400)), redaktor, "absent")
    invite(make_meeting(kommunikator, NOW + datetime.timedelta(days=7)), redaktor, "")
    invite(make_meeting(kommunikator, days_ago(10), status="cancelled"), redaktor, "absent")

    people = list(attendance_per_person())
    assert [p.pk for p in people] == [annan_redaktor.pk, redaktor.pk]  # medarbetare was never invited
    b, a = people
    assert (a.invited, a.present, a.absent, a.excused) == (3, 1, 1, 1)
    assert (b.invited, b.present, b.absent, b.excused) == (3, 1, 2, 0)
    figures = person_attendance(redaktor)
    assert (figures["invited"], figures["present"], figures["absent"], figures["excused"]) == (3, 1, 1, 1)


def test_attendance_per_person_is_one_query(django_assert_num_queries, three_meetings, redaktor, annan_redaktor):
    for meeting in three_meetings:
        invite(meeting, redaktor, "present")
        invite(meeting, annan_redaktor, "absent")
    with django_assert_num_queries(1):
        rows = [(p.unit.name, p.invited, p.absent) for p in attendance_per_person()]
    assert len(rows) == 2


@pytest.fixture
def last_two(kommunikator):
    make_meeting(kommunikator, days_ago(90))  # an older one: not among the last two
    return [make_meeting(kommunikator, days_ago(days)) for days in (60, 30)]


def test_missed_last_two(last_two, redaktor, django_assert_max_num_queries):
    earlier, latest = last_two
    invite(earlier, redaktor, "absent")
    invite(latest, redaktor, "absent")
    with django_assert_max_num_queries(2):
        assert missed_last_two() == [redaktor]


@pytest.mark.parametrize(("earlier", "latest"), [("excused", "absent"), ("present", "absent"), ("absent", "excused")])
def test_not_missed_last_two(last_two, redaktor, earlier, latest):
    invite(last_two[0], redaktor, earlier)
    invite(last_two[1], redaktor, latest)
    assert missed_last_two() == []


def test_no_longer_editor_not_listed(last_two, library_account):
    former = UserFactory()
    MandateFactory(user=former, account=library_account, valid_until=NOW.date() - datetime.timedelta(days=1))
    for meeting in last_two:
        invite(meeting, former, "absent")
    assert missed_last_two() == []


def test_attendance_table_comms_only(client, kommunikator, medarbetare, last_two, redaktor):
    for meeting in last_two:
        invite(meeting, redaktor, "absent")
    client.force_login(medarbetare)
    assert client.get(reverse("council:attendance_table")).status_code == 403
    client.force_login(kommunikator)
    response = client.get(reverse("council:attendance_table"))
    assert response.status_code == 200
    assert response.context["missed"] == [redaktor]
    assert str(redaktor) in response.content.decode()


def test_person_summary_include(redaktor, three_meetings):
    invite(three_meetings[0], redaktor, "absent")
    html = render_to_string("council/_attendance_summary.html", {"attendance": person_attendance(redaktor)})
    assert "<dd>1</dd>" in html


# Minutes and their attachments.


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        ("redaktor", True),  # the person
        ("chef", True),  # their manager (of Kultur, above Biblioteket)
        ("kommunikator", True),
        ("medarbetare", False),  # a colleague in the same unit
        ("annan_chef", False),  # another unit's manager
        ("annan_redaktor", False),
        ("kommunikator_utan_mfa", False),
    ],
)
def test_a_persons_attendance_is_shown_to_comms_the_person_and_their_manager_only(
    client, request, three_meetings, redaktor, viewer, sees
):
    client.force_login(request.getfixturevalue(viewer))
    page = client.get(reverse("accounts:person", args=[redaktor.pk]))
    assert page.status_code == 200
    assert ("attendance-summary" in page.content.decode()) is sees
    assert (page.context["attendance"] is not None) is sees


def test_minutes_saved_and_shown_to_staff(client, kommunikator, medarbetare, meeting):
    client.force_login(kommunikator)
    assert client.get(reverse("council:minutes", args=[meeting.pk])).status_code == 200
    response = client.post(reverse("council:minutes", args=[meeting.pk]), {"minutes": "§1 Öppnande\n\n§2 <Avslut>"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes_published_at == NOW
    html = render_to_string(
        "council/_minutes.html", {"meeting": meeting, "attachments": meeting.attachments.all(), "user": medarbetare}
    )
    assert "<p>§1 Öppnande</p>" in html
    assert "&lt;Avslut&gt;" in html


def test_minutes_by_others_refused(client, redaktor, meeting):
    client.force_login(redaktor)
    assert client.post(reverse("council:minutes", args=[meeting.pk]), {"minutes": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        save_minutes(redaktor, meeting, "x")
    meeting.refresh_from_db()
    assert meeting.minutes == ""


def test_pdf_attached_and_served_to_staff(client, media, kommunikator, medarbetare, meeting):
    client.force_login(kommunikator)
    response = client.post(
        reverse("council:attachment_upload", args=[meeting.pk]),
        {"files": [upload("bilder.pdf", PDF_BYTES, "application/pdf"), upload("mer.pdf", PDF_BYTES)]},
    )
    assert response.status_code == 302
    attachments = list(MinutesAttachment.objects.all())
    assert [a.original_name for a in attachments] == ["bilder.pdf", "mer.pdf"]
    assert attachments[0].content_type == "application/pdf"
    assert len(attachments[0].sha256) == 64
    assert "bilder" not in attachments[0].file.name

    client.force_login(medarbetare)
    response = client.get(reverse("council:attachment_file", args=[attachments[0].pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"

    client.logout()
    response = client.get(reverse("council:attachment_file", args=[attachments[0].pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_text_named_pdf_refused_and_nothing_stored(media, kommunikator, meeting):
    files = [upload("bra.pdf", PDF_BYTES), upload("falsk.pdf", b"just text", "application/pdf")]
    with pytest.raises(DomainError) as error:
        add_attachments(kommunikator, meeting, files)
    assert "falsk.pdf" in error.value.message
    assert not MinutesAttachment.objects.exists()
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_attachment_upload_by_others_refused(client, media, redaktor, meeting):
    client.force_login(redaktor)
    response = client.post(
        reverse("council:attachment_upload", args=[meeting.pk]), {"files": [upload("a.pdf", PDF_BYTES)]}
    )
    assert response.status_code == 403
    assert not MinutesAttachment.objects.exists()
