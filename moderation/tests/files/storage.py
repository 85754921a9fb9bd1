"""Evidence storage in a temporary folder for a test."""

import contextlib

from django.test import override_settings
from django.utils.functional import empty

from moderation.models import evidence_storage


@contextlib.contextmanager
def private_media(path):
    with override_settings(PRIVATE_MEDIA_ROOT=path):
        evidence_storage._wrapped = empty
        try:
            yield path
        finally:
            evidence_storage._wrapped = empty
