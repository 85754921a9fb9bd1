"""In a real headless Chromium, on a phone's width (issue 17): a failing account request shows
the error summary, which takes the focus and whose links lead to the fields; the signature
under an answer (R20) is copied with one button."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.browser import sign_in
from moderation.models import Inquiry, InquiryChannel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_failing_account_request_shows_the_summary_with_links_to_the_fields(page, live_server, medarbetare):
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server, medarbetare.email, next_path="/konton/ny/")
    expect(page.locator("h1")).to_have_text("Begär ett nytt konto")
    page.get_by_role("button", name="Skicka begäran").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Det finns fel i formuläret")
    expect(page).to_have_title("Fel: Begär ett nytt konto – Falköpings kommun")
    summary.get_by_role("link", name="Föreslaget namn på kontot: Detta fält måste fyllas i.").click()
    expect(page.get_by_label("Föreslaget namn på kontot")).to_be_focused()
    summary.get_by_role("link", name="Syften: Detta fält måste fyllas i.").click()
    expect(page.locator("#id_purposes_0")).to_be_focused()
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_editor_copies_the_signature(page, live_server, redaktor, library_account):
    redaktor.first_name, redaktor.last_name = "Rebecka", "Redaktör"
    redaktor.save()
    now = timezone.now()
    inquiry = Inquiry.objects.create(
        account=library_account,
        channel=InquiryChannel.COMMENT,
        received_at=now - datetime.timedelta(hours=1),
        summary="Öppettider i jul?",
        deadline=now + datetime.timedelta(hours=23),
        logged_by=redaktor,
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server, redaktor.email, next_path=f"/moderering/fragor/{inquiry.pk}/")
    page.get_by_role("button", name="Kopiera").click()
    expect(page.get_by_role("status").filter(has_text="Kopierat")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == "/Rebecka Redaktör, Biblioteket"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
