"""In a real headless Chromium: comms signs in with two-step verification and sees the account
list; the public opens /socialamedier."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import SocialAccountFactory
from conftest import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_comms_signs_in_with_mfa_and_sees_the_account_list(live_server, page, kommunikator, library_account):
    requested = SocialAccountFactory(
        name="Bibliotekets TikTok",
        platform="tiktok",
        status="requested",
        url="",
        activated_on=None,
        unit=library_account.unit,
    )
    page.goto(f"{live_server.url}/konton/")
    # Not signed in: sent to the sign-in page, in Swedish.
    expect(page.locator("h1")).to_have_text("Logga in")
    page.get_by_label("E-post").fill(kommunikator.email)
    page.get_by_label("Lösenord").fill("falkoping-test")
    page.get_by_role("button", name="Logga in").click()
    # Comms has MFA: the code from the authenticator app.
    page.get_by_label("Kod").fill(totp_code())
    page.get_by_role("button", name="Logga in").click()

    expect(page.locator("h1")).to_have_text("Konton i sociala medier")
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name=library_account.name)).to_be_visible()
    expect(table.get_by_role("row", name=requested.name)).to_contain_text("Begärt")
    # Filter to requested accounts only, with the keyboard-accessible form.
    page.get_by_label("Status").select_option("requested")
    page.get_by_role("button", name="Filtrera").click()
    expect(table.get_by_role("link", name=requested.name)).to_be_visible()
    expect(table.get_by_role("link", name=library_account.name)).to_have_count(0)


def test_the_public_sees_active_accounts_on_socialamedier(live_server, page, library_account):
    closed = SocialAccountFactory(
        name="Nedlagt konto", status="closed", closed_on="2025-01-01", closing_reason="on_request"
    )
    page.goto(f"{live_server.url}/socialamedier")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    link = page.get_by_role("link", name=library_account.name)
    expect(link.first).to_have_attribute("href", library_account.url)
    expect(page.get_by_text(closed.name)).to_have_count(0)
    # No staff menu for the public.
    expect(page.get_by_role("navigation", name="Huvudmeny")).to_have_count(0)
