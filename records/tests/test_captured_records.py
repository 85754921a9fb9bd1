"""Captured items as public records (R3, R25): the export's secrecy review tells the account's own
publication from what private persons wrote, and a disposal takes a whole thread, with its earlier
versions and media files, only once every item of it is past the retention."""

import datetime
import hashlib
import io
import json
import zipfile
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile

from capture.models import CapturedItem, CapturedMedia, Connection, ItemVersion
from moderation.tests.files.storage import private_media
from records.export.archive import build_export
from records.models import DisposalStatus, ExportStatus, RecordKind, RecordsExport, RetentionRule
from records.retention import confirm_disposal, due_records, propose_disposals

STOCKHOLM = ZoneInfo("Europe/Stockholm")
D = datetime.date


def at(day, hour=12):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=STOCKHOLM)


@pytest.fixture
def media(tmp_path):
    with private_media(tmp_path / "private") as path:
        yield path


@pytest.fixture
def connection(library_account, kommunikator):
    return Connection.objects.create(
        account=library_account, kind="facebook", base_url="https://graph.facebook.com", external_id="page-1",
        created_by=kommunikator,
    )  # fmt: skip


def item(connection, platform_id, day, *, kind="post", by_account=True, thread=None, parent=None, text=None):
    raw = {"id": platform_id, "message": text or f"Text {platform_id}"}
    return CapturedItem.objects.create(
        connection=connection, account=connection.account, platform="facebook", platform_id=platform_id, kind=kind,
        text=raw["message"], author_name="Biblioteket" if by_account else "Sven S", by_account=by_account,
        thread=thread, parent=parent, thread_platform_id=thread.platform_id if thread else "",
        parent_platform_id=parent.platform_id if parent else "", published_at=at(day), raw=raw,
        raw_sha256=hashlib.sha256(platform_id.encode()).hexdigest(), captured_at=at(day), changed_at=at(day),
        last_seen_at=at(day),
    )  # fmt: skip


