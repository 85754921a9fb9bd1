"""Removed on the platform (R21, R22): a captured item that disappears or is hidden is listed for
its account's editors (and comms) until an editor says why; a category opens a case whose first
evidence is the copy captured before the removal."""

import datetime
import hashlib
import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from capture.models import CapturedItem, Connection, ItemVersion
from falkoping_some.lib.errors import DomainError
from moderation.models import Evidence, ModerationCase, PlatformRemoval
from moderation.services.cases import add_evidence
from moderation.services.removals import explain_removal
from moderation.tests.files import png
from moderation.tests.files.storage import private_media
from records.guard import RecordDeletionRefused

TZ = timezone.get_fixed_timezone(60)
PUBLISHED = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
CAPTURED = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
EDITED = datetime.datetime(2026, 3, 2, 11, 0, tzinfo=TZ)
MISSING = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=TZ)
EXPLAINED = datetime.datetime(2026, 3, 2, 14, 0, tzinfo=TZ)
TEXT = "Ni på biblioteket är ena lögnare, alla vet vad Kalle gjorde"


@pytest.fixture
def media(tmp_path):
    with private_media(tmp_path / "private") as path:
        yield path


def connection_of(account, by):
    return Connection.objects.create(
        account=account, kind="facebook", base_url="https://graph.facebook.com/v26.0",
        external_id=f"page-{account.pk}", created_by=by,
    )  # fmt: skip


def captured_comment(connection, platform_id="c-1", text=TEXT, **extra):
    item = CapturedItem.objects.create(
        connection=connection, account=connection.account, platform="facebook", platform_id=platform_id,
        kind="comment", text=text, author_id="4711", author_name="Arg Medborgare",
        permalink=f"https://www.facebook.com/{platform_id}", published_at=PUBLISHED,
        raw={"id": platform_id, "message": text}, raw_sha256=hashlib.sha256(text.encode()).hexdigest(),
        captured_at=CAPTURED, changed_at=EDITED, last_seen_at=EDITED, version_count=2, **extra,
    )  # fmt: skip
    ItemVersion.objects.create(
        item=item, text="Ni är lögnare", raw={"id": platform_id, "message": "Ni är lögnare"}, raw_sha256="1" * 64,
        captured_at=CAPTURED, superseded_at=EDITED,
    )  # fmt: skip
    return item


@pytest.fixture
def deleted(redaktor, kommunikator, library_account):
    """A comment on the library's page, captured, edited, then deleted on the platform."""
    return captured_comment(connection_of(library_account, kommunikator), missing_since=MISSING)


@pytest.fixture
def other_deleted(annan_redaktor, kommunikator, social_account):
    connection = connection_of(social_account, kommunikator)
    return captured_comment(connection, "s-1", "Köp billiga klockor", missing_since=MISSING)


@pytest.fixture
def at_explanation():
    with time_machine.travel(EXPLAINED, tick=False):
        yield


# The list ----------------------------------------------------------------------------------------


def test_a_deleted_comment_shows_for_its_editor_and_not_for_an_unrelated_editor(
    client, redaktor, annan_redaktor, deleted, other_deleted
):
    client.force_login(redaktor)
    page = client.get(reverse("moderation:removals")).text
    assert TEXT in page and "Arg Medborgare" in page
    assert reverse("capture:item", args=[deleted.account_id, deleted.pk]) in page
    assert reverse("moderation:removal_explain", args=[deleted.pk]) in page
    assert "Köp billiga klockor" not in page
    # The start page tells, without searching.
    start = client.get(reverse("dashboard")).text
    assert reverse("moderation:removals") in start and "1 inlägg, kommentar eller meddelande" in start

    client.force_login(annan_redaktor)
    page = client.get(reverse("moderation:removals")).text
    assert TEXT not in page and "Köp billiga klockor" in page
    assert client.get(reverse("moderation:account_removals", args=[deleted.account_id])).status_code == 403
    assert client.get(reverse("moderation:removal_explain", args=[deleted.pk])).status_code == 403


