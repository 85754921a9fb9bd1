"""Steps that the browser tests share: signing in and out as a person would."""

from playwright.sync_api import expect

from conftest import totp_code


def sign_in(page, live_server, email, password="falkoping-test", *, mfa=False, next_path="/"):
    page.goto(f"{live_server.url}{next_path}")
    expect(page.locator("h1")).to_have_text("Logga in")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    if mfa:  # the code from the authenticator app
        page.get_by_label("Kod").fill(totp_code())
        page.get_by_role("button", name="Logga in").click()


def sign_out(page):
    page.get_by_role("button", name="Logga ut").click()
