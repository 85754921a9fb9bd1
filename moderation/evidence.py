"""Evidence files (R22 screenshots, R23 consent forms): checked by their content
(falkoping_some.lib.private_files) and kept under a random name in the private storage.

Permission is the caller's job: the services in moderation/services check it. There is no path
that changes or deletes a stored piece of evidence.
"""

import json

from django.core.files.base import ContentFile
from django.utils import timezone

from falkoping_some.lib.private_files import clean_original_name, store_private_file, validate_upload

from .models import Evidence


def store_evidence(actor, uploaded_file, *, case=None, legal_basis=None, taken_at=None) -> Evidence:
    """Validate the file and keep it as evidence of `case` or `legal_basis` (exactly one). A case's
    screenshot records when it was taken (R22), by default its upload."""
    content_type = validate_upload(uploaded_file)
    uploaded_at = timezone.now()
    evidence = Evidence(
        case=case,
        legal_basis=legal_basis,
        original_name=clean_original_name(getattr(uploaded_file, "name", "") or ""),
        content_type=content_type,
        uploaded_by=actor,
        uploaded_at=uploaded_at,
        taken_at=(taken_at or uploaded_at) if case is not None else None,
    )
    return store_private_file(evidence, uploaded_file)


# The captured copy (R22) ------------------------------------------------------------------------

CAPTURED_COPY_TYPE = "application/json"
CAPTURED_COPY_FORMAT = "falkoping-some/captured-copy/1"


def _moment(value):
    return value.isoformat() if value is not None else None


def captured_copy(item) -> dict:
    """What the portal captured of an item before it was removed (R3, R22), as one document: its
    text, author, link and publication, the platform's raw answer with the SHA-256 the capture
    recorded of it, when it was captured and last seen, and every earlier version. Written by the
    portal from its own record, so it needs none of an upload's checks."""
    return {
        "format": CAPTURED_COPY_FORMAT,
        "account": item.account.name,
        "platform": item.platform,
        "platform_id": item.platform_id,
        "kind": item.kind,
        "thread_platform_id": item.thread_platform_id,
        "parent_platform_id": item.parent_platform_id,
        "text": item.text,
        "author_name": item.author_name,
        "author_id": item.author_id,
        "by_account": item.by_account,
        "permalink": item.permalink,
        "published_at": _moment(item.published_at),
        "hidden": item.hidden,
        "captured_at": _moment(item.captured_at),
        "changed_at": _moment(item.changed_at),
        "last_seen_at": _moment(item.last_seen_at),
        "missing_since": _moment(item.missing_since),
        "raw": item.raw,
        "raw_sha256": item.raw_sha256,
        "versions": [
            {
                "text": version.text,
                "raw": version.raw,
                "raw_sha256": version.raw_sha256,
                "captured_at": _moment(version.captured_at),
                "superseded_at": _moment(version.superseded_at),
            }
            for version in item.versions.order_by("captured_at", "pk")
        ],
        "media": [
            {"source_url": media.source_url, "sha256": media.sha256, "captured_at": _moment(media.captured_at)}
            for media in item.media.order_by("captured_at", "pk")
        ],
    }


def store_captured_copy(actor, item, case) -> Evidence:
    """Keep the item's captured copy as evidence of `case`, taken when the item was first captured
    (R22: documented before the removal), with its own SHA-256 as every piece of evidence has."""
    content = json.dumps(captured_copy(item), ensure_ascii=False, indent=2, sort_keys=True).encode()
    evidence = Evidence(
        case=case,
        original_name=clean_original_name(f"captured-{item.platform}-{item.platform_id}.json"),
        content_type=CAPTURED_COPY_TYPE,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
        taken_at=item.captured_at,
    )
    return store_private_file(evidence, ContentFile(content, name=evidence.original_name))
