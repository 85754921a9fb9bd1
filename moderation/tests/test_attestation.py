"""A colleague attests a screenshot (R22): the police ask that someone can testify that it is
unaltered. Who and when are recorded, once per person, never by the uploader; the case shows it."""

import hashlib

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import MandateFactory, UserFactory
from falkoping_some.lib.errors import DomainError
from moderation.models import EvidenceAttestation
from moderation.services.cases import attest_evidence, open_case
from moderation.services.legal import record_legal_basis
from moderation.tests.files import png
from moderation.tests.files.storage import private_media


@pytest.fixture
def media(tmp_path):
    with private_media(tmp_path / "private") as path:
        yield path


@pytest.fixture
def kollega(biblioteket, library_account):
    """A second editor of the library's account."""
    user = UserFactory(email="kollega@example.falkoping.se", first_name="Karin", last_name="Kollega", unit=biblioteket)
    MandateFactory(user=user, account=library_account)
    return user


@pytest.fixture
def evidence(redaktor, library_account, media):
    case = open_case(
        redaktor,
        library_account,
        {"content_kind": "comment", "category": "defamation", "description": "Personangrepp"},
        files=[png()],
    )
    return case.evidence.get()


def test_a_colleague_attests_and_who_and_when_are_recorded(evidence, kollega):
    attestation = attest_evidence(kollega, evidence)
    assert attestation.attested_by == kollega and attestation.attested_at <= timezone.now()
    # What they looked at: the very bytes uploaded.
    assert attestation.sha256 == evidence.sha256 == hashlib.sha256(evidence.file.open("rb").read()).hexdigest()
    entry = LogEntry.objects.get_for_object(attestation).get()
    assert entry.action == LogEntry.Action.CREATE


def test_comms_may_attest(evidence, kommunikator):
    assert attest_evidence(kommunikator, evidence).attested_by == kommunikator


def test_the_uploader_does_not_attest_their_own_screenshot(evidence, redaktor):
    with pytest.raises((PermissionDenied, DomainError)):
        attest_evidence(redaktor, evidence)
    assert not EvidenceAttestation.objects.exists()


def test_once_per_person(evidence, kollega, kommunikator):
    attest_evidence(kollega, evidence)
    with pytest.raises(DomainError):
        attest_evidence(kollega, evidence)
    attest_evidence(kommunikator, evidence)
    assert evidence.attestations.count() == 2


@pytest.mark.parametrize("role", ["annan_redaktor", "medarbetare", "chef", "kommunikator_utan_mfa"])
def test_who_may_not_see_the_case_may_not_attest(evidence, request, role):
    with pytest.raises(PermissionDenied):
        attest_evidence(request.getfixturevalue(role), evidence)


def test_a_changed_file_cannot_be_attested(evidence, kollega, media):
    (media / evidence.file.name).write_bytes(b"\x89PNG changed")
    with pytest.raises(DomainError, match="SHA-256"):
        attest_evidence(kollega, evidence)
    assert not EvidenceAttestation.objects.exists()


def test_a_consent_form_is_not_attested_here(client, redaktor, kollega, superuser, library_account, media):
    record = record_legal_basis(
        redaktor, library_account, post="Bild", published_at=timezone.now(), basis="consent",
        consent_files=[png("samtycke.png")],
    )  # fmt: skip
    consent = record.evidence.get()
    with pytest.raises(PermissionDenied):
        attest_evidence(kollega, consent)
    with pytest.raises((PermissionDenied, DomainError)):
        attest_evidence(superuser, consent)  # a superuser too, whom has_perm may let past
    client.force_login(kollega)
    assert client.post(reverse("moderation:evidence_attest", args=[consent.pk]), {"confirm": "on"}).status_code == 404


def test_the_case_page_attests_and_shows_it(client, evidence, kollega, redaktor):
    url = reverse("moderation:evidence_attest", args=[evidence.pk])
    case_url = reverse("moderation:case", args=[evidence.case_id])
    client.force_login(kollega)
    page = client.get(case_url).content.decode()
    assert url in page
    assert client.post(url, {}).status_code == 400  # the statement must be confirmed
    assert not evidence.attestations.exists()
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == case_url
    page = client.get(case_url).content.decode()
    assert "Karin Kollega" in page and url not in page  # shown, and not offered twice
    client.force_login(redaktor)
    page = client.get(case_url).content.decode()
    assert "Karin Kollega" in page and url not in page  # the uploader sees it, and is not offered it
    assert client.post(url, {"confirm": "on"}).status_code == 403


@pytest.mark.parametrize("role", ["annan_redaktor", "medarbetare"])
def test_the_attest_url_refuses_who_may_not_see_the_case(client, request, evidence, role):
    client.force_login(request.getfixturevalue(role))
    assert client.post(reverse("moderation:evidence_attest", args=[evidence.pk]), {"confirm": "on"}).status_code == 403
    assert not evidence.attestations.exists()
