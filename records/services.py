"""Requesting a records export (R3), the page's side: recorded at once, built by the worker."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from falkoping_some.lib.queueing import enqueue_on_commit

from .models import RecordsExport
from .tasks import build_records_export


def request_export(actor, *, account=None, period_from=None, period_until=None, public_copy=False):
    """Comms asks for an export (R3): recorded at once, built by the worker once the request is
    committed. Raises PermissionDenied for anyone else."""
    if not actor.has_perm("records.export"):
        raise PermissionDenied
    with transaction.atomic():
        export = RecordsExport.objects.create(
            account=account,
            period_from=period_from,
            period_until=period_until,
            public_copy=public_copy,
            requested_by=actor,
        )
        enqueue_on_commit(build_records_export, export.pk)
    return export
