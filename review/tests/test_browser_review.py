"""In a real headless Chromium: the communications department works through the review queue
(R6, R15, R19). It dismisses a posting-shortfall flag with a reason, and closes an account that
has been inactive for more than six months from its flag, confirming it with the reason; the
public list no longer shows that account (R16)."""

import datetime
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.browser import sign_in
from review.models import FlagKind, ReviewFlag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dismiss_a_shortfall_and_close_an_inactive_account(
    live_server, page, kommunikator, library_account, social_account
):
    ReviewFlag.objects.create(
        account=library_account,
        kind=FlagKind.POSTING_SHORTFALL,
        evidence={"weeks": ["2026-W40", "2026-W41", "2026-W42", "2026-W43"], "posts": 3, "average": 0.75, "window": 4},
    )
    ReviewFlag.objects.create(
        account=social_account,
        kind=FlagKind.INACTIVE_6_MONTHS,
        evidence={"last_post": "2025-09-01", "since": "2025-09-01", "activated_on": "2024-01-15"},
    )

    sign_in(page, live_server, kommunikator.email, mfa=True, next_path="/granskning/")
    expect(page.locator("h1")).to_have_text("Granskning")
    queue = page.locator("table.review-queue")
    shortfall = queue.get_by_role("row").filter(has_text=library_account.name)
    expect(shortfall).to_contain_text("i snitt 0,75 inlägg/vecka under v. 40–43 (3 inlägg)")

    # A shortfall with a known cause is dismissed, and the reason is required. It is looked at
    # again in three months unless comms chooses another day.
    shortfall.get_by_text("Avfärda…").click()
    shortfall.get_by_label("Skäl att avfärda").fill("Sommaruppehåll enligt planen.")
    review_on = shortfall.get_by_label("Granska igen den")
    today = timezone.localdate()
    expect(review_on).to_have_value((today + relativedelta(months=3)).isoformat())
    chosen = today + datetime.timedelta(days=60)
    review_on.fill(chosen.isoformat())
    shortfall.get_by_role("button", name=re.compile(r"^Avfärda\s*:")).click()
    expect(page.locator(".messages")).to_contain_text(library_account.name)
    expect(page.locator(".messages")).to_contain_text(chosen.isoformat())
    expect(queue.get_by_role("row").filter(has_text=library_account.name)).to_have_count(0)
    # The queue shows when the dismissed flag is looked at again.
    waiting = page.locator("table.review-dismissed").get_by_role("row").filter(has_text=library_account.name)
    expect(waiting).to_contain_text("Sommaruppehåll enligt planen.")
    expect(waiting).to_contain_text(chosen.isoformat())

    # The inactive account is closed from its flag, once comms has confirmed it with the reason (R15).
    inactive = queue.get_by_role("row").filter(has_text=social_account.name)
    expect(inactive).to_contain_text("Senaste inlägg: 2025-09-01")
    inactive.get_by_role("link", name=re.compile(r"^Avsluta kontot \(R15\)")).click()
    expect(page.locator("h1")).to_have_text(f"Avsluta {social_account.name}")
    expect(page.get_by_label("Inaktivt i mer än sex månader")).to_be_checked()
    # Issue 19: no final archive was made, so comms says why the account is closed without one.
    expect(page.get_by_role("button", name="Slutarkivera")).to_be_visible()
    page.get_by_label("Avsluta utan slutarkivering: skäl").fill("Kontot är redan borttaget från plattformen.")
    page.get_by_role("button", name="Avsluta kontot").click()
    expect(page.locator("h1")).to_have_text("Granskning")
    expect(page.locator(".messages")).to_contain_text(social_account.name)
    expect(queue.get_by_role("row").filter(has_text=social_account.name)).to_have_count(0)

    # The public no longer finds it on the list of official accounts (R16); the library stays.
    page.goto(f"{live_server.url}/socialamedier")
    expect(page.get_by_text(library_account.name).first).to_be_visible()
    expect(page.get_by_text(social_account.name)).to_have_count(0)
