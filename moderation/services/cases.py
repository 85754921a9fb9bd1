"""Removed content (R21) and criminal material (R22): open a case, keep its evidence, mark it
removed and report it to the police.

R22's order for criminal material: document it with screenshots first, then delete it (as soon as
possible), then report it to the police. The portal keeps that order: a criminal case cannot be
marked removed before it has evidence, nor reported before it is removed, and no case is recorded
as removed before its first screenshot was taken (Evidence.taken_at, given by the uploader beside
the upload time). The categories that describe crimes are criminal unless the editor says why not;
a colleague attests that a screenshot is unaltered (the police ask that someone can testify to it).

Permission is refused with PermissionDenied (the view answers 403), a refused state with
DomainError (the view shows its message), a bad file with ValidationError. Every change is saved
with save(), so the audit trail (auditlog) records who did what (R3). Nothing here changes or
deletes a piece of evidence.
"""

import hashlib
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import SocialAccount
from falkoping_some.lib.errors import DomainError
from falkoping_some.lib.private_files import discard_files, validate_upload
from moderation.evidence import store_evidence
from moderation.models import CRIMINAL_CATEGORIES, Evidence, EvidenceAttestation, ModerationCase

logger = logging.getLogger(__name__)

CASE_FIELDS = ("content_kind", "category", "description", "published_at", "is_criminal")


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def removed_before_documented(removed_at, taken_at) -> bool:
    """R22: documented with screenshots first, then removed. The forms give minutes, so a removal
    in the minute the screenshot was taken is not before it."""
    return removed_at < taken_at.replace(second=0, microsecond=0)


def _documented_at(case):
    """When the case's earliest screenshot was taken (for evidence from before the portal asked,
    its upload: it was taken by then at the latest); None without evidence."""
    return case.evidence.aggregate(first=Min(Coalesce("taken_at", "uploaded_at")))["first"]


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


def open_case(actor, account, data, files=(), taken_at=None) -> ModerationCase:
    """R21: record content removed (or about to be) from one of the account's channels; with
    `files`, its screenshots in the same step, taken at `taken_at` (default: now; all stored, or
    the case is not opened). R22: a category that describes a crime makes the case criminal unless
    `data["not_criminal_reason"]` says why this content is not."""
    if not actor.has_perm("moderation.open_case", account):
        raise PermissionDenied
    files = list(files)
    validate_files(files)
    published_at = data.get("published_at")
    if published_at is not None and published_at > timezone.now():
        raise DomainError(_("The content cannot have been published in the future."))
    reason = (data.get("not_criminal_reason") or "").strip()
    if reason and data.get("is_criminal"):
        raise DomainError(_("Either mark the material as criminal or say why it is not criminal, not both."))
    with transaction.atomic():
        account = SocialAccount.objects.lock_active(
            account, _("Cases can only be opened for an active account; this one is “%(status)s”.")
        )
        case = ModerationCase(account=account, opened_by=actor, opened_at=timezone.now())
        for field in CASE_FIELDS:
            if field in data:
                setattr(case, field, data[field])
        case.description = (case.description or "").strip()
        if not case.description:
            raise DomainError(_("Describe what was removed and why."))
        # R22: a crime category is criminal by default; a reason unmarks it.
        if case.category in CRIMINAL_CATEGORIES:
            case.is_criminal = case.is_criminal or not reason
        elif reason:
            raise DomainError(_("Only a category that describes a crime needs a reason: leave it empty."))
        case.not_criminal_reason = reason
        case.save()
        if files:
            add_evidence(actor, case, files, taken_at=taken_at)
    return case


