"""Private files: kept under PRIVATE_MEDIA_ROOT, which no URL serves, under a random name, with
their SHA-256 and who uploaded them when; handed out only by permission-checked views through
`private_file_response`. Evidence (R22 screenshots, R23 consent forms) and the council's minutes
attachments are such files; records exports are kept in the same storage.

What an uploaded file is comes from its bytes alone: neither its name nor the content type the
browser sent is trusted. A JPEG named `skärmdump.pdf` is accepted as the JPEG it is and stored as
image/jpeg (its name is only kept as `original_name`). Text named `.png` is refused.

Evidence is opened by colleagues and handed to the police (R22), so a file that acts when it is
opened is refused too: a PDF with JavaScript, launch actions, automatic actions or embedded files
(see _pdf_active_content for exactly what is looked at), and an image with more pixels than any
screenshot has (MAX_IMAGE_PIXELS: a decompression bomb for whoever opens it).

Permission is the caller's job. There is no path that changes or deletes a stored file of a
recorded row.
"""

import contextlib
import hashlib
import posixpath
import re
import unicodedata
import uuid
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image


class PrivateStorage(FileSystemStorage):
    """Files that no URL serves (evidence, council attachments, records exports): asking for one's
    URL is a programming error, not a fall-back to MEDIA_URL. Only permission-checked views read
    them, through `open()`."""

    def url(self, name):
        raise ValueError(f"{name} is a private file: serve it through its permission-checked view.")


class _PrivateMediaStorage(LazyObject):
    """PrivateStorage at PRIVATE_MEDIA_ROOT, read when first used (so that tests can move it)."""

    def _setup(self):
        self._wrapped = PrivateStorage(location=settings.PRIVATE_MEDIA_ROOT)


evidence_storage = _PrivateMediaStorage()


def private_storage():
    """The storage of evidence and council attachments, given to FileField as a callable so that
    migrations name this function instead of baking in one machine's PRIVATE_MEDIA_ROOT."""
    return evidence_storage


