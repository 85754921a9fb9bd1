"""In a real headless Chromium, on a 360 px wide phone: a citizen finds the notice beside the list,
follows the footer's link to the accessibility statement and reads it without scrolling sideways;
comms change the statement and the citizen sees the change."""

import pytest
from playwright.sync_api import expect

from accounts.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_citizen_reads_the_notice_and_the_statement_on_a_phone(live_server, page, library_account):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/socialamedier")
    notice = page.get_by_role("region", name="Så hanterar vi kommentarer och meddelanden")
    expect(notice).to_contain_text("allmänna handlingar")
    expect(notice).to_contain_text("besvaras under vardagar inom 24 timmar")
    expect(notice.get_by_role("listitem")).to_have_count(9)
    assert fits_the_width(page)

    # The check's third answer, with its long words, fits too.
    page.get_by_label("Länk till kontot eller dess användarnamn").fill("https://youtu.be/dQw4w9WgXcQ")
    page.get_by_role("button", name="Kontrollera kontot").click()
    expect(page.get_by_role("heading", name="Länken visar inte vems den är")).to_be_visible()
    assert fits_the_width(page)

    page.get_by_role("contentinfo").get_by_role("link", name="Tillgänglighetsredogörelse").click()
    expect(page.locator("h1")).to_have_text("Tillgänglighetsredogörelse")
    expect(page.get_by_role("link", name="Anmäl bristande tillgänglighet till Digg")).to_have_attribute(
        "href", "https://www.digg.se/tdosanmalan"
    )
    expect(page.get_by_text("Den här sidan är delvis förenlig")).to_be_visible()
    assert fits_the_width(page)


def test_comms_change_the_statement(live_server, page, kommunikator):
    sign_in(page, live_server, kommunikator.email, mfa=True, next_path="/socialamedier/tillganglighet/andra/")
    expect(page.locator("h1")).to_have_text("Ändra tillgänglighetsredogörelsen")
    page.get_by_label("Förenlighet med lagen").select_option("full")
    page.get_by_label("Innehåll som inte är tillgängligt").fill("")
    page.get_by_role("button", name="Spara redogörelsen").click()
    expect(page.get_by_text("Tillgänglighetsredogörelsen är sparad.")).to_be_visible()
    # The statement's page, like the list, has no staff menu: a visitor of their own.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/socialamedier/tillganglighet")
    expect(page.get_by_text("Den här sidan är helt förenlig")).to_be_visible()
    expect(page.get_by_text("Vi känner inte till något innehåll som inte är tillgängligt.")).to_be_visible()
