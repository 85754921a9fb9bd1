"""Evidence files (R22 screenshots, R23 consent forms): checked by their content and kept under a
random name in the private evidence storage.

What a file is comes from its bytes alone: neither its name nor the content type the browser sent
is trusted. A JPEG named `skärmdump.pdf` is accepted as the JPEG it is and stored as image/jpeg
(the screenshot is still good evidence; its name is only kept as `original_name`). Text named
`.png` is refused.

Permission is the caller's job: the services in moderation/services.py check it. There is no path
that changes or deletes a stored piece of evidence.
"""

import contextlib
import hashlib
import posixpath
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from .models import Evidence

PNG, JPEG, WEBP, PDF = "image/png", "image/jpeg", "image/webp", "application/pdf"
# Pillow's format name → the content type stored and served.
IMAGE_TYPES = {"PNG": PNG, "JPEG": JPEG, "WEBP": WEBP}
ACCEPTED_TYPES = (PNG, JPEG, WEBP, PDF)
ACCEPT_ATTRIBUTE = ",".join(ACCEPTED_TYPES)  # the <input type="file" accept="…"> of the forms
# The end of a PDF: "%%EOF" may be followed by a line end or some trailing bytes.
PDF_TAIL_BYTES = 1024
MAX_ORIGINAL_NAME = 255


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


def _image_type(uploaded_file) -> str | None:
    """The content type of a PNG, JPEG or WebP image that Pillow opens and verifies, else None."""
    try:
        uploaded_file.seek(0)
        with Image.open(uploaded_file) as image:
            content_type = IMAGE_TYPES.get(image.format)
            if content_type is None:
                return None
            image.verify()
    except Exception:  # noqa: BLE001 — Pillow raises many kinds for broken or hostile files
        return None
    return content_type


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
        content_type = PDF if _is_pdf(uploaded_file, size) else _image_type(uploaded_file)
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


def store_evidence(actor, uploaded_file, *, case=None, legal_basis=None) -> Evidence:
    """Validate the file and keep it as evidence of `case` or `legal_basis` (exactly one)."""
    content_type = validate_upload(uploaded_file)
    evidence = Evidence(
        case=case,
        legal_basis=legal_basis,
        original_name=clean_original_name(getattr(uploaded_file, "name", "") or ""),
        content_type=content_type,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    return store_private_file(evidence, uploaded_file)


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