def test_comms_sees_every_account_but_does_not_explain(client, kommunikator, deleted, other_deleted):
    client.force_login(kommunikator)
    page = client.get(reverse("moderation:removals")).text
    assert TEXT in page and "Köp billiga klockor" in page
    assert reverse("moderation:removal_explain", args=[deleted.pk]) not in page
    assert client.post(reverse("moderation:removal_explain", args=[deleted.pk]), {"reason": "spam"}).status_code == 403
    with pytest.raises(PermissionDenied):
        explain_removal(kommunikator, deleted, "spam")
    assert not PlatformRemoval.objects.exists()


def test_a_plain_employee_sees_no_list(client, medarbetare, deleted):
    client.force_login(medarbetare)
    assert client.get(reverse("moderation:removals")).status_code == 403
    assert client.get(reverse("moderation:account_removals", args=[deleted.account_id])).status_code == 403


def test_a_hidden_comment_is_listed_and_one_still_on_the_platform_is_not(
    client, redaktor, kommunikator, library_account
):
    connection = connection_of(library_account, kommunikator)
    captured_comment(connection, "c-hidden", "Dold kommentar", hidden=True)
    visible = captured_comment(connection, "c-seen", "Synlig kommentar")
    client.force_login(redaktor)
    page = client.get(reverse("moderation:account_removals", args=[library_account.pk])).text
    assert "Dold kommentar" in page and "Synlig kommentar" not in page
    assert client.get(reverse("moderation:removal_explain", args=[visible.pk])).status_code == 404


# Explaining ----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("at_explanation")
def test_a_criminal_category_opens_a_case_with_the_copy_captured_before_the_removal(client, redaktor, deleted, media):
    client.force_login(redaktor)
    form = client.get(reverse("moderation:removal_explain", args=[deleted.pk])).text
    assert TEXT in form  # the case's description starts as the captured text
    response = client.post(reverse("moderation:removal_explain", args=[deleted.pk]), {"reason": "defamation"})

    case = ModerationCase.objects.get()
    assert response.url == reverse("moderation:case", args=[case.pk])
    # R22: defamation is criminal; the case is about this item, removed when the sync missed it.
    assert (case.captured_item, case.category, case.content_kind) == (deleted, "defamation", "comment")
    assert case.is_criminal and case.description == TEXT
    assert (case.published_at, case.removed_at) == (PUBLISHED, MISSING)
    assert PlatformRemoval.objects.get(item=deleted).case == case

    evidence = Evidence.objects.get(case=case)
    content = evidence.file.open("rb").read()
    evidence.file.close()
    assert hashlib.sha256(content).hexdigest() == evidence.sha256
    assert evidence.content_type == "application/json" and evidence.uploaded_by == redaktor
    # Documented before the removal: when the portal first captured it.
    assert evidence.taken_at == CAPTURED < case.removed_at
    copy = json.loads(content)
    assert copy["text"] == TEXT and copy["author_name"] == "Arg Medborgare"
    assert copy["raw"] == deleted.raw and copy["raw_sha256"] == deleted.raw_sha256
    assert copy["permalink"] == deleted.permalink
    assert datetime.datetime.fromisoformat(copy["captured_at"]) == CAPTURED
    assert datetime.datetime.fromisoformat(copy["missing_since"]) == MISSING
    assert [version["text"] for version in copy["versions"]] == ["Ni är lögnare"]

    # The case page tells where the evidence came from and links to the archive; the item's page
    # links back to the case.
    page = client.get(response.url).text
    assert deleted.raw_sha256 in page and reverse("capture:item", args=[deleted.account_id, deleted.pk]) in page
    assert reverse("moderation:evidence_file", args=[evidence.pk]) in page
    item_page = client.get(reverse("capture:item", args=[deleted.account_id, deleted.pk])).text
    assert reverse("moderation:case", args=[case.pk]) in item_page
    # Explained: off the list.
    assert TEXT not in client.get(reverse("moderation:removals")).text


@pytest.mark.usefixtures("at_explanation")
def test_screenshots_can_still_be_added_and_the_police_report_follows(redaktor, deleted, media):
    case = explain_removal(redaktor, deleted, "incitement").case
    assert case.is_criminal and case.removed_at == MISSING
    add_evidence(redaktor, case, [png()], taken_at=CAPTURED + datetime.timedelta(minutes=5))
    assert case.evidence.count() == 2