@pytest.mark.django_db
def test_the_public_copy_keeps_the_accounts_own_posts_and_withholds_private_persons_and_messages(
    connection, kommunikator, media
):
    post = item(connection, "post-1", D(2026, 3, 1), text="Nu är biblioteket öppet igen!")
    item(connection, "c-1", D(2026, 3, 1), kind="comment", by_account=False, thread=post, parent=post,
         text="PRIVATPERSONENS ord")  # fmt: skip
    item(connection, "m-1", D(2026, 3, 1), kind="message", text="SVAR I ETT PRIVAT MEDDELANDE")
    export = RecordsExport.objects.create(requested_by=kommunikator, public_copy=True)
    build_export(export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    with export.file.open("rb") as f:
        archive = zipfile.ZipFile(io.BytesIO(f.read()))
    records = {r["platform_id"]: r for r in json.loads(archive.read("captured_items.json"))["records"]}
    assert records["post-1"]["text"] == "Nu är biblioteket öppet igen!"  # the municipality's own publication
    assert records["post-1"]["author_name"] == "Biblioteket"
    assert records["c-1"]["text"]["withheld"] and records["c-1"]["author_name"]["withheld"]
    assert records["m-1"]["text"]["withheld"]  # a private message, even the account's side of it
    blob = b"".join(archive.read(name) for name in archive.namelist())
    assert b"PRIVATPERSONENS" not in blob and b"PRIVAT MEDDELANDE" not in blob
    review = json.loads(archive.read("secrecy_review.json"))["items"]
    withheld = {(i["record_id"], i["field"]) for i in review if i["file"] == "captured_items.json"}
    comment_id = records["c-1"]["id"]
    assert {(comment_id, "text"), (comment_id, "author_name"), (comment_id, "raw")} <= withheld
    manifest = json.loads(archive.read("manifest.json"))
    assert [e["platform_id"] for e in manifest["captured_items"]] == ["post-1", "c-1", "m-1"]
    assert manifest["counts"]["captured_items"] == 3


@pytest.mark.django_db
class TestDisposal:
    TODAY = D(2026, 11, 2)
    CUTOFF = D(2026, 5, 2)  # six months

    def propose(self):
        RetentionRule.objects.create(kind=RecordKind.CAPTURED_ITEMS, retain_months=6, plan_reference="DHP 3.9")
        with time_machine.travel(at(self.TODAY, 5), tick=False):
            [proposal] = [p for p in propose_disposals() if p.kind == RecordKind.CAPTURED_ITEMS]
        return proposal

    def test_a_thread_goes_together_only_when_all_of_it_is_past_the_retention(self, connection):
        old = item(connection, "old", D(2026, 1, 10))
        item(connection, "old-c", D(2026, 1, 11), kind="comment", by_account=False, thread=old, parent=old)
        lively = item(connection, "lively", D(2026, 1, 10))
        recent_reply = item(connection, "reply", D(2026, 6, 1), kind="comment", by_account=False, thread=lively,
                            parent=lively)  # fmt: skip
        assert recent_reply.pk
        due = due_records(RecordKind.CAPTURED_ITEMS, self.CUTOFF)
        assert sorted(due.values_list("platform_id", flat=True)) == ["old", "old-c"]
        # The page shows the thread's date: the comment's, the latest of the thread.
        assert {i.thread_latest_at.date() for i in due} == {D(2026, 1, 11)}

    def test_versions_and_media_go_with_the_items_and_links_from_kept_items_are_let_go(
        self, connection, kommunikator, media, django_capture_on_commit_callbacks
    ):
        old = item(connection, "old", D(2026, 1, 10))
        comment = item(connection, "old-c", D(2026, 1, 11), kind="comment", by_account=False, thread=old, parent=old)
        ItemVersion.objects.create(
            item=comment, text="före", raw={}, raw_sha256="1" * 64, captured_at=at(D(2026, 1, 11))
        )
        picture = CapturedMedia(item=old, source_url="https://scontent.example/bild.jpg", sha256="2" * 64, size=4)
        picture.file.save("bild.jpg", ContentFile(b"jpeg"), save=False)
        picture.save()
        stored = media / picture.file.name
        assert stored.exists()
        # An item kept (it came without its thread row) answers one that goes: it keeps the platform's ids.
        kept = item(connection, "late-answer", D(2026, 10, 1), kind="comment", by_account=False, parent=comment)
        disposal = self.propose()
        assert disposal.proposed_count == 2

        with time_machine.travel(at(self.TODAY, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
            done = confirm_disposal(kommunikator, disposal)

        assert done.status == DisposalStatus.DONE
        assert done.counts == {"captured_items": 2, "item_versions": 1, "media_files": 1, "audit_events": 0}
        assert list(CapturedItem.objects.values_list("platform_id", flat=True)) == ["late-answer"]
        assert not ItemVersion.objects.exists() and not CapturedMedia.objects.exists()
        assert not stored.exists()  # the file went after the commit
        kept.refresh_from_db()
        assert kept.parent is None and kept.parent_platform_id == "old-c"

    def test_an_items_explanation_goes_with_it_and_its_case_keeps_the_copy(
        self, connection, kommunikator, redaktor, media
    ):
        """R21, R25: why an item is gone is disposed of with the item (and its audit entries); a case
        opened about it keeps its captured copy and only loses the link."""
        from auditlog.context import set_actor
        from auditlog.models import LogEntry

        from moderation.models import ModerationCase, PlatformRemoval
        from moderation.services.removals import explain_removal

        old = item(connection, "old", D(2026, 1, 10))
        spam = item(connection, "old-c", D(2026, 1, 11), kind="comment", by_account=False, thread=old, parent=old)
        CapturedItem.objects.filter(pk__in=[old.pk, spam.pk]).update(missing_since=at(D(2026, 1, 12)))
        with time_machine.travel(at(D(2026, 1, 13)), tick=False), set_actor(redaktor):
            explain_removal(redaktor, old, "removed_by_author")
            case = explain_removal(redaktor, spam, "spam").case
        assert LogEntry.objects.get_for_objects(PlatformRemoval.objects.all()).count() == 2
        disposal = self.propose()

        with time_machine.travel(at(self.TODAY, 10), tick=False):
            done = confirm_disposal(kommunikator, disposal)

        assert done.counts["captured_items"] == 2 and done.counts["audit_events"] >= 2
        assert not PlatformRemoval.objects.exists()
        assert not LogEntry.objects.filter(content_type__model="platformremoval").exists()
        case = ModerationCase.objects.get(pk=case.pk)
        assert case.captured_item is None and case.evidence.count() == 1

    def test_a_thread_with_a_question_record_waits_for_the_question(self, connection, kommunikator):
        """R20, R25: a question found in a comment keeps its thread (the question and the answer it
        points at) until the question record itself is disposed of; then the thread goes."""
        from moderation.models import Inquiry, InquiryChannel

        old = item(connection, "old", D(2026, 1, 10))
        asked = item(connection, "old-q", D(2026, 1, 11), kind="comment", by_account=False, thread=old, parent=old)
        answer = item(connection, "old-a", D(2026, 1, 11), kind="comment", thread=old, parent=asked)
        other = item(connection, "other", D(2026, 1, 10))
        question = Inquiry.objects.create(
            account=connection.account, channel=InquiryChannel.COMMENT, received_at=asked.published_at,
            summary="Öppettider?", deadline=at(D(2026, 1, 12)), answered_at=answer.published_at,
            item=asked, answer_item=answer,
        )  # fmt: skip
        due = due_records(RecordKind.CAPTURED_ITEMS, self.CUTOFF)
        assert list(due.values_list("platform_id", flat=True)) == [other.platform_id]

        from records.guard import disposal_allowed

        with disposal_allowed():  # as the question's own disposal does
            question.delete()
        due = due_records(RecordKind.CAPTURED_ITEMS, self.CUTOFF)
        assert sorted(due.values_list("platform_id", flat=True)) == ["old", "old-a", "old-q", "other"]
