"""In a real headless Chromium: comms plans a meeting of the SoMe council with an agenda item,
publishes it, and sees the editor among the invitees (R17, R24)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_comms_plans_and_publishes_a_meeting_and_the_editor_is_invited(live_server, page, kommunikator, redaktor):
    day = timezone.localdate() + datetime.timedelta(days=14)
    sign_in(page, live_server, kommunikator.email, mfa=True, next_path="/someradet/")
    expect(page.locator("h1")).to_have_text("SoMe-rådet")
    page.get_by_role("link", name="Planera ett möte").click()

    expect(page.locator("h1")).to_have_text("Planera ett möte")
    page.get_by_label("Titel").fill("SoMe-rådet våren")
    page.get_by_label("Börjar").fill(f"{day:%Y-%m-%d}T13:00")
    page.get_by_label("Slutar").fill(f"{day:%Y-%m-%d}T15:00")
    page.get_by_label("Plats").fill("Stadshuset, sal A")
    page.get_by_label("Dagordning").fill("Nyheter från kommunikation – Anna Svensson")
    page.get_by_role("button", name="Spara mötet").click()

    expect(page.locator("h1")).to_have_text("SoMe-rådet våren")
    expect(page.get_by_role("listitem").filter(has_text="Nyheter från kommunikation – Anna Svensson")).to_be_visible()
    page.get_by_role("button", name="Publicera och bjud in redaktörerna").click()

    expect(page.get_by_role("status")).to_contain_text("publicerat")
    invitees = page.get_by_role("table", name="Inbjudna")
    expect(invitees).to_contain_text(str(redaktor))
    expect(invitees).to_contain_text("Inget svar ännu")


def test_comms_records_attendance_in_one_screen(live_server, page, kommunikator, redaktor, annan_redaktor):
    from council.models import CouncilMeeting, Invitation

    started = timezone.now() - datetime.timedelta(hours=3)
    meeting = CouncilMeeting.objects.create(
        title="SoMe-rådet", starts_at=started, ends_at=started + datetime.timedelta(hours=2),
        place="Stadshuset", status="published", published_at=started - datetime.timedelta(days=10),
        created_by=kommunikator,
    )  # fmt: skip
    present = Invitation.objects.create(meeting=meeting, user=redaktor, response="yes")
    excused = Invitation.objects.create(meeting=meeting, user=annan_redaktor, response="no")

    sign_in(page, live_server, kommunikator.email, mfa=True, next_path=f"/someradet/moten/{meeting.pk}/narvaro/")
    # One radio group per person, named by the person: one click each, then one save.
    page.get_by_role("group", name=str(redaktor)).get_by_label("Närvarande").check()
    page.get_by_role("group", name=str(annan_redaktor)).get_by_label("Anmält förhinder").check()
    page.get_by_role("button", name="Spara närvaro").click()
    expect(page.locator(".messages")).to_contain_text("Närvaron är sparad")

    present.refresh_from_db()
    excused.refresh_from_db()
    assert (present.attendance, excused.attendance) == ("present", "excused")
    assert present.attendance_recorded_by == kommunikator
