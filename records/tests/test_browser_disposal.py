"""In a real headless Chromium: comms, signed in with two-factor authentication, opens the monthly
check's proposal to dispose of removed content past its retention (R25), reads what is due, is
stopped until the confirmation is ticked, confirms, and sees the record of the disposal: what went,
with its evidence file, by whom. The newer case stays."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.browser import sign_in
from moderation.evidence import store_evidence
from moderation.models import Evidence, ModerationCase
from moderation.tests.files import png
from moderation.tests.files.storage import private_media
from records.models import RecordKind, RetentionRule
from records.retention import propose_disposals

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(tmp_path):
    with private_media(tmp_path / "private") as path:
        yield path


def test_comms_confirms_a_disposal_and_sees_its_record(
    live_server, page, kommunikator, redaktor, library_account, media
):
    long_ago = timezone.now() - datetime.timedelta(days=3 * 365)
    old = ModerationCase.objects.create(
        account=library_account, content_kind="comment", category="spam", description="Reklam för solglasögon",
        opened_by=redaktor, opened_at=long_ago, removed_at=long_ago,
    )  # fmt: skip
    evidence = store_evidence(redaktor, png(), case=old)
    Evidence.objects.filter(pk=evidence.pk).update(uploaded_at=long_ago, taken_at=long_ago)
    new = ModerationCase.objects.create(
        account=library_account, content_kind="comment", category="profanity", description="Svordomar i tråden",
        opened_by=redaktor, removed_at=timezone.now(),
    )  # fmt: skip
    RetentionRule.objects.create(
        kind=RecordKind.MODERATION_CASES, retain_months=24, plan_reference="KS dokumenthanteringsplan 2024, 3.2.4"
    )
    (proposal,) = propose_disposals()

    sign_in(page, live_server, kommunikator.email, mfa=True, next_path="/arkiv/gallring/")
    expect(page.locator("h1")).to_have_text("Gallring")
    rules = page.locator("table.retention-rules")
    expect(rules.get_by_role("row").filter(has_text="Borttaget innehåll")).to_contain_text("24 månader")
    expect(rules.get_by_role("row").filter(has_text="Utbildningar")).to_contain_text("Bevaras")
    page.locator("table.disposal-proposals").get_by_role("link", name="Borttaget innehåll").click()

    expect(page.locator("h1")).to_have_text("Gallring: Borttaget innehåll")
    due = page.locator("table.disposal-records")
    expect(due.locator("caption")).to_have_text("1 handling att gallra")
    expect(due).to_contain_text("Reklam för solglasögon")
    expect(due).not_to_contain_text("Svordomar i tråden")

    # Not without the confirmation.
    page.get_by_role("button", name="Gallra handlingarna").click()
    # The error summary at the top, focused, and the message beside the box itself (issue 17).
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary")).to_contain_text("Kryssa i rutan för att bekräfta gallringen.")
    expect(page.locator(".errorlist").filter(has_text="Kryssa i rutan för att bekräfta gallringen.")).to_be_visible()
    assert ModerationCase.objects.filter(pk=old.pk).exists()

    page.get_by_label("Anteckning").fill("Levererat till arkivet enligt beslut 2025-03-01.")
    page.get_by_label("Jag bekräftar att handlingarna får gallras enligt dokumenthanteringsplanen.").check()
    page.get_by_role("button", name="Gallra handlingarna").click()

    expect(page.locator(".messages")).to_contain_text("Gallrat: 1 handling av typen ”borttaget innehåll”.")
    expect(page.locator("h1")).to_have_text("Gallring: Borttaget innehåll")
    counts = page.locator("table.disposal-counts")
    expect(counts.get_by_role("row").filter(has_text="Borttaget innehåll")).to_contain_text("1")
    expect(counts.get_by_role("row").filter(has_text="Bevisfiler")).to_contain_text("1")
    expect(page.locator("dl.facts")).to_contain_text(str(kommunikator))
    expect(page.locator("dl.facts")).to_contain_text("Levererat till arkivet")
    expect(page.get_by_role("button", name="Gallra handlingarna")).to_have_count(0)

    page.get_by_role("link", name=re.compile("Gallring$")).first.click()
    history = page.locator("table.disposal-history")
    expect(history.get_by_role("row").filter(has_text="Borttaget innehåll")).to_contain_text("Gallrad")
    assert not ModerationCase.objects.filter(pk=old.pk).exists()
    assert ModerationCase.objects.filter(pk=new.pk).exists()
    assert not Evidence.objects.filter(pk=evidence.pk).exists() and not (media / evidence.file.name).exists()
    proposal.refresh_from_db()
    assert proposal.confirmed_by == kommunikator
