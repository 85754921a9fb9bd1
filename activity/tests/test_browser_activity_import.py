"""In a real headless Chromium: the status page of a large activity import follows the worker
without reloading itself (WCAG 2.2.1), and a screen reader hears how it ended."""

import pytest
from playwright.sync_api import expect

from accounts.tests.browser import sign_in
from activity.csv_import import process_stored_import
from activity.models import ActivityImport, WeeklyActivity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_status_page_follows_the_import_without_reloading(page, live_server, kommunikator, library_account):
    job = ActivityImport.objects.create(
        file_name="veckor.csv",
        content=f"account,week,posts\n{library_account.pk},2025-W07,4\n{library_account.pk},2025-W08,2\n",
        total_rows=2,
        created_by=kommunikator,
    )
    sign_in(page, live_server, kommunikator.email, mfa=True, next_path=f"/aktivitet/import/{job.pk}/")
    expect(page.locator("h1")).to_have_text("Import av veckor.csv")
    expect(page.locator("#import-progress")).to_be_visible()
    page.evaluate("window.sameDocument = true")  # gone if the page were loaded again

    process_stored_import(job.pk)  # the worker

    done = page.locator(".message-success")
    expect(done).to_be_visible(timeout=10_000)
    expect(page.locator("#import-progress")).to_have_count(0)
    expect(page.locator("#import-status")).to_have_text("Genomfört")
    assert page.evaluate("window.sameDocument") is True
    expect(page.get_by_role("status")).to_have_text(done.inner_text())  # what a screen reader hears
    assert WeeklyActivity.objects.count() == 2