def add_evidence(actor, case, files, taken_at=None) -> list[Evidence]:
    """R22: keep screenshots (or other documents) as the case's evidence, taken at `taken_at`
    (default: now). Every file is checked first; if one is refused, none is stored. A removed
    case's first screenshot must be from before the removal."""
    if not actor.has_perm("moderation.change_record", case):
        raise PermissionDenied
    files = list(files)
    if not files:
        raise DomainError(_("Choose at least one file."))
    validate_files(files)
    now = timezone.now()
    taken_at = taken_at or now
    if taken_at > now:
        raise DomainError(_("A screenshot cannot have been taken in the future."))
    stored = []
    try:
        with transaction.atomic():
            # Locked: marking the case removed waits, and sees these screenshots.
            case = ModerationCase.objects.select_for_update().get(pk=case.pk)
            if case.published_at is not None and taken_at < case.published_at:
                raise DomainError(_("The screenshots cannot have been taken before the content was published."))
            documented_at = _documented_at(case)
            first = taken_at if documented_at is None else min(taken_at, documented_at)
            if case.removed_at is not None and removed_before_documented(case.removed_at, first):
                raise DomainError(
                    _(
                        "The content was removed %(removed)s, before these screenshots were taken. R22: "
                        "screenshots document the content first, then it is removed; give the time they "
                        "were taken."
                    )
                    % {"removed": _when(case.removed_at)}
                )
            for uploaded_file in files:
                stored.append(store_evidence(actor, uploaded_file, case=case, taken_at=taken_at))
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
        documented_at = _documented_at(case)
        if documented_at is not None and removed_before_documented(removed_at, documented_at):
            raise DomainError(
                _(
                    "The first screenshot was taken %(taken)s: the content cannot have been removed before "
                    "that (R22: screenshots first, then removal)."
                )
                % {"taken": _when(documented_at)}
            )
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


def unmark_criminal(actor, case, reason) -> ModerationCase:
    """R22: the material is not criminal after all, and the editor says why (the case shows it).
    Not once it is reported to the police: the report stands."""
    if not actor.has_perm("moderation.change_record", case):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the material is not criminal."))
    with transaction.atomic():
        case = ModerationCase.objects.select_for_update().get(pk=case.pk)
        if not case.is_criminal:
            raise DomainError(_("The case is not marked as criminal."))
        if case.police_reported_on is not None:
            raise DomainError(
                _("The case was reported to the police on %(date)s: it stays marked as criminal.")
                % {"date": formats.date_format(case.police_reported_on, "SHORT_DATE_FORMAT")}
            )
        case.is_criminal = False
        case.not_criminal_reason = reason
        case.save(update_fields=["is_criminal", "not_criminal_reason"])
    return case


def _stored_sha256(evidence) -> str:
    digest = hashlib.sha256()
    with evidence.file.open("rb") as stored:
        for chunk in stored.chunks():
            digest.update(chunk)
    return digest.hexdigest()


def attest_evidence(actor, evidence) -> EvidenceAttestation:
    """R22: a colleague who may see the case testifies that a screenshot is unaltered (the police
    ask that someone can). Recorded with who and when, once per person, never by the uploader; the
    file is read again first, and one that no longer matches the SHA-256 of its upload is not
    attested."""
    if not actor.has_perm("moderation.attest_evidence", evidence):
        raise PermissionDenied
    # Stated again for whoever passes every permission (a superuser).
    if evidence.case_id is None:
        raise DomainError(_("Only the screenshots of a moderation case are attested."))
    if evidence.uploaded_by_id == actor.pk:
        raise DomainError(_("You added this file yourself: a colleague attests it."))
    try:
        sha256 = _stored_sha256(evidence)
    except OSError:
        logger.exception("Evidence %s: the file %s cannot be read", evidence.pk, evidence.file.name)
        raise DomainError(
            _("The file cannot be read from the storage: it cannot be attested. Tell the communications department.")
        ) from None
    if sha256 != evidence.sha256:
        logger.error(
            "Evidence %s: the stored file's SHA-256 %s differs from the upload's %s",
            evidence.pk,
            sha256,
            evidence.sha256,
        )
        raise DomainError(
            _(
                "The stored file no longer matches the SHA-256 recorded when it was uploaded: it cannot be "
                "attested. Tell the communications department."
            )
        )
    with transaction.atomic():
        evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
        earlier = evidence.attestations.filter(attested_by=actor).first()
        if earlier is not None:
            raise DomainError(_("You attested this file on %(when)s.") % {"when": _when(earlier.attested_at)})
        return EvidenceAttestation.objects.create(
            evidence=evidence, attested_by=actor, attested_at=timezone.now(), sha256=sha256
        )