@pytest.mark.usefixtures("at_explanation")
def test_removed_by_its_author_is_recorded_without_a_case(client, redaktor, deleted, media):
    client.force_login(redaktor)
    response = client.post(reverse("moderation:removal_explain", args=[deleted.pk]), {"reason": "removed_by_author"})
    assert response.url == reverse("moderation:account_removals", args=[deleted.account_id])
    removal = PlatformRemoval.objects.get()
    assert (removal.item, removal.reason, removal.case, removal.explained_by) == (
        deleted,
        "removed_by_author",
        None,
        redaktor,
    )
    assert removal.explained_at == EXPLAINED
    assert not ModerationCase.objects.exists() and not Evidence.objects.exists()
    assert TEXT not in client.get(reverse("moderation:removals")).text
    item_page = client.get(reverse("capture:item", args=[deleted.account_id, deleted.pk])).text
    assert "Borttaget av den som skrev det" in item_page
    # Once only.
    with pytest.raises(DomainError):
        explain_removal(redaktor, deleted, "spam")
    assert client.get(reverse("moderation:removal_explain", args=[deleted.pk])).status_code == 302


def test_not_a_breach_says_why(client, redaktor, deleted):
    client.force_login(redaktor)
    response = client.post(reverse("moderation:removal_explain", args=[deleted.pk]), {"reason": "not_a_breach"})
    assert response.status_code == 400 and not PlatformRemoval.objects.exists()
    with pytest.raises(DomainError):
        explain_removal(redaktor, deleted, "not_a_breach")
    removal = explain_removal(redaktor, deleted, "not_a_breach", note="Dubbelpostad av misstag")
    assert removal.case is None and removal.note == "Dubbelpostad av misstag"


@pytest.mark.usefixtures("at_explanation")
def test_nothing_of_it_can_be_deleted(redaktor, deleted, media):
    removal = explain_removal(redaktor, deleted, "spam")
    for record in (removal, removal.case, removal.case.evidence.get(), deleted):
        with pytest.raises((RecordDeletionRefused, ProtectedError)), transaction.atomic():
            record.delete()
    assert PlatformRemoval.objects.filter(pk=removal.pk).exists()
    assert CapturedItem.objects.filter(pk=deleted.pk).exists()


# From the platform to the case -----------------------------------------------------------------------


def test_a_comment_deleted_on_the_platform_reaches_its_editor_with_its_captured_copy(
    monkeypatch, client, redaktor, kommunikator, library_account, media
):
    """Issue 19's "done when": a sync captures a comment, the platform deletes it, the next sync
    misses it; the editor finds it in the list and the case opens with the copy captured before."""
    from capture import crypto
    from capture.sync import sync_connection
    from capture.tests.toy import BASE, served

    first, second, explained = (BASE + datetime.timedelta(days=1, hours=hours) for hours in (0, 1, 2))
    with served(monkeypatch) as toy:
        connection = Connection.objects.create(
            account=library_account, kind="toy", base_url=toy.url, external_id="toy-1",
            token_encrypted=crypto.encrypt("good-token"), created_by=kommunikator,
        )  # fmt: skip
        toy.add_post("p1", "Läsecirkeln börjar i morgon")
        toy.add_comment("p1", "c1", TEXT, author="Arg Medborgare")
        with time_machine.travel(first, tick=False):
            sync_connection(connection)
        toy.comments["p1"].clear()
        with time_machine.travel(second, tick=False):
            sync_connection(connection)

    comment = CapturedItem.objects.get(platform_id="c1")
    client.force_login(redaktor)
    assert TEXT in client.get(reverse("moderation:removals")).text
    with time_machine.travel(explained, tick=False):
        response = client.post(reverse("moderation:removal_explain", args=[comment.pk]), {"reason": "defamation"})
    case = ModerationCase.objects.get(captured_item=comment)
    assert response.url == reverse("moderation:case", args=[case.pk])
    evidence = case.evidence.get()
    with evidence.file.open("rb") as stored:
        copy = json.loads(stored.read())
    assert copy["text"] == TEXT and copy["raw_sha256"] == comment.raw_sha256
    assert evidence.taken_at == first < case.removed_at == second
