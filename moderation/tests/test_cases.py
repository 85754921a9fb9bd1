"""Moderation cases (R21, R22): services, the R22 order, access to evidence, forged requests."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.services import DomainError
from moderation.checks import find_criminal_not_reported
from moderation.models import Evidence, ModerationCase
from moderation.services import add_evidence, mark_removed, open_case, report_to_police
from moderation.tests.files import png, upload
from moderation.tests.files.storage import private_media

TZ = timezone.get_fixed_timezone(60)


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def media(tmp_path):
    with private_media(tmp_path / "private") as path:
        yield path


def data(**extra):
    return {"content_kind": "comment", "category": "defamation", "description": "Kränkande kommentar", **extra}


@pytest.fixture
def case(redaktor, library_account, media):
    return open_case(redaktor, library_account, data(is_criminal=True), files=[png()])


# Services ------------------------------------------------------------------------------------


def test_open_case_with_screenshots(redaktor, library_account, media):
    case = open_case(redaktor, library_account, data(is_criminal=True), files=[png(), png("b.png")])
    assert case.opened_by == redaktor and case.evidence.count() == 2 and len(stored_files(media)) == 2


def test_open_case_refused_for_other_editor(annan_redaktor, library_account, media):
    with pytest.raises(PermissionDenied):
        open_case(annan_redaktor, library_account, data())
    assert not ModerationCase.objects.exists()


def test_open_case_bad_file_opens_nothing(redaktor, library_account, media):
    with pytest.raises(ValidationError):
        open_case(redaktor, library_account, data(), files=[png(), upload("skärmdump.png", b"text")])
    assert not ModerationCase.objects.exists() and not stored_files(media)


def test_open_case_inactive_account(redaktor, library_account, media):
    type(library_account).objects.filter(pk=library_account.pk).update(status="approved")
    with pytest.raises(DomainError):
        open_case(redaktor, library_account, data())


def test_add_evidence_batch_with_bad_file_stores_nothing(case, redaktor, media):
    before = stored_files(media)
    with pytest.raises(ValidationError):
        add_evidence(redaktor, case, [png("a.png"), upload("b.png", b"inte en bild"), png("c.png")])
    assert case.evidence.count() == 1 and stored_files(media) == before


def test_add_evidence_failure_while_storing_removes_written_files(case, redaktor, media, monkeypatch):
    before = stored_files(media)
    original_save = Evidence.save
    calls = []

    def failing_save(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise RuntimeError("disk or database failure")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Evidence, "save", failing_save)
    with pytest.raises(RuntimeError):
        add_evidence(redaktor, case, [png("a.png"), png("b.png")])
    assert case.evidence.count() == 1 and stored_files(media) == before


def test_criminal_case_needs_evidence_before_removal(redaktor, library_account, media):
    case = open_case(redaktor, library_account, data(is_criminal=True))
    with pytest.raises(DomainError, match="R22"):
        mark_removed(redaktor, case)
    add_evidence(redaktor, case, [png()])
    assert mark_removed(redaktor, case).removed_at is not None


def test_non_criminal_case_removed_without_evidence(redaktor, library_account, media):
    case = open_case(redaktor, library_account, data())
    assert mark_removed(redaktor, case).removed_at is not None
    with pytest.raises(DomainError):
        mark_removed(redaktor, case)  # once
    with pytest.raises(DomainError):
        report_to_police(redaktor, case, timezone.localdate(), "5000-K123-26")  # not criminal


def test_removal_not_in_future_nor_before_publication(redaktor, library_account, media):
    now = timezone.now()
    case = open_case(redaktor, library_account, data(published_at=now - datetime.timedelta(hours=1)))
    with pytest.raises(DomainError):
        mark_removed(redaktor, case, now + datetime.timedelta(minutes=5))
    with pytest.raises(DomainError):
        mark_removed(redaktor, case, now - datetime.timedelta(hours=2))
    assert mark_removed(redaktor, case, now - datetime.timedelta(minutes=30)).removed_at


def test_police_report_order_and_edges(case, redaktor):
    today = timezone.localdate()
    with pytest.raises(DomainError):
        report_to_police(redaktor, case, today, "5000-K1")  # not removed yet
    mark_removed(redaktor, case)
    with pytest.raises(DomainError):
        report_to_police(redaktor, case, today, "  ")
    with pytest.raises(DomainError):
        report_to_police(redaktor, case, today + datetime.timedelta(days=1), "5000-K1")
    with pytest.raises(DomainError):
        report_to_police(redaktor, case, today - datetime.timedelta(days=1), "5000-K1")
    case = report_to_police(redaktor, case, today, " 5000-K1 ")
    assert case.police_reference == "5000-K1" and case.police_reported_on == today
    with pytest.raises(DomainError):
        report_to_police(redaktor, case, today, "5000-K2")  # once


def test_comms_cannot_change_a_case(case, kommunikator):
    with pytest.raises(PermissionDenied):
        mark_removed(kommunikator, case)


# Views: access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("redaktor", 200), ("kommunikator", 200), ("annan_redaktor", 403), ("chef", 403), ("medarbetare", 403)],
)
def test_evidence_file_access(client, request, case, role, status):
    client.force_login(request.getfixturevalue(role))
    evidence = case.evidence.get()
    response = client.get(reverse("moderation:evidence_file", args=[evidence.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("inline")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == evidence.file.open("rb").read()


def test_evidence_file_anonymous_to_login(client, case):
    response = client.get(reverse("moderation:evidence_file", args=[case.evidence.get().pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_evidence_file_safe_filename(client, redaktor, case, media):
    evidence = add_evidence(redaktor, case, [png('x"; y\r\n.png')])[0]
    client.force_login(redaktor)
    response = client.get(reverse("moderation:evidence_file", args=[evidence.pk]))
    assert "\r" not in response["Content-Disposition"] and "\n" not in response["Content-Disposition"]


@pytest.mark.parametrize("role", ["redaktor", "kommunikator"])
def test_case_pages(client, request, case, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("moderation:case", args=[case.pk])).status_code == 200
    response = client.get(reverse("moderation:index"))
    assert response.status_code == 200 and reverse("moderation:case", args=[case.pk]).encode() in response.content


def test_case_create_view(client, redaktor, library_account, media):
    client.force_login(redaktor)
    url = reverse("moderation:case_create", args=[library_account.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**data(is_criminal="on"), "screenshots": [png(), png("b.png")]})
    case = ModerationCase.objects.get()
    assert response.status_code == 302 and case.evidence.count() == 2


def test_case_create_bad_file_keeps_form(client, redaktor, library_account, media):
    client.force_login(redaktor)
    url = reverse("moderation:case_create", args=[library_account.pk])
    response = client.post(url, {**data(), "screenshots": [png(), upload("skärmdump.png", b"text")]})
    assert response.status_code == 200
    assert "skärmdump.png" in response.content.decode() and b'type="file"' in response.content
    assert b"multiple" in response.content and b"Kr\xc3\xa4nkande kommentar" in response.content
    assert not ModerationCase.objects.exists() and not stored_files(media)


def test_views_flow(client, redaktor, case):
    client.force_login(redaktor)
    assert client.post(reverse("moderation:case_removed", args=[case.pk])).status_code == 302
    today = timezone.localdate().isoformat()
    url = reverse("moderation:case_police_report", args=[case.pk])
    assert client.post(url, {"reported_on": today, "reference": "5000-K9"}).status_code == 302
    case.refresh_from_db()
    assert case.removed_at and case.police_reference == "5000-K9"
    response = client.post(reverse("moderation:evidence_upload", args=[case.pk]), {"files": [png("c.png")]})
    assert response.status_code == 302 and case.evidence.count() == 2


@pytest.mark.parametrize("role", ["annan_redaktor", "medarbetare", "kommunikator"])
def test_forged_posts_refused(client, request, case, library_account, media, role):
    client.force_login(request.getfixturevalue(role))
    before = stored_files(media)
    posts = [
        (reverse("moderation:case_create", args=[library_account.pk]), {**data(), "screenshots": [png()]}),
        (reverse("moderation:evidence_upload", args=[case.pk]), {"files": [png()]}),
        (reverse("moderation:case_removed", args=[case.pk]), {}),
        (reverse("moderation:case_police_report", args=[case.pk]), {"reported_on": "2026-01-01", "reference": "x"}),
    ]
    for url, payload in posts:
        assert client.post(url, payload).status_code == 403, url
    case.refresh_from_db()
    assert ModerationCase.objects.count() == 1 and case.evidence.count() == 1 and stored_files(media) == before
    assert case.removed_at is None and case.police_reported_on is None


def test_no_change_or_delete_route(client, redaktor, case):
    for name in ("evidence_delete", "evidence_change", "case_delete", "case_edit"):
        with pytest.raises(NoReverseMatch):
            reverse(f"moderation:{name}", args=[case.pk])
    client.force_login(redaktor)
    url = reverse("moderation:evidence_file", args=[case.evidence.get().pk])
    assert client.post(url).status_code == 405
    assert client.delete(url).status_code == 405
    assert case.evidence.count() == 1


# The scheduled check ---------------------------------------------------------------------------


def test_find_criminal_not_reported_two_day_edge(redaktor, library_account, media):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 23, 30, tzinfo=TZ), tick=False):
        case = open_case(redaktor, library_account, data(is_criminal=True), files=[png()])
        mark_removed(redaktor, case)  # 2 March, 23:30 Stockholm time (22:30 UTC)
        other = open_case(redaktor, library_account, data(), files=[])
        mark_removed(redaktor, other)  # not criminal: never found
    assert find_criminal_not_reported(datetime.date(2026, 3, 4)) == {}  # exactly two days: not yet
    found = find_criminal_not_reported(datetime.date(2026, 3, 5))
    assert found == {library_account.pk: {"cases": [{"id": case.pk, "removed_at": "2026-03-02T23:30:00+01:00"}]}}
    with time_machine.travel(datetime.datetime(2026, 3, 5, 9, 0, tzinfo=TZ), tick=False):
        report_to_police(redaktor, case, datetime.date(2026, 3, 5), "5000-K1")
    assert find_criminal_not_reported(datetime.date(2026, 3, 5)) == {}


def test_find_criminal_not_reported_one_query(redaktor, library_account, media, django_assert_num_queries):
    with django_assert_num_queries(1):
        find_criminal_not_reported(timezone.localdate())
