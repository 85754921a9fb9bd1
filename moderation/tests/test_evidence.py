"""moderation/evidence.py: files judged by their content, stored under a random name."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from moderation.evidence import clean_original_name, store_evidence, validate_upload
from moderation.models import ModerationCase
from moderation.tests.files import PDF_BYTES, image_bytes, upload
from moderation.tests.files.storage import private_media


@pytest.fixture
def media(tmp_path):
    with private_media(tmp_path / "private") as path:
        yield path


@pytest.fixture
def case(redaktor, library_account):
    return ModerationCase.objects.create(
        account=library_account, content_kind="comment", category="defamation", description="x", opened_by=redaktor
    )


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_images_accepted_by_content(fmt, content_type):
    assert validate_upload(upload("bild", image_bytes(fmt), "text/plain")) == content_type


def test_pdf_accepted():
    assert validate_upload(upload("anmalan.pdf", PDF_BYTES, "application/pdf")) == "application/pdf"


def test_pdf_without_end_refused():
    with pytest.raises(ValidationError):
        validate_upload(upload("trasig.pdf", PDF_BYTES.replace(b"%%EOF", b""), "application/pdf"))


def test_text_named_png_refused():
    with pytest.raises(ValidationError) as error:
        validate_upload(upload("skärmdump.png", "hej hej, det här är ingen bild\n".encode(), "image/png"))
    assert error.value.code == "invalid_type"
    assert "skärmdump.png" in error.value.messages[0]


def test_truncated_png_refused():
    with pytest.raises(ValidationError):
        validate_upload(upload("halv.png", image_bytes("PNG")[:-20], "image/png"))


def test_gif_refused():
    with pytest.raises(ValidationError):
        validate_upload(upload("bild.gif", image_bytes("GIF"), "image/gif"))


def test_jpeg_named_pdf_is_accepted_as_jpeg():
    # Decided: the content decides; a screenshot with the wrong extension is still evidence,
    # stored and served as what it is.
    assert validate_upload(upload("skärmdump.pdf", image_bytes("JPEG"), "application/pdf")) == "image/jpeg"


def test_empty_refused():
    with pytest.raises(ValidationError) as error:
        validate_upload(upload("tom.png", b"", "image/png"))
    assert error.value.code == "empty"


@override_settings(EVIDENCE_MAX_BYTES=100)
def test_oversized_refused_before_reading():
    class Unreadable:
        name = "stor.png"
        size = 101

        def read(self, *args):  # pragma: no cover - must not be called
            raise AssertionError("read")

        def seek(self, *args):
            pass

    with pytest.raises(ValidationError) as error:
        validate_upload(Unreadable())
    assert error.value.code == "too_large"


def test_original_name_cleaned():
    assert clean_original_name("../../etc/passwd.png") == "passwd.png"
    assert clean_original_name("C:\\Users\\x\\bild.png") == "bild.png"
    assert clean_original_name("a\x00b\nc\u202e.png") == "abc.png"
    assert clean_original_name("..") == "evidence"
    assert len(clean_original_name("x" * 400)) == 255


def test_store_evidence_random_name_inside_private_root(media, case, redaktor):
    content = image_bytes("PNG")
    evidence = store_evidence(redaktor, upload("../../etc/passwd.png", content, "text/html"), case=case)
    evidence.refresh_from_db()
    assert evidence.original_name == "passwd.png"
    assert evidence.content_type == "image/png"
    assert evidence.size == len(content)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.uploaded_by == redaktor and evidence.uploaded_at is not None
    assert "passwd" not in evidence.file.name and ".." not in evidence.file.name
    path = (media / evidence.file.name).resolve()
    assert path.is_relative_to(media.resolve()) and path.read_bytes() == content
    assert [p for p in media.rglob("*") if p.is_file()] == [path]


def test_store_evidence_jpeg_named_pdf_stored_as_jpeg(media, case, redaktor):
    evidence = store_evidence(redaktor, upload("skärmdump.pdf", image_bytes("JPEG"), "application/pdf"), case=case)
    assert evidence.content_type == "image/jpeg" and evidence.original_name == "skärmdump.pdf"


def test_store_evidence_refuses_bad_file_and_writes_nothing(media, case, redaktor):
    with pytest.raises(ValidationError):
        store_evidence(redaktor, upload("skärmdump.png", b"text", "image/png"), case=case)
    assert not case.evidence.exists()
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]
