"""Removed content (R21) and criminal material (R22): open a case, keep its evidence, mark it
removed and report it to the police.

R22's order for criminal material: document it with screenshots first, then delete it (as soon as
possible), then report it to the police. The portal keeps that order: a criminal case cannot be
marked removed before it has evidence, nor reported before it is removed.

Permission is refused with PermissionDenied (the view answers 403), a refused state with
DomainError (the view shows its message), a bad file with ValidationError. Every change is saved
with save(), so the audit trail (auditlog) records who did what (R3). Nothing here changes or
deletes a piece of evidence.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import AccountStatus, SocialAccount
from accounts.services import DomainError

from .evidence import discard_files, store_evidence, validate_upload
from .models import Evidence, ModerationCase

CASE_FIELDS = ("content_kind", "category", "description", "published_at", "is_criminal")


def validate_files(files) -> None:
    """Every file of a batch checked before any is stored: one ValidationError naming all bad ones."""
    errors = []
    for uploaded_file in files:
        try:
            validate_upload(uploaded_file)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)


def open_case(actor, account, data, files=()) -> ModerationCase:
    """R21: record content removed (or about to be) from one of the account's channels; with
    `files`, its screenshots in the same step (all stored, or the case is not opened)."""
    if not actor.has_perm("moderation.open_case", account):
        raise PermissionDenied
    files = list(files)
    validate_files(files)
    published_at = data.get("published_at")
    if published_at is not None and published_at > timezone.now():
        raise DomainError(_("The content cannot have been published in the future."))
    with transaction.atomic():
        account = SocialAccount.objects.select_for_update().get(pk=account.pk)
        if account.status != AccountStatus.ACTIVE:
            raise DomainError(
                _("Cases can only be opened for an active account; this one is “%(status)s”.")
                % {"status": account.get_status_display()}
            )
        case = ModerationCase(account=account, opened_by=actor, opened_at=timezone.now())
        for field in CASE_FIELDS:
            if field in data:
                setattr(case, field, data[field])
        case.description = (case.description or "").strip()
        if not case.description:
            raise DomainError(_("Describe what was removed and why."))
        case.save()
        if files:
            add_evidence(actor, case, files)
    return case


def add_evidence(actor, case, files) -> list[Evidence]:
    """R22: keep screenshots (or other documents) as the case's evidence. Every file is checked
    first; if one is refused, none is stored."""
    if not actor.has_perm("moderation.change_record", case):
        raise PermissionDenied
    files = list(files)
    if not files:
        raise DomainError(_("Choose at least one file."))
    validate_files(files)
    stored = []
    try:
        with transaction.atomic():
            for uploaded_file in files:
                stored.append(store_evidence(actor, uploaded_file, case=case))
    except BaseException:
        # The rows are rolled back; the files the batch wrote go too.
        discard_files(stored)
        raise
    return stored


def mark_removed(actor, case, removed_at=None) -> ModerationCase:
    """R21/R22: the content is deleted from the channel. Criminal content is documented first."""
    if not actor.has_perm("moderation.change_record", case):
        raise PermissionDenied
    now = timezone.now()
    removed_at = removed_at or now
    if removed_at > now:
        raise DomainError(_("The removal cannot be in the future."))
    with transaction.atomic():
        case = ModerationCase.objects.select_for_update().get(pk=case.pk)
        if case.removed_at is not None:
            raise DomainError(
                _("The content was already marked as removed on %(when)s.")
                % {"when": formats.date_format(timezone.localtime(case.removed_at), "SHORT_DATETIME_FORMAT")}
            )
        if case.is_criminal and not case.evidence.exists():
            raise DomainError(
                _(
                    "Criminal material is documented with screenshots before it is removed (R22): "
                    "add a screenshot first."
                )
            )
        if case.published_at is not None and removed_at < case.published_at:
            raise DomainError(_("The content cannot have been removed before it was published."))
        case.removed_at = removed_at
        case.save(update_fields=["removed_at"])
    return case


def report_to_police(actor, case, reported_on, reference) -> ModerationCase:
    """R22: criminal material, once removed, is reported to the police; the reference is kept."""
    if not actor.has_perm("moderation.change_record", case):
        raise PermissionDenied
    reference = (reference or "").strip()
    with transaction.atomic():
        case = ModerationCase.objects.select_for_update().get(pk=case.pk)
        if not case.is_criminal:
            raise DomainError(_("Only a case marked as criminal is reported to the police."))
        if case.police_reported_on is not None:
            raise DomainError(
                _("The case was already reported to the police on %(date)s (reference %(reference)s).")
                % {
                    "date": formats.date_format(case.police_reported_on, "SHORT_DATE_FORMAT"),
                    "reference": case.police_reference,
                }
            )
        if case.removed_at is None:
            raise DomainError(_("Remove the content and mark it as removed before reporting it to the police (R22)."))
        if not reference:
            raise DomainError(_("Give the police's reference number for the report."))
        if reported_on > timezone.localdate():
            raise DomainError(_("The report cannot be dated in the future."))
        if reported_on < timezone.localdate(case.removed_at):
            raise DomainError(_("The report cannot be dated before the content was removed."))
        case.police_reported_on = reported_on
        case.police_reference = reference
        case.save(update_fields=["police_reported_on", "police_reference"])
    return case
