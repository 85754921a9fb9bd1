"""moderation/evidence.py: files judged by their content, stored under a random name."""

import base64
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from falkoping_some.lib.private_files import MAX_IMAGE_PIXELS, clean_original_name, validate_upload
from moderation.evidence import store_evidence
from moderation.models import ModerationCase
from moderation.tests.files import (
    CATALOG,
    PAGE,
    PAGES,
    PDF_BYTES,
    image_bytes,
    jpeg_claiming,
    object_stream,
    pdf,
    png_claiming,
    stream,
    upload,
)
from moderation.tests.files.storage import private_media


@pytest.fixture
def media(tmp_path):
    with private_media(tmp_path / "private") as path:
        yield path


@pytest.fixture
def case(redaktor, library_account):
    return ModerationCase.objects.create(
        account=library_account, content_kind="comment", category="spam", description="x", opened_by=redaktor
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


# Active content in PDFs: evidence is opened by colleagues and the police ------------------------

JS_ACTION = b"<</S/JavaScript/JS(app.alert(1))>>"
ACTIVE_PDFS = {
    "JavaScript on opening": pdf(b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>", PAGES, PAGE, JS_ACTION),
    "JavaScript in the name tree": pdf(
        b"<</Type/Catalog/Pages 2 0 R/Names<</JavaScript<</Names[(a) 4 0 R]>>>>>>", PAGES, PAGE, JS_ACTION
    ),
    "a page's additional actions": pdf(
        CATALOG, PAGES, b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]/AA<</O 4 0 R>>>>", b"<</S/GoTo/D[3 0 R]>>"
    ),
    "a launch action": pdf(b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/Launch/F(cmd.exe)>>>>", PAGES, PAGE),
    "an embedded file": pdf(
        b"<</Type/Catalog/Pages 2 0 R/Names<</EmbeddedFiles<</Names[(x.exe) 4 0 R]>>>>>>",
        PAGES,
        PAGE,
        b"<</Type/Filespec/F(x.exe)/EF<</F 5 0 R>>>>",
        stream(b"/Type/EmbeddedFile", b"MZ"),
    ),
    # The same names written with #xx escapes, which every PDF reader decodes.
    "escaped names": pdf(
        b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/J#61va#53cript/J#53(app.alert(1))>>>>", PAGES, PAGE
    ),
    # Hidden in a compressed object stream: no byte of it shows in the file.
    "JavaScript in an object stream": pdf(
        b"<</Type/Catalog/Pages 2 0 R/OpenAction 10 0 R>>", PAGES, PAGE, object_stream(JS_ACTION)
    ),
}


@pytest.mark.parametrize("content", list(ACTIVE_PDFS.values()), ids=list(ACTIVE_PDFS))
def test_pdf_with_active_content_refused(content):
    with pytest.raises(ValidationError) as error:
        validate_upload(upload("anmälan.pdf", content, "application/pdf"))
    assert error.value.code == "pdf_active_content"
    assert "anmälan.pdf" in error.value.messages[0] and "JavaScript" in error.value.messages[0]


def test_pdf_with_an_object_stream_it_cannot_read_refused():
    # An object stream under a filter the check does not decode could hide anything.
    hidden = stream(b"/Type/ObjStm/N 1/First 5/Filter/ASCII85Decode", base64.a85encode(b"10 0 " + JS_ACTION) + b"~>")
    content = pdf(CATALOG, PAGES, PAGE, hidden)
    with pytest.raises(ValidationError) as error:
        validate_upload(upload("anmälan.pdf", content, "application/pdf"))
    assert error.value.code == "pdf_unreadable"


@pytest.mark.parametrize(
    "content",
    [
        pdf(
            CATALOG,
            PAGES,
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]/Annots[<</Subtype/Link/A"
            b"<</S/URI/URI(https://polisen.se/)>>>>]>>",
        ),  # a web link is not active content
        pdf(CATALOG, PAGES, PAGE, object_stream(b"<</Title(Polisanm\\344lan)/Producer(Skia)>>")),
        # Names that only start like the refused ones; the short ones only as a key with a value.
        pdf(CATALOG, PAGES, PAGE, b"<</JSON 1/AAB 2/Launcher(x)/Subject(about /JS and /AA)>>"),
    ],
    ids=["web link", "harmless object stream", "look-alikes"],
)
def test_plain_pdf_accepted(content):
    assert validate_upload(upload("anmälan.pdf", content, "application/pdf")) == "application/pdf"


# Images with more pixels than a screenshot has ----------------------------------------------------


@pytest.mark.parametrize("claiming", [png_claiming, jpeg_claiming], ids=["PNG", "JPEG"])
def test_image_over_the_pixel_limit_refused_with_a_clear_message(claiming):
    assert MAX_IMAGE_PIXELS == 40_000_000
    with pytest.raises(ValidationError) as error:
        validate_upload(upload("lång skärmdump.png", claiming(8000, 5001), "image/png"))
    assert error.value.code == "too_many_pixels"
    message = error.value.messages[0]
    assert "lång skärmdump.png" in message and "8000 × 5001" in message and "40" in message


def test_image_at_the_pixel_limit_accepted():
    assert validate_upload(upload("skärmdump.png", png_claiming(8000, 5000), "image/png")) == "image/png"


def test_a_decompression_bomb_gets_the_pixel_message():
    # Ten billion pixels: Pillow itself refuses to open it; the uploader still learns why.
    with pytest.raises(ValidationError) as error:
        validate_upload(upload("bomb.png", png_claiming(100_000, 100_000), "image/png"))
    assert error.value.code == "too_many_pixels"
