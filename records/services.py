"""Requesting a records export (R3) and an account's final archive before it is closed (issue 19),
the page's side: recorded at once, run by the worker."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import AccountStatus, SocialAccount
from falkoping_some.lib.errors import DomainError
from falkoping_some.lib.queueing import enqueue_on_commit

from .models import UNFINISHED_FINAL_ARCHIVE, FinalArchive, RecordsExport
from .tasks import build_records_export, run_final_archive


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


def request_final_archive(actor, account) -> FinalArchive:
    """Issue 19 (R3, R15, R25): comms asks for the final archive of an account it is about to close:
    recorded at once, run by the worker once committed (records/final_archive.py). One at a time per
    account: a second request while one runs is refused (and the database's constraint backs that)."""
    if not (actor.has_perm("records.export") and actor.has_perm("account.close", account)):
        raise PermissionDenied
    with transaction.atomic():
        account = SocialAccount.objects.select_for_update().get(pk=account.pk)
        if account.status != AccountStatus.ACTIVE:
            raise DomainError(
                _("Only an active account gets a final archive; this one is “%(status)s”.")
                % {"status": account.get_status_display()}
            )
        running = FinalArchive.objects.filter(account=account, state__in=UNFINISHED_FINAL_ARCHIVE).first()
        if running is not None:
            raise DomainError(_("A final archive of this account is already running."))
        try:
            with transaction.atomic():
                archive = FinalArchive.objects.create(account=account, requested_by=actor)
        except IntegrityError as error:  # the constraint: someone started one at the same moment
            raise DomainError(_("A final archive of this account is already running.")) from error
        enqueue_on_commit(run_final_archive, archive.pk)
    return archive
