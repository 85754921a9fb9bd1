"""Evidence files (R22 screenshots, R23 consent forms): checked by their content
(falkoping_some.lib.private_files) and kept under a random name in the private storage.

Permission is the caller's job: the services in moderation/services check it. There is no path
that changes or deletes a stored piece of evidence.
"""

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