def evidence_path(instance, filename):
    # A random name: nothing of what the uploader called the file reaches the file system.
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class PrivateFile(models.Model):
    """A file kept in the private storage under a random name, with its SHA-256 and who uploaded
    it when: evidence (R22, R23) and the council's minutes attachments. Written only by
    store_private_file, never changed afterwards. Abstract: each app has its own table."""

    file = models.FileField(gettext_lazy("file"), storage=private_storage, upload_to=evidence_path, max_length=200)
    original_name = models.CharField(gettext_lazy("original file name"), max_length=255)
    content_type = models.CharField(gettext_lazy("content type"), max_length=50)
    size = models.PositiveIntegerField(gettext_lazy("size (bytes)"))
    sha256 = models.CharField(gettext_lazy("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(gettext_lazy("uploaded"), default=timezone.now)

    class Meta:
        abstract = True


def private_file_response(stream, *, content_type, filename, as_attachment=False):
    """A private file for the browser: never cached (staff share computers), never sniffed into
    another type than the one its bytes were judged to be."""
    response = FileResponse(stream, content_type=content_type, as_attachment=as_attachment, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


PNG, JPEG, WEBP, PDF = "image/png", "image/jpeg", "image/webp", "application/pdf"
# Pillow's format name → the content type stored and served.
IMAGE_TYPES = {"PNG": PNG, "JPEG": JPEG, "WEBP": WEBP}
ACCEPTED_TYPES = (PNG, JPEG, WEBP, PDF)
ACCEPT_ATTRIBUTE = ",".join(ACCEPTED_TYPES)  # the <input type="file" accept="…"> of the forms
# The end of a PDF: "%%EOF" may be followed by a line end or some trailing bytes.
PDF_TAIL_BYTES = 1024
MAX_ORIGINAL_NAME = 255
# R22: an image's pixels, read from its header (Pillow's Image.open decodes nothing). A screenshot of
# a whole screen, even a long scrolled one, stays under it (3840 × 10,000 is 38 megapixels); more is
# a mistake, or a decompression bomb for the colleague or police officer who opens the file.
MAX_IMAGE_PIXELS = 40_000_000


def _size_of(uploaded_file) -> int:
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, 2)
        size = uploaded_file.tell()
    return size


def _is_pdf(uploaded_file, size) -> bool:
    uploaded_file.seek(0)
    if uploaded_file.read(5) != b"%PDF-":
        return False
    uploaded_file.seek(max(0, size - PDF_TAIL_BYTES))
    return b"%%EOF" in uploaded_file.read(PDF_TAIL_BYTES)


def _image_type(uploaded_file, name) -> str | None:
    """The content type of a PNG, JPEG or WebP image that Pillow opens and verifies, else None;
    ValidationError for an image over MAX_IMAGE_PIXELS (its size is read from the header, before
    verify() and without decoding it)."""
    try:
        uploaded_file.seek(0)
        with Image.open(uploaded_file) as image:
            content_type = IMAGE_TYPES.get(image.format)
            if content_type is None:
                return None
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels(name, width, height)
            image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own limit (about 89 megapixels to warn, twice that to refuse) fires in open(),
        # before the size is known here; the warning is an exception when warnings are errors.
        raise _too_many_pixels(name) from None
    except Exception:  # noqa: BLE001 — Pillow raises many kinds for broken or hostile files
        return None
    return content_type


def _too_many_pixels(name, width=None, height=None) -> ValidationError:
    limits = {"name": name, "max": MAX_IMAGE_PIXELS // 1_000_000}
    if width is None:
        message = _(
            "“%(name)s” is an image with far too many pixels. An image may have at most %(max)s megapixels "
            "(such as 8000 × 5000 pixels): take a smaller screenshot, or several."
        )
    else:
        message = _(
            "“%(name)s” is too large an image: %(width)s × %(height)s pixels. An image may have at most "
            "%(max)s megapixels (such as 8000 × 5000 pixels): take a smaller screenshot, or several."
        )
        limits.update(width=width, height=height)
    return ValidationError(message % limits, code="too_many_pixels")


# PDFs that act when they are opened (R22) -----------------------------------------------------------
#
# What is looked at: every name (/Name) in the file's bytes, stream data included, with #xx escapes
# decoded as a reader decodes them (/J#61vaScript is /JavaScript), and every object stream (PDF 1.5
# /ObjStm, where most writers put the catalog and the actions, compressed), inflated and read the
# same way. Reading the stream data as well is deliberate: a reader finds objects by the offsets of
# the cross-reference table, which may point into a stream. The names refused:
#   JavaScript, JS     a script (an /OpenAction, a link, a form field or the document's name tree)
#   Launch             starts a program or opens a file
#   AA                 additional actions: run when a page, field or the document is opened, closed…
#   EmbeddedFile(s)    files carried inside, and GoToE, which opens one
#   GoToR, ImportData, SubmitForm   open another file, read data into the form, send it away
#   RichMedia, XFA     Flash or 3D content, and XML forms (whose scripts are not PDF names at all)
# An /OpenAction alone (open at page 2, say) is fine; one that runs a script names JavaScript.
# The short names (JS, AA, XFA) count only as a key followed by a value, since three or four bytes
# turn up by chance in compressed data. Not covered: a PDF encrypted with a password (its object
# streams cannot be read: refused as unreadable), and exploits of a reader's bugs in fonts or images,
# which no check of names finds; screenshots as PNG or JPEG are the safer evidence.
PDF_ACTIVE_NAMES = frozenset(
    {
        b"JavaScript", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"GoToE", b"GoToR",
        b"ImportData", b"SubmitForm", b"RichMedia",
    }
)  # fmt: skip
PDF_ACTIVE_KEYS = frozenset({b"JS", b"AA", b"XFA"})
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_PDF_VALUE = re.compile(rb"[\x00\t\n\x0c\r ]*(?:[(<\[]|\d+[\x00\t\n\x0c\r ]+\d+[\x00\t\n\x0c\r ]+R)")
_PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")
# An object stream begins with pairs of numbers (object number, offset), in plain text. Anything
# else after inflating (another filter, a PNG predictor, encryption) is data this check cannot read.
_OBJECT_STREAM_HEADER = re.compile(rb"[\t\n\x0c\r ]*\d+[\t\n\x0c\r ]+\d+[\t\n\x0c\r ]")
# Object streams hold objects only, a few times the file's size when inflated; this bounds the work.
PDF_MAX_INFLATED = 64 * 1024 * 1024


class _UnreadablePdf(Exception):
    pass


def _pdf_names(data: bytes):
    """(name, position) of every name in `data`, escapes decoded; the short keys of
    PDF_ACTIVE_KEYS only where a value follows."""
    for match in _PDF_NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = _PDF_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        if name in PDF_ACTIVE_KEYS and not _PDF_VALUE.match(data, match.end()):
            continue
        yield name, match.start()


def _inflated_object_streams(data: bytes, positions):
    """The contents of the object streams whose dictionaries name /ObjStm at `positions`."""
    budget = PDF_MAX_INFLATED
    for position in positions:
        start = _PDF_STREAM.search(data, position)
        if start is None:
            raise _UnreadablePdf
        end = data.find(b"endstream", start.end())
        raw = data[start.end() : end if end >= 0 else len(data)]
        if _OBJECT_STREAM_HEADER.match(raw):
            continue  # not compressed: its bytes were read with the rest of the file
        inflater = zlib.decompressobj()
        try:
            content = inflater.decompress(raw, budget + 1)
        except zlib.error:
            raise _UnreadablePdf from None
        budget -= len(content)
        if budget < 0 or not _OBJECT_STREAM_HEADER.match(content):
            raise _UnreadablePdf
        yield content


def _pdf_active_content(data: bytes) -> list[str]:
    """The active names found in a PDF (see above), sorted; _UnreadablePdf if an object stream
    cannot be read."""
    found, object_streams = set(), []
    for name, position in _pdf_names(data):
        if name in PDF_ACTIVE_NAMES or name in PDF_ACTIVE_KEYS:
            found.add(name)
        elif name == b"ObjStm":
            object_streams.append(position)
    for content in _inflated_object_streams(data, object_streams):
        found.update(
            name for name, _position in _pdf_names(content) if name in PDF_ACTIVE_NAMES or name in PDF_ACTIVE_KEYS
        )
    return sorted("/" + name.decode("latin-1") for name in found)


def _check_pdf(uploaded_file, name) -> None:
    uploaded_file.seek(0)
    try:
        found = _pdf_active_content(uploaded_file.read())
    except _UnreadablePdf:
        raise ValidationError(
            _(
                "“%(name)s” is a PDF whose content cannot be checked (it is encrypted, or compressed in a way "
                "the portal does not read). Save it as a new PDF (print it to PDF) or upload a screenshot instead."
            )
            % {"name": name},
            code="pdf_unreadable",
        ) from None
    if found:
        raise ValidationError(
            _(
                "“%(name)s” is a PDF with content that acts when it is opened (%(found)s). Evidence may not "
                "carry JavaScript, launch actions, automatic actions or embedded files: save it as a new PDF "
                "(print it to PDF) or upload a screenshot instead."
            )
            % {"name": name, "found": ", ".join(found)},
            code="pdf_active_content",
        )


def validate_upload(uploaded_file) -> str:
    """The content type of an acceptable evidence file (PNG, JPEG, WebP or PDF, judged by its
    content), or ValidationError with a message for the user."""
    size = _size_of(uploaded_file)
    name = clean_original_name(getattr(uploaded_file, "name", "") or "")
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    if size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is too large (%(size)s). A file may be at most %(max)s.")
            % {"name": name, "size": filesizeformat(size), "max": filesizeformat(settings.EVIDENCE_MAX_BYTES)},
            code="too_large",
        )
    try:
        if _is_pdf(uploaded_file, size):
            content_type = PDF
            _check_pdf(uploaded_file, name)
        else:
            content_type = _image_type(uploaded_file, name)
    finally:
        uploaded_file.seek(0)
    if content_type is None:
        raise ValidationError(
            _("“%(name)s” is not a PNG, JPEG or WebP image or a PDF document, or it is damaged.") % {"name": name},
            code="invalid_type",
        )
    return content_type


def clean_original_name(name: str) -> str:
    """The uploader's file name as a plain label: the last path part, no control characters,
    at most 255 characters."""
    name = posixpath.basename(str(name).replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp")).strip()
    if name in ("", ".", ".."):
        name = "evidence"
    return name[:MAX_ORIGINAL_NAME]


class _HashingFile(File):
    """Hands the upload to the storage in chunks, computing its SHA-256 and size on the way.
    (A plain File, so the storage copies the bytes rather than moving a temporary upload file.)"""

    def __init__(self, uploaded_file):
        super().__init__(uploaded_file, name=getattr(uploaded_file, "name", None))
        self.hash = hashlib.sha256()
        self.bytes_read = 0

    def chunks(self, chunk_size=None):
        self.file.seek(0)
        for chunk in super().chunks(chunk_size):
            self.hash.update(chunk)
            self.bytes_read += len(chunk)
            if self.bytes_read > settings.EVIDENCE_MAX_BYTES:
                raise ValidationError(_("The file is too large."), code="too_large")
            yield chunk


def store_private_file(record, uploaded_file):
    """Write an already validated upload to the private storage of `record` (a model with the
    fields file, original_name, size and sha256, such as Evidence or a council minutes
    attachment), fill in its size and SHA-256, and save the record. If anything fails, the file
    written so far is removed and the error goes on."""
    content = _HashingFile(uploaded_file)
    # upload_to (models.evidence_path) gives the random name; the original one is not used.
    name = record.file.field.generate_filename(record, record.original_name)
    try:
        record.file.name = record.file.storage.save(name, content, max_length=record.file.field.max_length)
        record.size = content.bytes_read
        record.sha256 = content.hash.hexdigest()
        record.save()
    except BaseException:
        record.file.name = record.file.name or name  # also a partly written file
        discard_files([record])
        raise
    return record


def discard_files(evidence_list) -> None:
    """Remove the stored files of evidence whose recording failed (never of recorded evidence)."""
    for evidence in evidence_list:
        name = evidence.file.name
        if name:
            with contextlib.suppress(OSError):
                evidence.file.storage.delete(name)
