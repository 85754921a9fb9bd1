"""The check's answer for a post link (R16), in a real Chromium on a 360 px phone: it fits, passes
axe-core's WCAG 2.1 AA rules and parses cleanly, for an active and for a closed account's post (the
every-page walk sees /socialamedier without an answer)."""

import datetime
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from accounts.models import AccountStatus, ClosingReason
from capture.tests.test_public_posts import VIDEO_ID, capture_post
from falkoping_some.tests.test_browser_every_page import PHONE, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_answer_for_a_post_link_fits_a_phone_and_passes_axe(live_server, browser, library_account):
    capture_post(library_account, missing_since=datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC))
    page = browser.new_context(viewport=PHONE, locale="sv-SE").new_page()
    url = f"{live_server.url}{reverse('public:list')}?{urlencode({'konto': f'https://youtu.be/{VIDEO_ID}'})}"
    assert check_page(page, url) == []
    assert "publicerades av" in page.locator("#resultat").inner_text()
    library_account.status = AccountStatus.CLOSED
    library_account.closed_on = datetime.date(2026, 6, 30)
    library_account.closing_reason = ClosingReason.ON_REQUEST
    library_account.save()
    assert check_page(page, url) == []
    assert "avslutat" in page.locator("#resultat").inner_text()
