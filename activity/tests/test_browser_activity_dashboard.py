"""In a real headless Chromium: an editor saves a week's posts on the start page with the keyboard
and stays where they were. The confirmation has the focus, in the row of the account it is about,
and the next account's field is one Tab away; with or without JavaScript."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Mandate
from accounts.tests.browser import sign_in
from accounts.tests.factories import MandateFactory, SocialAccountFactory
from activity.models import WeeklyActivity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def second_account(redaktor, library_account):
    """Sorted after the library's account on the start page."""
    account = SocialAccountFactory(name="Stadsbibliotekets Instagram", unit=library_account.unit)
    MandateFactory(user=redaktor, account=account)
    return account


def save_with_the_keyboard(page, account, posts):
    field = page.locator(f"#activity-posts-{account.pk}")
    field.focus()
    page.keyboard.type(str(posts))
    page.keyboard.press("Enter")


def assert_back_at_the_row(page, account, following):
    confirmation = page.locator(f"#activity-saved-{account.pk}")
    expect(confirmation).to_be_focused()
    expect(confirmation).to_be_in_viewport()
    expect(confirmation).to_contain_text(f"Sparat: 3 inlägg för {account}")
    # In the row it is about, and nowhere else.
    expect(page.locator(".activity-row", has=page.locator(f"#activity-posts-{account.pk}"))).to_contain_text(
        "Sparat: 3 inlägg"
    )
    expect(page.get_by_text("Sparat: 3 inlägg")).to_have_count(1)
    page.keyboard.press("Tab")
    expect(page.locator(f"#activity-posts-{following.pk}")).to_be_focused()
    assert WeeklyActivity.objects.get(account=account).posts == 3


@pytest.fixture
def small_screen(page):
    page.set_viewport_size({"width": 360, "height": 640})  # the row is far down the page on a phone
    return page


def test_saving_a_week_with_the_keyboard_keeps_the_place(
    small_screen, live_server, redaktor, library_account, second_account
):
    page = small_screen
    sign_in(page, live_server, redaktor.email)
    expect(page.locator("h1")).to_be_visible()
    page.evaluate("window.sameDocument = true")
    page.locator(f"#activity-posts-{second_account.pk}").fill("7")  # typed, not yet saved

    save_with_the_keyboard(page, library_account, 3)

    assert_back_at_the_row(page, library_account, second_account)
    # The script saved it in place: no new page, and what was typed in another row is still there.
    assert page.evaluate("window.sameDocument") is True
    expect(page.locator(f"#activity-posts-{second_account.pk}")).to_have_value("7")


def test_without_javascript_the_page_opens_at_the_row(browser, live_server, redaktor, library_account, second_account):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 640})
    page = context.new_page()
    try:
        sign_in(page, live_server, redaktor.email)
        expect(page.locator("h1")).to_be_visible()

        save_with_the_keyboard(page, library_account, 3)

        expect(page).to_have_url(f"{live_server.url}/#activity-saved-{library_account.pk}")
        assert_back_at_the_row(page, library_account, second_account)
    finally:
        context.close()


def test_a_week_the_script_cannot_save_is_posted_as_without_it(
    page, live_server, redaktor, library_account, second_account
):
    """The mandate ends while the page is open: the script's post is refused, so the form is posted
    the plain way, and the person reads the refusal on its own page instead of nothing happening."""
    sign_in(page, live_server, redaktor.email)
    expect(page.locator(f"#activity-posts-{library_account.pk}")).to_be_visible()
    Mandate.objects.filter(user=redaktor, account=library_account).update(
        revoked_at=timezone.now(), revoke_reason="Slutat som redaktör."
    )

    save_with_the_keyboard(page, library_account, 3)

    expect(page.locator("h1")).to_have_text("Du har inte behörighet till detta")
    assert not WeeklyActivity.objects.exists()
