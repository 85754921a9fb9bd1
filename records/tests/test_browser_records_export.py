"""In a real headless Chromium: the communications department exports the records of the library's
account (R3) on the archive page, watches the status page until the worker is done, and downloads a
ZIP that opens with a manifest whose hashes hold."""

import hashlib
import json
import threading
import zipfile

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.browser import sign_in
from moderation.evidence import store_evidence
from moderation.models import ModerationCase
from moderation.tests.files import image_bytes, upload
from moderation.tests.files.storage import private_media
from records.export.archive import build_export
from records.models import RecordsExport
from records.tasks import build_records_export

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(tmp_path):
    with private_media(tmp_path / "private") as path:
        yield path


class Worker:
    """The worker, in-process: each queued export is built in a thread of its own once the test
    lets it start (`start.set()`), so that the page is seen waiting first."""

    def __init__(self):
        self.start = threading.Event()
        self.threads = []

    def delay(self, export_id):
        def run():
            try:
                self.start.wait(timeout=30)
                build_export(export_id)
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        self.threads.append(thread)
        thread.start()


@pytest.fixture
def worker(monkeypatch):
    worker = Worker()
    monkeypatch.setattr(build_records_export, "delay", worker.delay)
    yield worker
    worker.start.set()
    for thread in worker.threads:
        thread.join(timeout=30)


def test_comms_exports_an_account_and_downloads_the_zip(
    page, live_server, kommunikator, redaktor, library_account, social_account, media, worker
):
    case = ModerationCase.objects.create(
        account=library_account, content_kind="comment", category="spam", description="Reklam för ett spelbolag.",
        opened_by=redaktor,
    )  # fmt: skip
    screenshot = image_bytes("PNG", (40, 30))
    store_evidence(redaktor, upload("skärmdump.png", screenshot, "image/png"), case=case)

    sign_in(page, live_server, kommunikator.email, mfa=True, next_path="/arkiv/")
    expect(page.locator("h1")).to_have_text("Arkiv")
    expect(page.get_by_text("Inga handlingar har exporterats ännu.")).to_be_visible()
    page.get_by_label("Konto").select_option(label="Falköpings bibliotek (Facebook)")
    page.get_by_label("Från och med").fill("2024-01-01")
    page.get_by_role("button", name="Starta exporten").click()

    expect(page.locator("h1")).to_have_text("Export av handlingar: Falköpings bibliotek")
    expect(page.locator(".messages")).to_contain_text("Exporten har startat.")
    expect(page.get_by_label("Väntar på att bakgrundsjobbet ska starta")).to_be_visible()  # the progress bar
    expect(page.locator("#export-status")).to_have_text("Väntar på att starta")
    page.evaluate("window.sameDocument = true")  # gone if the page were loaded again
    worker.start.set()  # the page follows the worker without reloading (WCAG 2.2.1)
    expect(page.get_by_role("heading", name="Exporten är klar")).to_be_visible(timeout=20_000)
    expect(page.locator("#export-status")).to_have_text("Genomfört")
    assert page.evaluate("window.sameDocument") is True
    expect(page.get_by_role("status")).to_have_text("Exporten är klar")  # what a screen reader hears
    counts = page.locator("table.export-counts")
    expect(counts.get_by_role("row").filter(has_text="Borttaget innehåll")).to_contain_text("1")
    expect(counts.get_by_role("row").filter(has_text="Bevisfiler")).to_contain_text("1")

    export = RecordsExport.objects.get()
    expect(page.get_by_text(export.sha256)).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ner ZIP-filen").click()
    download = download_info.value
    day = timezone.localdate(export.requested_at).isoformat()
    assert download.suggested_filename == f"handlingar-falkopings-bibliotek-{day}.zip"
    data = open(download.path(), "rb").read()  # noqa: SIM115 (read at once)
    assert hashlib.sha256(data).hexdigest() == export.sha256

    with zipfile.ZipFile(download.path()) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["export"]["account"] == {"id": library_account.pk, "name": "Falköpings bibliotek"}
        for entry in manifest["files"]:
            assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
        assert manifest["counts"]["moderation_cases"] == 1
        [evidence] = [n for n in archive.namelist() if n.startswith("evidence/")]
        assert archive.read(evidence) == screenshot

    # The archive page lists it, and the account's audit trail shows who took the records out (R3).
    page.goto(f"{live_server.url}/arkiv/")
    row = page.locator("table.exports").get_by_role("row").filter(has_text="Falköpings bibliotek")
    expect(row).to_contain_text("Genomfört")
    expect(row).to_contain_text("från och med 2024-01-01")
    page.goto(f"{live_server.url}/konton/{library_account.pk}/handelselogg/")
    expect(page.locator("table.audit")).to_contain_text("Nedladdad")
    expect(page.locator("table.audit")).to_contain_text(download.suggested_filename)
