"""In a real headless Chromium: the library's editor sees on the dashboard that the account's
yearly self-check is overdue, answers the checklist with one "no" (R9), is told that a comment is
required for it, gives one, and the communications department then finds the flag, readable in
Swedish, in its review queue."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.browser import sign_in, sign_out
from review.models import FlagKind, ReviewFlag, SelfCheck

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTIONS = [
    "Det framgår tydligt att Falköpings kommun är avsändare",
    "En beskrivning av verksamheten finns i kontots profil",
    "Inläggen innehåller inga politiska ställningstaganden",
    "Kontot deltar inte i dialogen på andras konton",
    "Kontot följer endast andra relevanta konton",
]


def test_an_editor_answers_no_and_comms_sees_the_flag(live_server, page, redaktor, kommunikator, library_account):
    sign_in(page, live_server, redaktor.email)
    reminders = page.get_by_role("region", name="Årliga egenkontroller att svara på")
    row = reminders.get_by_role("row").filter(has_text=library_account.name)
    expect(row).to_contain_text("försenad")  # activated 2024-01-15 and never checked
    row.get_by_role("link", name=re.compile(r"^Svara på egenkontrollen")).click()

    expect(page.locator("h1")).to_contain_text(f"Årlig egenkontroll av {library_account.name}")
    for question in QUESTIONS[:-1]:
        page.get_by_role("group", name=re.compile(re.escape(question))).get_by_label("Ja", exact=True).check()
    page.get_by_role("group", name=re.compile(QUESTIONS[-1])).get_by_label("Nej", exact=True).check()

    # A "no" without a comment is refused, the error beside the comment, and the answers kept.
    page.get_by_role("button", name="Spara egenkontrollen").click()
    comment = page.get_by_role("textbox", name="Kommentar")
    expect(comment).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_comment_error")).to_have_text(
        "Du har svarat nej på en fråga: skriv i kommentaren vad som brister och vad som ska göras."
    )
    expect(page.get_by_role("group", name=re.compile(QUESTIONS[-1])).get_by_label("Nej", exact=True)).to_be_checked()
    assert not SelfCheck.objects.exists()

    comment.fill("Kontot följer två lokala butiker; vi avföljer dem i veckan.")
    page.get_by_role("button", name="Spara egenkontrollen").click()
    expect(page.locator(".messages")).to_contain_text(
        "Du svarade nej på R9: kommunikationsavdelningen har fått veta det"
    )
    history = page.get_by_role("table", name="Tidigare egenkontroller")
    expect(history.get_by_role("row").nth(1)).to_contain_text("Kontot följer två lokala butiker")
    assert ReviewFlag.objects.filter(account=library_account, kind=FlagKind.SELF_CHECK_ANSWERED_NO).exists()
    sign_out(page)

    sign_in(page, live_server, kommunikator.email, mfa=True, next_path="/granskning/")
    expect(page.locator("h1")).to_have_text("Granskning")
    flag = page.locator("table.review-queue").get_by_role("row").filter(has_text="Egenkontroll med nej-svar")
    expect(flag).to_contain_text(library_account.name)
    expect(flag).to_contain_text(f"av {redaktor}")
    expect(flag).to_contain_text("R9 – Följer bara relevanta konton")
    expect(flag).to_contain_text("Kontot följer två lokala butiker; vi avföljer dem i veckan.")
    flag.get_by_role("link", name=re.compile(r"^Visa egenkontrollen")).click()
    expect(page.locator("h1")).to_contain_text("Årlig egenkontroll av")
