"""The legal basis of posts with personal data (R23): the editor makes sure a post with personal
data has a lawful basis under the GDPR (article 6) and documents it at publication. Mostly
consent (the consent form, uploaded here or kept elsewhere); at larger events public interest.
Recording after publication is allowed and shown as late (LegalBasisRecord.recorded_late).

Records are public records (R3): they are only ever added to (more consent forms), never changed
or deleted here. auditlog keeps who recorded what.

Permission is refused with PermissionDenied (the view answers 403), a refused state with
DomainError (the view shows its message).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import SocialAccount
from falkoping_some.lib.errors import DomainError
from falkoping_some.lib.private_files import discard_files, validate_upload
from moderation.evidence import store_evidence
from moderation.models import LegalBasis, LegalBasisRecord


def _refused(error: ValidationError) -> DomainError:
    return DomainError(_("%(reason)s Nothing was saved.") % {"reason": " ".join(error.messages)})


def _validated(files) -> list:
    """Every file checked by its content before anything is stored: one bad file refuses them all."""
    files = [f for f in files if f]
    for uploaded in files:
        try:
            validate_upload(uploaded)
        except ValidationError as error:
            raise _refused(error) from error
    return files


def _store_all(actor, record, files) -> list:
    """Store the files as the record's evidence. Called inside the record's transaction: if one
    fails, the database rolls back, and the files already written are removed from the disk too
    (the transaction does not reach the file system)."""
    stored = []
    try:
        for uploaded in files:
            stored.append(store_evidence(actor, uploaded, legal_basis=record))
    except ValidationError as error:
        discard_files(stored)
        raise _refused(error) from error
    except BaseException:
        discard_files(stored)
        raise
    return stored


def record_legal_basis(
    actor, account, *, post, published_at, basis, documentation="", consent_files=()
) -> LegalBasisRecord:
    """R23: document the lawful basis of a post with personal data on `account`."""
    if not actor.has_perm("moderation.record_legal_basis", account):
        raise PermissionDenied
    post = (post or "").strip()
    documentation = (documentation or "").strip()
    if not post:
        raise DomainError(_("Say which post it is: a link to it, or a description."))
    if basis not in LegalBasis.values:
        raise DomainError(_("Choose the legal basis of the publication."))
    if published_at > timezone.now():
        raise DomainError(_("The publication time is in the future: record the legal basis when the post is out."))
    files = _validated(consent_files)
    if basis == LegalBasis.CONSENT:
        # R23: the consent is documented: the form itself, or where it is kept.
        if not files and not documentation:
            raise DomainError(_("Consent must be documented: upload the consent form, or say where it is kept."))
    elif not documentation:
        raise DomainError(_("Explain why this legal basis applies to the publication."))
    with transaction.atomic():
        # The lock makes recording wait for the account's closing (and the other way round).
        account = SocialAccount.objects.lock_active(
            account, _("Legal bases are recorded only for active accounts; this one is “%(status)s”.")
        )
        record = LegalBasisRecord.objects.create(
            account=account,
            post=post,
            published_at=published_at,
            basis=basis,
            documentation=documentation,
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        _store_all(actor, record, files)
    return record


def add_consent_evidence(actor, record, files) -> list:
    """R23: add consent forms to a record (e.g. one that was first documented by reference)."""
    if not actor.has_perm("moderation.change_record", record):
        raise PermissionDenied
    files = _validated(files)
    if not files:
        raise DomainError(_("Choose at least one file to upload."))
    with transaction.atomic():
        return _store_all(actor, record, files)


def legal_overview(accounts) -> list[dict]:
    """Comms' overview (R12, R23): per account its records (newest publication first) with their
    basis and whether recorded late, the late ones apart, and the counts. Two queries whatever the
    number of accounts: the accounts (if a queryset) and every record of them."""
    accounts = list(accounts)
    by_account = {account.pk: [] for account in accounts}
    records = (
        LegalBasisRecord.objects.filter(account__in=list(by_account))
        .select_related("recorded_by")
        .order_by("-published_at", "-pk")
    )
    for record in records:
        by_account[record.account_id].append(record)
    overview = []
    for account in accounts:
        account_records = by_account[account.pk]
        for record in account_records:
            record.account = account  # already loaded: no query per record for record.account
        late = [record for record in account_records if record.recorded_late]
        overview.append(
            {
                "account": account,
                "records": account_records,
                "late_records": late,
                "total": len(account_records),
                "late": len(late),
            }
        )
    return overview
