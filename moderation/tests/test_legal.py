"""R23: the legal basis of posts with personal data, documented at publication (late is allowed and
shown), with consent forms as evidence; the pages per role, forged POSTs that must write nothing,
and comms' overview in a fixed number of queries."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image

from accounts.models import AccountStatus, SocialAccount
from accounts.tests.factories import SocialAccountFactory, UserFactory
from falkoping_some.lib.errors import DomainError
from moderation.models import Evidence, LegalBasis, LegalBasisRecord
from moderation.services.legal import add_consent_evidence, legal_overview, record_legal_basis
from moderation.tests.files.storage import private_media

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=STOCKHOLM)
HOUR = datetime.timedelta(hours=1)


def png(name="samtycke.png"):
    """A small real PNG, as a phone photo of a consent form would arrive."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def not_an_image(name="samtycke2.png"):
    return SimpleUploadedFile(name, b"just some text, named .png", content_type="image/png")


def sv(msgid: str) -> str:
    """The Swedish the page shows for a msgid (the msgid itself until the lead translates it)."""
    with translation.override("sv"):
        return gettext(msgid)


def shown(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def private_root(tmp_path):
    """Evidence is written under tmp_path; the lazy storage is reset so it sees the setting."""
    with private_media(tmp_path / "private") as root:
        yield root


def record(actor, account, **kwargs):
    values = {
        "post": "https://www.facebook.com/falkopingsbibliotek/posts/1",
        "published_at": NOW - HOUR,
        "basis": LegalBasis.CONSENT,
        "documentation": "Blanketten finns i bibliotekets pärm för samtycken.",
    }
    return record_legal_basis(actor, account, **{**values, **kwargs})


@pytest.mark.django_db
class TestRecordLegalBasis:
    def test_consent_documented_by_reference(self, redaktor, library_account):
        rec = record(redaktor, library_account)
        assert (rec.account, rec.basis, rec.recorded_by, rec.recorded_at) == (
            library_account,
            LegalBasis.CONSENT,
            redaktor,
            NOW,
        )
        assert not rec.evidence.exists()

    def test_consent_documented_by_uploaded_form(self, redaktor, library_account, private_root):
        rec = record(redaktor, library_account, documentation="", consent_files=[png()])
        evidence = rec.evidence.get()
        assert (evidence.content_type, evidence.original_name, evidence.uploaded_by) == (
            "image/png",
            "samtycke.png",
            redaktor,
        )
        assert len(evidence.sha256) == 64
        assert len(stored_files(private_root)) == 1

    def test_consent_needs_a_form_or_a_reference(self, redaktor, library_account):
        # R23: the consent is documented.
        with pytest.raises(DomainError, match="ladda upp samtyckesblanketten eller ange var den förvaras"):
            record(redaktor, library_account, documentation="  ")
        assert not LegalBasisRecord.objects.exists()

    @pytest.mark.parametrize("basis", [b for b in LegalBasis if b != LegalBasis.CONSENT])
    def test_other_bases_need_the_reason(self, redaktor, library_account, basis):
        with pytest.raises(DomainError, match="varför den rättsliga grunden gäller"):
            record(redaktor, library_account, basis=basis, documentation="")
        assert not LegalBasisRecord.objects.exists()
        rec = record(redaktor, library_account, basis=basis, documentation="Bokmässan, ett större evenemang.")
        assert rec.basis == basis

    def test_a_file_does_not_replace_the_reason_for_other_bases(self, redaktor, library_account, private_root):
        with pytest.raises(DomainError):
            record(redaktor, library_account, basis=LegalBasis.PUBLIC_INTEREST, documentation="", consent_files=[png()])
        assert not Evidence.objects.exists() and not stored_files(private_root)

    def test_post_is_required(self, redaktor, library_account):
        with pytest.raises(DomainError, match="Ange vilket inlägg det gäller"):
            record(redaktor, library_account, post=" ")

    def test_future_publication_is_refused(self, redaktor, library_account):
        with pytest.raises(DomainError, match="i framtiden"):
            record(redaktor, library_account, published_at=NOW + datetime.timedelta(minutes=1))
        assert not LegalBasisRecord.objects.exists()

    def test_recorded_after_publication_is_late(self, redaktor, library_account):
        assert record(redaktor, library_account, published_at=NOW - datetime.timedelta(seconds=1)).recorded_late

    def test_recorded_at_publication_is_not_late(self, redaktor, library_account):
        assert not record(redaktor, library_account, published_at=NOW).recorded_late

    def test_recorded_before_publication_is_not_late(self):
        # The service refuses a future publication; the rule itself still reads "not late".
        assert not LegalBasisRecord(published_at=NOW + HOUR, recorded_at=NOW).recorded_late

    def test_a_bad_consent_file_stores_nothing(self, redaktor, library_account, private_root):
        with pytest.raises(DomainError, match="samtycke2.png") as caught:
            record(redaktor, library_account, documentation="", consent_files=[png(), not_an_image()])
        assert "Ingenting sparades" in caught.value.message
        assert not LegalBasisRecord.objects.exists()
        assert not Evidence.objects.exists()
        assert not stored_files(private_root)

    def test_only_active_accounts(self, redaktor, library_account):
        # Approved by comms but not yet activated: nothing is published on it yet.
        SocialAccount.objects.filter(pk=library_account.pk).update(status=AccountStatus.APPROVED, activated_on=None)
        with pytest.raises(DomainError, match="bara för aktiva konton"):
            record(redaktor, library_account)
        assert not LegalBasisRecord.objects.exists()

    @pytest.mark.parametrize("role", ["annan_redaktor", "medarbetare", "chef", "kommunikator"])
    def test_only_the_accounts_editors_record(self, request, library_account, role):
        with pytest.raises(PermissionDenied):
            record(request.getfixturevalue(role), library_account)
        assert not LegalBasisRecord.objects.exists()


@pytest.mark.django_db
class TestAddConsentEvidence:
    def test_editor_adds_forms(self, redaktor, library_account, private_root):
        rec = record(redaktor, library_account)
        stored = add_consent_evidence(redaktor, rec, [png("a.png"), png("b.png")])
        assert [e.original_name for e in rec.evidence.all()] == ["a.png", "b.png"] == [e.original_name for e in stored]

    def test_a_bad_file_stores_nothing(self, redaktor, library_account, private_root):
        rec = record(redaktor, library_account)
        with pytest.raises(DomainError):
            add_consent_evidence(redaktor, rec, [png(), not_an_image()])
        assert not Evidence.objects.exists() and not stored_files(private_root)

    def test_no_file(self, redaktor, library_account):
        with pytest.raises(DomainError, match="minst en fil"):
            add_consent_evidence(redaktor, record(redaktor, library_account), [])

    @pytest.mark.parametrize("role", ["annan_redaktor", "medarbetare", "chef", "kommunikator"])
    def test_others_may_not(self, request, redaktor, library_account, private_root, role):
        rec = record(redaktor, library_account)
        with pytest.raises(PermissionDenied):
            add_consent_evidence(request.getfixturevalue(role), rec, [png()])
        assert not Evidence.objects.exists()


def form_data(**kwargs):
    return {
        "post": "Bild från sagostunden",
        "published_at": "2026-03-10T10:30",
        "basis": LegalBasis.CONSENT,
        "documentation": "Pärmen i personalrummet.",
        **kwargs,
    }


@pytest.mark.django_db
class TestPages:
    def test_editor_sees_records_and_the_form(self, client, redaktor, library_account):
        late = record(redaktor, library_account, post="Sent registrerad")
        client.force_login(redaktor)
        response = client.get(reverse("moderation:legal_bases", args=[library_account.pk]))
        assert response.status_code == 200
        page = response.content.decode()
        assert late.recorded_late and sv("Recorded afterwards") in page
        assert "Sent registrerad" in page
        assert 'type="datetime-local"' in page and 'value="2026-03-10T12:00"' in page
        assert sv("The person has consented (most common)") in page
        assert "multiple" in page and 'accept="image/png,image/jpeg,image/webp,application/pdf"' in page

    def test_editor_records_with_a_consent_form(self, client, redaktor, library_account, private_root):
        client.force_login(redaktor)
        response = client.post(
            reverse("moderation:legal_bases", args=[library_account.pk]),
            form_data(documentation="", consent_files=[png("a.png"), png("b.png")]),
        )
        rec = LegalBasisRecord.objects.get()
        assert response.status_code == 302 and response.url == reverse("moderation:legal_basis", args=[rec.pk])
        assert rec.published_at == datetime.datetime(2026, 3, 10, 10, 30, tzinfo=STOCKHOLM)
        assert rec.recorded_late
        assert rec.evidence.count() == 2

    def test_refusal_keeps_the_input(self, client, redaktor, library_account):
        client.force_login(redaktor)
        response = client.post(
            reverse("moderation:legal_bases", args=[library_account.pk]),
            form_data(basis=LegalBasis.PUBLIC_INTEREST, documentation=""),
        )
        assert response.status_code == 200
        assert not LegalBasisRecord.objects.exists()
        assert shown(response) == [sv("Explain why this legal basis applies to the publication.")]
        assert "Bild från sagostunden" in response.content.decode()

    def test_bad_file_page_stores_nothing(self, client, redaktor, library_account, private_root):
        client.force_login(redaktor)
        response = client.post(
            reverse("moderation:legal_bases", args=[library_account.pk]),
            form_data(consent_files=[not_an_image()]),
        )
        assert response.status_code == 200
        assert not LegalBasisRecord.objects.exists() and not Evidence.objects.exists()
        assert not stored_files(private_root)

    def test_detail_links_the_evidence_for_the_editor(self, client, redaktor, library_account, private_root):
        rec = record(redaktor, library_account, consent_files=[png()])
        evidence = rec.evidence.get()
        client.force_login(redaktor)
        response = client.get(reverse("moderation:legal_basis", args=[rec.pk]))
        assert response.status_code == 200
        page = response.content.decode()
        assert f'href="{reverse("moderation:evidence_file", args=[evidence.pk])}"' in page
        assert reverse("moderation:legal_evidence_upload", args=[rec.pk]) in page

    def test_editor_uploads_more(self, client, redaktor, library_account, private_root):
        rec = record(redaktor, library_account)
        client.force_login(redaktor)
        response = client.post(reverse("moderation:legal_evidence_upload", args=[rec.pk]), {"files": [png()]})
        assert response.status_code == 302
        assert rec.evidence.count() == 1

    def test_upload_of_a_bad_file(self, client, redaktor, library_account, private_root):
        rec = record(redaktor, library_account)
        client.force_login(redaktor)
        response = client.post(
            reverse("moderation:legal_evidence_upload", args=[rec.pk]), {"files": [png(), not_an_image()]}
        )
        assert response.status_code == 200
        assert not Evidence.objects.exists() and not stored_files(private_root)

    def test_upload_is_post_only(self, client, redaktor, library_account):
        rec = record(redaktor, library_account)
        client.force_login(redaktor)
        assert client.get(reverse("moderation:legal_evidence_upload", args=[rec.pk])).status_code == 405

    @pytest.mark.parametrize("role", ["annan_redaktor", "medarbetare", "chef"])
    def test_others_see_nothing_and_write_nothing(self, client, request, redaktor, library_account, role, private_root):
        rec = record(redaktor, library_account)
        client.force_login(request.getfixturevalue(role))
        list_url = reverse("moderation:legal_bases", args=[library_account.pk])
        assert client.get(list_url).status_code == 403
        assert client.get(reverse("moderation:legal_basis", args=[rec.pk])).status_code == 403
        assert client.post(list_url, form_data()).status_code == 403
        upload = reverse("moderation:legal_evidence_upload", args=[rec.pk])
        assert client.post(upload, {"files": [png()]}).status_code == 403
        assert LegalBasisRecord.objects.get() == rec
        assert not Evidence.objects.exists() and not stored_files(private_root)

    def test_comms_views_but_does_not_record(self, client, kommunikator, redaktor, library_account, private_root):
        rec = record(redaktor, library_account)
        client.force_login(kommunikator)
        list_url = reverse("moderation:legal_bases", args=[library_account.pk])
        response = client.get(list_url)
        assert response.status_code == 200
        assert rec.post in response.content.decode()
        assert '<form method="post" enctype' not in response.content.decode()
        detail = client.get(reverse("moderation:legal_basis", args=[rec.pk]))
        assert detail.status_code == 200
        assert reverse("moderation:legal_evidence_upload", args=[rec.pk]) not in detail.content.decode()
        assert client.post(list_url, form_data()).status_code == 403
        upload = reverse("moderation:legal_evidence_upload", args=[rec.pk])
        assert client.post(upload, {"files": [png()]}).status_code == 403
        assert LegalBasisRecord.objects.count() == 1 and not Evidence.objects.exists()

    def test_comms_without_mfa_is_sent_to_activate_it(self, client, kommunikator_utan_mfa, library_account):
        client.force_login(kommunikator_utan_mfa)
        response = client.get(reverse("moderation:legal_bases", args=[library_account.pk]))
        assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")

    def test_anonymous_is_sent_to_sign_in(self, client, library_account):
        response = client.get(reverse("moderation:legal_bases", args=[library_account.pk]))
        assert response.status_code == 302 and reverse("account_login") in response.url

    def test_missing_account_is_404(self, client, redaktor):
        client.force_login(redaktor)
        assert client.get(reverse("moderation:legal_bases", args=[99999])).status_code == 404


@pytest.mark.django_db
class TestOverview:
    def make_accounts(self, count):
        author = UserFactory()
        accounts = []
        for _ in range(count):
            account = SocialAccountFactory()
            for published, recorded in [(NOW - HOUR, NOW - HOUR), (NOW - 2 * HOUR, NOW), (NOW - 3 * HOUR, NOW)]:
                LegalBasisRecord.objects.create(
                    account=account,
                    post="Inlägg",
                    published_at=published,
                    basis=LegalBasis.PUBLIC_INTEREST,
                    documentation="Större evenemang",
                    recorded_by=author,
                    recorded_at=recorded,
                )
            accounts.append(account)
        return accounts

    def test_numbers_per_account(self, library_account):
        accounts = self.make_accounts(2)
        overview = legal_overview([library_account, *accounts])
        assert [(e["account"], e["total"], e["late"]) for e in overview] == [
            (library_account, 0, 0),
            (accounts[0], 3, 2),
            (accounts[1], 3, 2),
        ]
        first = overview[1]
        assert [r.published_at for r in first["records"]] == [NOW - HOUR, NOW - 2 * HOUR, NOW - 3 * HOUR]
        assert [r.published_at for r in first["late_records"]] == [NOW - 2 * HOUR, NOW - 3 * HOUR]

    @pytest.mark.parametrize("count", [1, 6])
    def test_queries_do_not_grow_with_the_accounts(self, django_assert_num_queries, count):
        self.make_accounts(count)
        with django_assert_num_queries(2):
            overview = legal_overview(SocialAccount.objects.order_by("pk"))
            html = render_to_string("moderation/_legal_overview.html", {"legal_overview": overview})
        # Per account: the marker on its two late records, and the heading of the late list.
        assert html.count(sv("Recorded afterwards")) == 3 * count
