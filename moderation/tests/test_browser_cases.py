"""The Monday-morning flow in a browser: an editor documents, removes and reports criminal
material; comms sees the case and opens the screenshot. Swedish labels: the lead compiles the
catalogue before this runs."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.browser import sign_in, sign_out
from moderation.tests.files import image_bytes
from moderation.tests.files.storage import private_media

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(tmp_path):
    with private_media(tmp_path / "private") as path:
        yield path


def test_editor_documents_removes_reports_and_comms_sees_it(page, live_server, redaktor, kommunikator, media, tmp_path):
    screenshot = tmp_path / "skärmdump.png"
    screenshot.write_bytes(image_bytes("PNG", (40, 30)))
    page.set_viewport_size({"width": 375, "height": 800})

    sign_in(page, live_server, redaktor.email, next_path="/moderering/")
    page.get_by_role("link", name="Öppna ett ärende").click()
    page.get_by_label("Kommentar", exact=True).check()
    page.get_by_label("Förtal, personliga angrepp eller förolämpningar").check()
    page.get_by_label("Beskrivning").fill("Kommentar med personangrepp under inlägget om bokcirkeln.")
    page.get_by_label("Brottsligt material (ska polisanmälas)").check()
    page.get_by_label("Skärmdumpar").set_input_files(str(screenshot))
    page.get_by_role("button", name="Öppna ärendet").click()

    expect(page.locator("#step-documented")).to_contain_text("✔")
    expect(page.get_by_role("link", name="skärmdump.png")).to_be_visible()
    page.get_by_role("button", name="Markera som borttaget").click()
    expect(page.locator("#step-removed")).to_contain_text("✔")
    page.get_by_label("Polisens diarienummer").fill("5000-K12345-26")
    page.get_by_role("button", name="Registrera polisanmälan").click()
    expect(page.locator("#step-reported")).to_contain_text("5000-K12345-26")
    sign_out(page)

    sign_in(page, live_server, kommunikator.email, mfa=True, next_path="/moderering/")
    expect(page.get_by_role("link", name=re.compile("Förtal"))).to_be_visible()
    page.get_by_role("link", name=re.compile("Förtal")).first.click()
    link = page.get_by_role("link", name="skärmdump.png")
    with page.expect_response(re.compile(r"/moderering/bevis/\d+/")) as response_info:
        page.goto(f"{live_server.url}{link.get_attribute('href')}")
    response = response_info.value
    assert response.status == 200
    assert response.headers["content-type"] == "image/png"
