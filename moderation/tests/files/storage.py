"""The private storage (evidence, council attachments, records exports) in a temporary folder for
a test."""

import contextlib

from django.test import override_settings
from django.utils.functional import empty

from falkoping_some.lib.private_files import evidence_storage
from records.models import _records_storage

# Both lazy storages under PRIVATE_MEDIA_ROOT: reset, they read the overridden setting again.
PRIVATE_STORAGES = (evidence_storage, _records_storage)


@contextlib.contextmanager
def private_media(path):
    with override_settings(PRIVATE_MEDIA_ROOT=path):
        for storage in PRIVATE_STORAGES:
            storage._wrapped = empty
        try:
            yield path
        finally:
            for storage in PRIVATE_STORAGES:
                storage._wrapped = empty
