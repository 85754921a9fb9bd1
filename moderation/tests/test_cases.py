"""Moderation cases (R21, R22): services, the R22 order, access to evidence, forged requests."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from falkoping_some.lib.errors import DomainError
from moderation.models import Evidence, ModerationCase
from moderation.scheduled_checks import find_criminal_not_reported
from moderation.services.cases import add_evidence, mark_removed, open_case, report_to_police
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
    case = open_case(redaktor, library_account, data(category="spam"))
    assert mark_removed(redaktor, case).removed_at is not None
    with pytest.raises(DomainError):
        mark_removed(redaktor, case)  # once
    with pytest.raises(DomainError):
        report_to_police(redaktor, case, timezone.localdate(), "5000-K123-26")  # not criminal


def test_removal_not_in_future_nor_before_publication(redaktor, library_account, media):
    now = timezone.now()
    case = open_case(redaktor, library_account, data(category="spam", published_at=now - datetime.timedelta(hours=1)))
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
        other = open_case(redaktor, library_account, data(category="spam"), files=[])
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


# R22's order: the screenshot is taken before the content is removed --------------------------------


def test_removal_cannot_be_recorded_before_the_screenshot_was_taken(redaktor, library_account, media):
    now = timezone.now()
    taken = now - datetime.timedelta(hours=1)
    case = open_case(redaktor, library_account, data(is_criminal=True), files=[png()], taken_at=taken)
    evidence = case.evidence.get()
    assert evidence.taken_at == taken and evidence.uploaded_at >= now  # both kept, side by side
    with pytest.raises(DomainError, match="R22"):
        mark_removed(redaktor, case, taken - datetime.timedelta(minutes=1))
    case.refresh_from_db()
    assert case.removed_at is None
    # The same minute is not "before": the forms give minutes.
    assert mark_removed(redaktor, case, taken.replace(second=0, microsecond=0)).removed_at is not None


def test_the_earliest_screenshot_counts(redaktor, library_account, media):
    now = timezone.now()
    case = open_case(redaktor, library_account, data(is_criminal=True), files=[png()], taken_at=now)
    add_evidence(redaktor, case, [png("tidig.png")], taken_at=now - datetime.timedelta(hours=2))
    assert mark_removed(redaktor, case, now - datetime.timedelta(hours=1)).removed_at is not None


def test_a_first_screenshot_taken_after_the_removal_is_refused(redaktor, library_account, media):
    removed = timezone.now() - datetime.timedelta(minutes=10)
    case = mark_removed(redaktor, open_case(redaktor, library_account, data(category="spam")), removed)
    with pytest.raises(DomainError, match="R22"):
        add_evidence(redaktor, case, [png()], taken_at=removed + datetime.timedelta(minutes=2))
    assert not case.evidence.exists()
    add_evidence(redaktor, case, [png()], taken_at=removed - datetime.timedelta(minutes=5))
    # Once it is documented, later files (the report's receipt, say) may follow.
    add_evidence(redaktor, case, [png("kvitto.png")])
    assert case.evidence.count() == 2


def test_taken_at_defaults_to_now_and_is_never_in_the_future(redaktor, library_account, media):
    case = open_case(redaktor, library_account, data(is_criminal=True), files=[png()])
    evidence = case.evidence.get()
    assert evidence.taken_at is not None and evidence.taken_at <= evidence.uploaded_at
    with pytest.raises(DomainError):
        add_evidence(redaktor, case, [png()], taken_at=timezone.now() + datetime.timedelta(minutes=5))
    published = timezone.now() - datetime.timedelta(hours=1)
    later = open_case(redaktor, library_account, data(is_criminal=True, published_at=published))
    with pytest.raises(DomainError):
        add_evidence(redaktor, later, [png()], taken_at=published - datetime.timedelta(hours=1))
    assert later.evidence.count() == 0


@time_machine.travel(datetime.datetime(2026, 3, 2, 12, 0, tzinfo=TZ), tick=False)
def test_the_forms_take_the_time_the_screenshots_were_taken(client, redaktor, library_account, media):
    client.force_login(redaktor)
    url = reverse("moderation:case_create", args=[library_account.pk])
    response = client.post(
        url, {**data(is_criminal="on"), "screenshots": [png()], "screenshots_taken_at": "2026-01-10T09:15"}
    )
    case = ModerationCase.objects.get()
    assert response.status_code == 302
    assert timezone.localtime(case.evidence.get().taken_at).strftime("%Y-%m-%d %H:%M") == "2026-01-10 09:15"
    response = client.post(reverse("moderation:case_removed", args=[case.pk]), {"removed_at": "2026-01-10T09:00"})
    case.refresh_from_db()
    assert case.removed_at is None
    page = client.get(reverse("moderation:case", args=[case.pk])).content.decode()
    assert "2026-01-10 09:15" in page  # the time taken, shown beside the upload's


# The categories that describe crimes (R22) ------------------------------------------------------

CRIME_CATEGORIES = ["defamation", "incitement", "violence_pornography", "calls_to_crime", "copyright"]


@pytest.mark.parametrize("category", CRIME_CATEGORIES)
def test_a_crime_category_marks_the_case_criminal_by_default(redaktor, library_account, media, category):
    case = open_case(redaktor, library_account, data(category=category))
    assert case.is_criminal and case.not_criminal_reason == ""


@pytest.mark.parametrize("category", ["ethnicity", "racist_sexist_homophobic", "profanity", "spam"])
def test_other_categories_are_criminal_only_when_marked(redaktor, library_account, media, category):
    assert not open_case(redaktor, library_account, data(category=category)).is_criminal
    assert open_case(redaktor, library_account, data(category=category, is_criminal=True)).is_criminal


def test_unmarking_a_crime_category_needs_a_reason(redaktor, library_account, media):
    case = open_case(
        redaktor, library_account, data(is_criminal=False, not_criminal_reason="  Citat ur en dom, inte förtal. ")
    )
    assert not case.is_criminal and case.not_criminal_reason == "Citat ur en dom, inte förtal."
    with pytest.raises(DomainError):
        open_case(redaktor, library_account, data(is_criminal=True, not_criminal_reason="Inte brott."))


def test_the_database_refuses_a_crime_category_unmarked_without_reason(redaktor, library_account):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ModerationCase.objects.create(
            account=library_account, content_kind="comment", category="defamation", description="x",
            opened_by=redaktor, is_criminal=False,
        )  # fmt: skip


def test_a_criminal_case_is_unmarked_later_with_a_reason(case, redaktor, kommunikator):
    from moderation.services.cases import unmark_criminal

    with pytest.raises(DomainError):
        unmark_criminal(redaktor, case, "   ")
    with pytest.raises(PermissionDenied):
        unmark_criminal(kommunikator, case, "Inte brott.")
    case = unmark_criminal(redaktor, case, "Kritik av en tjänsteman i tjänsten, inte förtal.")
    case.refresh_from_db()
    assert not case.is_criminal and case.not_criminal_reason == "Kritik av en tjänsteman i tjänsten, inte förtal."
    with pytest.raises(DomainError):
        unmark_criminal(redaktor, case, "Igen.")  # once


def test_a_reported_case_is_not_unmarked(case, redaktor):
    from moderation.services.cases import unmark_criminal

    mark_removed(redaktor, case)
    report_to_police(redaktor, case, timezone.localdate(), "5000-K1")
    with pytest.raises(DomainError):
        unmark_criminal(redaktor, case, "Ångrar mig.")


def test_the_case_form_marks_a_crime_category_criminal_and_shows_the_reason(client, redaktor, library_account, media):
    client.force_login(redaktor)
    url = reverse("moderation:case_create", args=[library_account.pk])
    client.post(url, data(description="Utan kryss"))  # defamation, criminal box not ticked, no reason
    assert ModerationCase.objects.get(description="Utan kryss").is_criminal
    response = client.post(url, data(description="Med kryss och skäl", is_criminal="on", not_criminal_reason="x"))
    assert response.status_code == 200 and not ModerationCase.objects.filter(description="Med kryss och skäl")
    client.post(url, data(description="Med skäl", not_criminal_reason="Ett citat ur en tidning, inget angrepp."))
    case = ModerationCase.objects.get(description="Med skäl")
    assert not case.is_criminal
    page = client.get(reverse("moderation:case", args=[case.pk])).content.decode()
    assert "Ett citat ur en tidning, inget angrepp." in page


def test_the_case_page_unmarks_with_a_reason(client, redaktor, case):
    client.force_login(redaktor)
    url = reverse("moderation:case_not_criminal", args=[case.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    case.refresh_from_db()
    assert case.is_criminal
    assert client.post(url, {"reason": "Kritik, inte förtal."}).status_code == 302
    case.refresh_from_db()
    assert not case.is_criminal
    assert "Kritik, inte förtal." in client.get(reverse("moderation:case", args=[case.pk])).content.decode()
