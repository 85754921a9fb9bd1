"""In a real headless Chromium, as three people: an employee requests an account, the manager and
the communications department approve it, comms registers the editor's mandate on behalf of their
manager and activates the account, and the public finds it on /socialamedier (R10, R11, R13, R14,
R16)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.browser import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_request_approve_activate_and_publish(live_server, page, medarbetare, chef, kommunikator, redaktor):
    # The employee asks for a new account for their unit.
    sign_in(page, live_server, medarbetare.email, next_path="/konton/ny/")
    expect(page.locator("h1")).to_have_text("Begär ett nytt konto")
    page.get_by_label("Plattform:", exact=True).select_option("instagram")
    page.get_by_label("Föreslaget namn på kontot").fill("Biblioteket för unga")
    page.get_by_label("Ge tips och råd som rör kommunala verksamheter").check()
    page.get_by_label("Målgrupp").fill("Unga 13–19 år")
    page.get_by_label("Varför ett befintligt konto inte räcker").fill("Bibliotekets Facebook når inte unga.")
    page.get_by_label(f"{redaktor} (Biblioteket)").check()
    page.get_by_role("button", name="Skicka begäran").click()
    expect(page.locator("h1")).to_contain_text("Biblioteket för unga")
    expect(page.locator("#account-status .status")).to_have_text("Begärt")
    sign_out(page)

    # The manager of the unit approves first (R11).
    sign_in(page, live_server, chef.email)
    page.get_by_role("table", name="Kontoförfrågningar").get_by_role("link", name="Biblioteket för unga").click()
    page.get_by_label("Godkänn").check()
    page.get_by_role("button", name="Registrera beslutet").click()
    expect(page.locator("#account-status .status")).to_have_text("Godkänt av chef")
    sign_out(page)

    # Comms approves, grants the first editor a mandate and activates the account (R13, R14).
    sign_in(page, live_server, kommunikator.email, mfa=True)
    page.get_by_role("table", name="Kontoförfrågningar").get_by_role("link", name="Biblioteket för unga").click()
    page.get_by_label("Godkänn").check()
    page.get_by_role("button", name="Registrera beslutet").click()
    expect(page.locator("#account-status .status")).to_have_text("Godkänt av kommunikationsavdelningen")

    page.get_by_role("link", name="Ge ett uppdrag").click()
    page.get_by_label("Medarbetare").select_option(label=f"{redaktor} (Biblioteket)")
    # R10: comms registers it on behalf of the editor's own manager, whom it names.
    page.get_by_label("Givet av chef").select_option(label=f"{chef} (chef för {chef.unit.name})")
    page.get_by_role("button", name="Ge uppdraget").click()
    expect(page.get_by_role("table", name="Uppdrag för kontot (R10)")).to_contain_text(str(redaktor))

    page.get_by_role("link", name="Aktivera kontot").click()
    page.get_by_label("Användarnamn").fill("@bibblaforunga")
    page.get_by_label("Adress").fill("https://www.instagram.com/bibblaforunga/")
    page.get_by_label(str(kommunikator)).check()
    page.get_by_label("Första redaktör:", exact=True).select_option(label=str(redaktor))
    page.get_by_label("Registrera den första redaktörens uppstartsutbildning nu").check()
    page.get_by_label("Datum för uppstartsutbildningen").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Aktivera", exact=True).click()
    expect(page.locator("#account-status .status")).to_have_text("Aktivt")
    timeline = page.locator(".timeline")
    for step in ["Kontot begärdes", "Godkänt av chefen", "Godkänt av kommunikationsavdelningen", "Kontot aktiverades"]:
        expect(timeline).to_contain_text(step)

    # The public finds it on the list of official accounts (R16).
    page.goto(f"{live_server.url}/socialamedier")
    expect(page.get_by_role("link", name="Biblioteket för unga på Instagram")).to_have_attribute(
        "href", "https://www.instagram.com/bibblaforunga/"
    )
