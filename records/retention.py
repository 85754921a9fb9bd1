"""R25: records are kept until a retention rule allows their disposal, and disposal is itself recorded.

Comms sets one RetentionRule per kind of record (in the admin, with the reference in the document
management plan). No rule, or a rule without a time, means the records are kept (bevaras).

The monthly check (`propose_disposals`, scheduled in migration 0011) finds the records of each
kind whose retention has run out and proposes one Disposal per kind; nothing is deleted then.
Only when comms confirms (`confirm_disposal`) are the records deleted, with their evidence files
and the audit trail's copies of them, and the Disposal stays as the record of what was disposed
of, under which rule, when, by whom, and after which export.

How long is "N months": a record dated D is kept through the day D + N calendar months
(dateutil's relativedelta, so 31 August + 6 months is the last day of February) and is due from the
day after. The check turns that into one date per kind, the cutoff: every record dated before the
cutoff is due, every record dated on or after it is not (`cutoff_for`).
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import AccountDecision, AccountStatus, Mandate, Training, User
from accounts.notifications import notify
from activity.models import WeeklyActivity
from capture.models import CapturedItem, CapturedMedia, ItemVersion
from falkoping_some.lib.days import start_of
from falkoping_some.lib.errors import DomainError
from moderation.models import (
    Evidence,
    EvidenceAttestation,
    Inquiry,
    LegalBasisRecord,
    ModerationCase,
    PlatformRemoval,
)
from records.guard import disposal_allowed
from records.models import Disposal, DisposalStatus, ExportStatus, RecordKind, RecordsExport, RetentionRule
from review.models import FlagStatus, ReviewFlag, SelfCheck

logger = logging.getLogger(__name__)

# Keys of Disposal.counts besides the kinds of record: what went with the records.
EVIDENCE_FILES = "evidence_files"
ITEM_VERSIONS = "item_versions"
MEDIA_FILES = "media_files"
AUDIT_EVENTS = RecordKind.AUDIT_EVENTS.value
COUNT_LABELS = {
    **dict(RecordKind.choices),
    EVIDENCE_FILES: gettext_lazy("Evidence files"),
    ITEM_VERSIONS: gettext_lazy("Earlier versions of captured items"),
    MEDIA_FILES: gettext_lazy("Captured images and thumbnails"),
}


# The date that counts ------------------------------------------------------------------------


def local_day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment is not None else None


def latest(*days: datetime.date | None) -> datetime.date | None:
    present = [day for day in days if day is not None]
    return max(present) if present else None


@dataclass(frozen=True)
class RecordDate:
    """How one kind of record is dated for retention (R25).

    `due(cutoff)` is the condition, in the database, of the records of this kind that are due when
    everything dated before `cutoff` may go; a record that is never due (still open, still in
    force) never matches. `date_of(record)` is the same date in Python, shown on the disposal page
    (it reads what `annotate` adds). The two must agree: tests check them at the edges."""

    model: type[models.Model]
    counted_from: str  # what the date is, as comms reads it on the pages
    due: Callable[[datetime.date], Q]
    date_of: Callable[[models.Model], datetime.date | None]
    describe: Callable[[models.Model], str]
    related: tuple[str, ...] = ("account",)
    annotate: Callable[[models.QuerySet], models.QuerySet] = field(default=lambda queryset: queryset)


# The accounts whose case has ended: closed, or their request rejected.
ENDED_ACCOUNT_STATUSES = (AccountStatus.CLOSED, AccountStatus.REJECTED)


def _decisions_due(cutoff):
    # An account's decisions (request, manager, comms, activation, closing) are one case (ärende).
    # A registrar disposes of a case as a whole, counted from when it ended: so the decisions of
    # an account are due together, counted from its last decision (the closing or the rejection),
    # and those of an account still requested, approved or active are never due.
    ended = (
        AccountDecision.objects.filter(account__status__in=ENDED_ACCOUNT_STATUSES)
        .values("account")
        .annotate(last=Max("decided_at"))
        .filter(last__lt=start_of(cutoff))
        .values("account")
    )
    return Q(account__in=ended)


def _with_case_end(queryset):
    last = AccountDecision.objects.filter(account=OuterRef("account")).order_by("-decided_at").values("decided_at")
    return queryset.annotate(case_ended_at=Subquery(last[:1]))


def _in_force(model, order: tuple[str, ...], **only) -> models.QuerySet:
    """The latest record of `model` of each account that is not closed or rejected: the one a
    scheduled check still counts from, and so never due."""
    latest = model._default_manager.filter(account=OuterRef("account"), **only).order_by(*order).values("pk")[:1]
    return (
        model._default_manager.exclude(account__status__in=ENDED_ACCOUNT_STATUSES)
        .filter(pk=Subquery(latest))
        .values("pk")
    )


def _trainings_in_force() -> models.QuerySet:
    """R14: the latest training of each person whose mandate has not ended (in force, awaiting its
    start, not revoked): their mandates take effect because of it, so it is never due."""
    latest = Training.objects.filter(trainee=OuterRef("trainee")).order_by("-date", "-pk").values("pk")[:1]
    live = Mandate.objects.filter(user=OuterRef("trainee"), revoked_at__isnull=True).exclude(
        valid_until__lt=timezone.localdate()
    )
    return Training.objects.filter(Exists(live), pk=Subquery(latest)).values("pk")


def _mandate_end(mandate) -> datetime.date | None:
    ends = [day for day in (local_day(mandate.revoked_at), mandate.valid_until) if day is not None]
    return min(ends, default=None)


def _describe_mandate(mandate) -> str:
    return _("Editor %(who)s from %(start)s") % {"who": mandate.user, "start": mandate.valid_from}


def _case_date(case) -> datetime.date | None:
    return latest(
        local_day(case.opened_at),
        local_day(case.removed_at),
        case.police_reported_on,
        local_day(getattr(case, "last_evidence_at", None)),
    )


def _legal_basis_date(record) -> datetime.date | None:
    return latest(
        local_day(record.published_at),
        local_day(record.recorded_at),
        local_day(getattr(record, "last_evidence_at", None)),
    )


def _with_last_evidence(queryset):
    return queryset.annotate(last_evidence_at=Max("evidence__uploaded_at"))


def _describe_self_check(check) -> str:
    answered_no = check.answers_no
    if answered_no:
        return _("Answered by %(who)s; no on %(rules)s") % {"who": check.answered_by, "rules": ", ".join(answered_no)}
    return _("Answered by %(who)s; yes on every question") % {"who": check.answered_by}


# Captured items (R3) are disposed of by thread: a post with every comment and reply on it, or a
# conversation of messages, goes together (a registrar keeps a thread whole, and its rows point at
# each other), counted from the thread's latest date: the latest publication, captured change or
# absence first seen of any of its items. An item whose thread is not captured is a thread of its own.
def _captured_latest():
    return Greatest(Coalesce("published_at", "changed_at"), "changed_at", Coalesce("missing_since", "changed_at"))


def _captured_roots():
    return CapturedItem.objects.annotate(root=Coalesce("thread_id", "pk"))


def _captured_items_due(cutoff):
    """A thread is due when all of it is past the cutoff, and none of it is the question or the
    answer of a question record (R20, moderation.Inquiry) still kept: the question keeps what it
    was found in until it is disposed of itself (its own retention, from the answer)."""
    start = start_of(cutoff)
    kept = _captured_roots().filter(
        Q(published_at__gte=start)
        | Q(changed_at__gte=start)
        | Q(missing_since__gte=start)
        | Q(inquiry__isnull=False)
        | Q(answered_inquiries__isnull=False)
    )
    kept = kept.values("root")
    return ~Q(pk__in=kept) & ~Q(thread_id__in=kept)


def _with_thread_date(queryset):
    latest = (
        _captured_roots()
        .filter(root=Coalesce(OuterRef("thread_id"), OuterRef("pk")))
        .annotate(latest=_captured_latest())
        .order_by("-latest")
        .values("latest")[:1]
    )
    return queryset.annotate(thread_latest_at=Subquery(latest))


def _describe_captured(item) -> str:
    # Shown to comms only (the disposal pages): the text is theirs to read (R3).
    return f"{item.get_kind_display()} {item.platform_id}: {Truncator(item.text).chars(80)}"


RECORD_DATES: dict[str, RecordDate] = {
    # Decisions: an account's decisions are one case, due together from its last decision once
    # the account is closed or its request rejected (see _decisions_due); never while it lives.
    RecordKind.DECISIONS: RecordDate(
        model=AccountDecision,
        counted_from=gettext_lazy("the account's last decision, once it is closed or rejected"),
        due=_decisions_due,
        date_of=lambda decision: (
            local_day(getattr(decision, "case_ended_at", None))
            if decision.account.status in ENDED_ACCOUNT_STATUSES
            else None
        ),
        describe=lambda decision: f"{decision.get_step_display()}: {decision.get_outcome_display()} ({decision.actor})",
        related=("account", "actor"),
        annotate=_with_case_end,
    ),
    # Mandates: the day the mandate ended, whichever came first of its revocation and its last
    # valid day (valid_until). A mandate in force, or open-ended and not revoked, is never due.
    RecordKind.MANDATES: RecordDate(
        model=Mandate,
        counted_from=gettext_lazy("the day the mandate ended (revoked or its last valid day)"),
        due=lambda cutoff: Q(revoked_at__lt=start_of(cutoff)) | Q(valid_until__lt=cutoff),
        date_of=_mandate_end,
        describe=_describe_mandate,
        related=("account", "user"),
    ),
    # Trainings: the day of the training. The latest training of someone holding a mandate that
    # has not ended is never due: the mandate is in force because of it (R14).
    RecordKind.TRAININGS: RecordDate(
        model=Training,
        counted_from=gettext_lazy("the day of the training (an editor's latest training is kept)"),
        due=lambda cutoff: Q(date__lt=cutoff) & ~Q(pk__in=_trainings_in_force()),
        date_of=lambda training: training.date,
        describe=lambda training: f"{training.get_kind_display()}: {training.trainee}",
        related=("account", "trainee"),
    ),
    # Weekly activity: the last day (Sunday) of the ISO week: the record of a week is complete when
    # the week is over, and a week is never split across a cutoff. (Stored as its Monday; the R6
    # check also counts a week as a post on its Sunday.) The latest week with posts of an account
    # that is not closed is never due: R6 counts the account's inactivity from it.
    RecordKind.WEEKLY_ACTIVITY: RecordDate(
        model=WeeklyActivity,
        counted_from=gettext_lazy("the last day of the week (an open account's latest week with posts is kept)"),
        due=lambda cutoff: (
            Q(week__lt=cutoff - datetime.timedelta(days=6))
            & ~Q(pk__in=_in_force(WeeklyActivity, ("-week", "-pk"), posts__gt=0))
        ),
        date_of=lambda activity: activity.week + datetime.timedelta(days=6),
        describe=lambda activity: (
            ngettext("%(week)s: %(posts)s post", "%(week)s: %(posts)s posts", activity.posts)
            % {"week": activity.iso_week, "posts": activity.posts}
        ),
    ),
    # Review flags: the day the flag was closed (resolved or dismissed). An open or acknowledged
    # flag is still being dealt with: never due.
    RecordKind.FLAGS: RecordDate(
        model=ReviewFlag,
        counted_from=gettext_lazy("the day the flag was resolved or dismissed"),
        due=lambda cutoff: Q(status__in=[FlagStatus.RESOLVED, FlagStatus.DISMISSED], closed_at__lt=start_of(cutoff)),
        date_of=lambda flag: local_day(flag.closed_at),
        describe=lambda flag: f"{flag.get_kind_display()} ({flag.get_status_display()})",
    ),
    # Yearly self-checks: the day it was answered. The latest self-check of an account that is not
    # closed is never due: the yearly check counts the next one from it (R4, R5, R7, R8, R9).
    RecordKind.SELF_CHECKS: RecordDate(
        model=SelfCheck,
        counted_from=gettext_lazy("the day it was answered (an open account's latest self-check is kept)"),
        due=lambda cutoff: (
            Q(answered_at__lt=start_of(cutoff)) & ~Q(pk__in=_in_force(SelfCheck, ("-answered_at", "-pk")))
        ),
        date_of=lambda check: local_day(check.answered_at),
        describe=_describe_self_check,
        related=("account", "answered_by"),
    ),
    # Moderation cases: the latest of the case's dates (opened, content removed, reported to the
    # police, evidence added), since the case is one file. A case is complete only when the content
    # is removed and, if criminal, reported (R22): until then it is never due.
    RecordKind.MODERATION_CASES: RecordDate(
        model=ModerationCase,
        counted_from=gettext_lazy("the case's latest date (opened, removed, reported, evidence added)"),
        due=lambda cutoff: (
            Q(opened_at__lt=start_of(cutoff), removed_at__lt=start_of(cutoff))
            & (Q(is_criminal=False) | Q(police_reported_on__lt=cutoff))
            & ~Q(evidence__uploaded_at__gte=start_of(cutoff))
        ),
        date_of=lambda case: (
            _case_date(case)
            if case.removed_at is not None and (not case.is_criminal or case.police_reported_on is not None)
            else None
        ),
        describe=lambda case: f"{case.get_category_display()}: {Truncator(case.description).chars(80)}",
        annotate=_with_last_evidence,
    ),
    # Questions (R20): the day it was answered. An unanswered question is still open: never due.
    RecordKind.INQUIRIES: RecordDate(
        model=Inquiry,
        counted_from=gettext_lazy("the day the question was answered"),
        due=lambda cutoff: Q(answered_at__lt=start_of(cutoff)),
        date_of=lambda inquiry: local_day(inquiry.answered_at),
        describe=lambda inquiry: Truncator(inquiry.summary).chars(80),
    ),
    # Legal-basis records (R23): the latest of the post's publication, the record's own date (a
    # basis recorded late counts from when it was recorded) and its evidence (a consent form).
    RecordKind.LEGAL_BASIS: RecordDate(
        model=LegalBasisRecord,
        counted_from=gettext_lazy("the post's publication, or when the basis was recorded if later"),
        due=lambda cutoff: (
            Q(published_at__lt=start_of(cutoff), recorded_at__lt=start_of(cutoff))
            & ~Q(evidence__uploaded_at__gte=start_of(cutoff))
        ),
        date_of=_legal_basis_date,
        describe=lambda record: f"{record.get_basis_display()}: {Truncator(record.post).chars(80)}",
        annotate=_with_last_evidence,
    ),
    # Captured items (R3): by thread, from the thread's latest date (see _captured_items_due); their
    # earlier versions and media files go with them.
    RecordKind.CAPTURED_ITEMS: RecordDate(
        model=CapturedItem,
        counted_from=gettext_lazy(
            "the latest date of its thread (a post with its comments, a conversation): published, changed or gone"
        ),
        due=_captured_items_due,
        date_of=lambda item: local_day(getattr(item, "thread_latest_at", None)),
        describe=_describe_captured,
        annotate=_with_thread_date,
    ),
}


# The months ----------------------------------------------------------------------------------


def kept_until(record_date: datetime.date, months: int) -> datetime.date:
    """The last day a record dated `record_date` is kept under a rule of `months` months."""
    return record_date + relativedelta(months=months)


def is_due(record_date: datetime.date, months: int, today: datetime.date) -> bool:
    """R25: due for disposal once the day it is kept until has passed."""
    return kept_until(record_date, months) < today


def cutoff_for(today: datetime.date, months: int) -> datetime.date:
    """The earliest date whose records are not yet due on `today`: everything dated before it is.

    Adding months is monotonic but not one-to-one at month ends (29, 30 and 31 August + 6 months
    are all the last day of February), so the cutoff is found from today − N months and then
    moved to the exact edge that `is_due` draws."""
    cutoff = today - relativedelta(months=months)
    while is_due(cutoff, months, today):
        cutoff += datetime.timedelta(days=1)
    while not is_due(cutoff - datetime.timedelta(days=1), months, today):
        cutoff -= datetime.timedelta(days=1)
    return cutoff


def due_records(kind: str, cutoff: datetime.date) -> models.QuerySet:
    """The records of `kind` dated before `cutoff`, with what the disposal page shows of them."""
    spec = RECORD_DATES[kind]
    queryset = spec.model._default_manager.filter(
        pk__in=spec.model._default_manager.filter(spec.due(cutoff)).values("pk")
    )
    return spec.annotate(queryset.select_related(*spec.related)).order_by("pk")


@dataclass
class DueRecord:
    """One row of the disposal page's list."""

    record: models.Model
    date: datetime.date | None
    account: object
    description: str


def describe_records(kind: str, records) -> list[DueRecord]:
    spec = RECORD_DATES[kind]
    return [
        DueRecord(
            record=record,
            date=spec.date_of(record),
            account=getattr(record, "account", None),
            description=spec.describe(record),
        )
        for record in records
    ]


def effective_cutoff(disposal: Disposal, today: datetime.date | None = None) -> datetime.date | None:
    """What a confirmation today may dispose of: records dated before both the proposal's cutoff
    (nothing newer than comms saw) and the rule's cutoff today (nothing the rule, perhaps made
    longer since, still keeps). None when the rule now keeps the records."""
    rule = disposal.rule
    if rule.retain_months is None:
        return None
    return min(disposal.cutoff, cutoff_for(today or timezone.localdate(), rule.retain_months))


# The monthly check ---------------------------------------------------------------------------


def comms_members():
    return User.objects.filter(groups__name=settings.COMMS_GROUP_NAME, is_active=True)


def propose_disposals(today: datetime.date | None = None) -> list[Disposal]:
    """R25, monthly: for each kind whose rule has a time, propose the disposal of the records past
    their retention, for comms to confirm. One open proposal per kind: a later run refreshes it
    (cutoff, count, the rule's reference and time) instead of adding one, and withdraws it when
    nothing is due any more (the rule was made longer or set to keep). Comms is told by email
    when there is something new to confirm. Returns the proposals open after the run."""
    today = today or timezone.localdate()
    open_proposals = []
    new_to_confirm = []
    with transaction.atomic():
        rules = {rule.kind: rule for rule in RetentionRule.objects.select_for_update().order_by("kind")}
        proposals = {
            proposal.kind: proposal
            for proposal in Disposal.objects.select_for_update().filter(status=DisposalStatus.PROPOSED)
        }
        for kind in RECORD_DATES:
            rule = rules.get(kind)
            proposal = proposals.get(kind)
            count = 0
            if rule is not None and rule.retain_months is not None:
                cutoff = cutoff_for(today, rule.retain_months)
                count = due_records(kind, cutoff).count()
            if count == 0:
                if proposal is not None:
                    proposal.status = DisposalStatus.WITHDRAWN
                    proposal.save(update_fields=["status"])
                continue
            if proposal is None:
                proposal = Disposal(kind=kind)
            fresh = (rule.pk, rule.plan_reference, rule.retain_months, cutoff, count)
            stored = (proposal.rule_id, proposal.plan_reference, proposal.retain_months, proposal.cutoff)
            if proposal.pk is None or fresh != (*stored, proposal.proposed_count):
                if proposal.pk is None or count > proposal.proposed_count:
                    new_to_confirm.append(proposal)  # something new to confirm: comms is told
                proposal.rule = rule
                proposal.plan_reference = rule.plan_reference
                proposal.retain_months = rule.retain_months
                proposal.cutoff = cutoff
                proposal.proposed_count = count
                proposal.proposed_at = timezone.now()
                proposal.save()
            open_proposals.append(proposal)
        if new_to_confirm:
            notify(
                comms_members(),
                "disposal_proposed",
                {"disposals": open_proposals, "new": new_to_confirm, "url": reverse("records:disposal_list")},
            )
    return open_proposals


# The confirmation ----------------------------------------------------------------------------


def confirm_disposal(user, disposal: Disposal, export: RecordsExport | None = None, note: str = "") -> Disposal:
    """R25: comms confirms a proposed disposal, and the records of its kind dated before the cutoff
    are deleted, with their evidence (rows now, files once the deletion is committed: a rollback
    keeps every file) and the audit trail's entries about them (copies of the same data). The
    Disposal stays as the record of it: the rule applied, the counts, who, when, the export.

    The cutoff applied is the earlier of the proposal's and the rule's today, so nothing newer
    than what comms saw is touched, and nothing the rule (perhaps made longer since) still keeps."""
    if not user.has_perm("records.dispose"):
        raise PermissionDenied
    today = timezone.localdate()
    with transaction.atomic():
        # The rule first, then the disposal: the monthly check locks them in the same order.
        rule_id = Disposal.objects.filter(pk=disposal.pk).values_list("rule_id", flat=True).get()
        rule = RetentionRule.objects.select_for_update().get(pk=rule_id)
        locked = Disposal.objects.select_for_update().get(pk=disposal.pk)
        if locked.status != DisposalStatus.PROPOSED:
            raise DomainError(
                _("This disposal is no longer awaiting confirmation: it is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        if rule.retain_months is None:
            raise DomainError(
                _(
                    "The retention rule for %(kind)s now says the records are kept (bevaras): nothing can be "
                    "disposed of. The next monthly check withdraws the proposal."
                )
                % {"kind": rule.get_kind_display().lower()}
            )
        if export is not None:
            export = RecordsExport.objects.filter(pk=export.pk, status=ExportStatus.DONE).first()
            if export is None:
                raise DomainError(_("Only a finished export can be named as the export before the disposal."))
        cutoff = min(locked.cutoff, cutoff_for(today, rule.retain_months))
        with disposal_allowed(), disable_auditlog():
            counts, files = _delete_records(locked.kind, cutoff)
        if not counts[locked.kind]:
            raise DomainError(_("Nothing is due for disposal any more: nothing was disposed of."))
        locked.rule = rule
        locked.plan_reference = rule.plan_reference
        locked.retain_months = rule.retain_months
        locked.cutoff = cutoff
        locked.counts = counts
        locked.status = DisposalStatus.DONE
        locked.confirmed_by = user
        locked.confirmed_at = timezone.now()
        locked.export = export
        locked.note = (note or "").strip()
        locked.save()
        transaction.on_commit(lambda: _remove_files(files))
    return locked


def _log_entries(model, pks) -> models.QuerySet:
    content_type = ContentType.objects.get_for_model(model)
    return LogEntry.objects.filter(content_type=content_type, object_pk__in=[str(pk) for pk in pks])


CHUNK = 1000


def _chunks(items, size=CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _delete_records(kind: str, cutoff: datetime.date) -> tuple[dict[str, int], list[tuple]]:
    """Delete the due records of `kind`, their evidence and their audit entries. Called inside
    disposal_allowed() and with the audit trail off (so that no "deleted" entry copies them
    again). Returns the counts and the (storage, name) of the files to remove after commit."""
    spec = RECORD_DATES[kind]
    model = spec.model
    # Locked, so that nothing changes a record between the count and its deletion.
    pks = list(model._default_manager.select_for_update().filter(spec.due(cutoff)).values_list("pk", flat=True))
    counts = {kind: 0, EVIDENCE_FILES: 0, AUDIT_EVENTS: 0}
    files = []
    for chunk in _chunks(pks):
        if kind == RecordKind.MODERATION_CASES:
            evidence = Evidence.objects.filter(case__in=chunk)
        elif kind == RecordKind.LEGAL_BASIS:
            evidence = Evidence.objects.filter(legal_basis__in=chunk)
        else:
            evidence = Evidence.objects.none()
        evidence_rows = list(evidence.only("pk", "file"))
        if evidence_rows:
            files += [(row.file.storage, row.file.name) for row in evidence_rows if row.file.name]
            evidence_pks = [row.pk for row in evidence_rows]
            counts[AUDIT_EVENTS] += _log_entries(Evidence, evidence_pks).delete()[0]
            # R22: the colleagues' attestations of the evidence go with it (a cascade), and their entries.
            attestation_pks = list(
                EvidenceAttestation.objects.filter(evidence__in=evidence_pks).values_list("pk", flat=True)
            )
            counts[AUDIT_EVENTS] += _log_entries(EvidenceAttestation, attestation_pks).delete()[0]
            deleted = Evidence.objects.filter(pk__in=evidence_pks).delete()[1]
            counts[EVIDENCE_FILES] += deleted.get(Evidence._meta.label, 0)
        if kind == RecordKind.CAPTURED_ITEMS:
            files += _delete_captured_parts(chunk, counts)
        counts[AUDIT_EVENTS] += _log_entries(model, chunk).delete()[0]
        counts[kind] += model._default_manager.filter(pk__in=chunk).delete()[1].get(model._meta.label, 0)
    for key in (EVIDENCE_FILES, ITEM_VERSIONS, MEDIA_FILES):
        if not counts.get(key):
            counts.pop(key, None)
    return counts, files


def _delete_captured_parts(pks, counts) -> list[tuple]:
    """What goes with captured items: their earlier versions and media (rows now, files after the
    commit), the editors' explanations of their removal, and the links to them as rows (thread,
    parent), which PROTECT would refuse. An item kept
    that answers a disposed one keeps the platform's ids of its thread and parent (the row link goes)."""
    CapturedItem.objects.filter(Q(thread__in=pks) | Q(parent__in=pks)).update(thread=None, parent=None)
    # R21: the editors' explanations of why an item is gone go with it (a cascade), and their entries;
    # a case opened about one keeps its captured copy and loses only the link (SET_NULL).
    removal_pks = list(PlatformRemoval.objects.filter(item__in=pks).values_list("pk", flat=True))
    counts[AUDIT_EVENTS] = counts.get(AUDIT_EVENTS, 0) + _log_entries(PlatformRemoval, removal_pks).delete()[0]
    counts[ITEM_VERSIONS] = counts.get(ITEM_VERSIONS, 0) + ItemVersion.objects.filter(item__in=pks).delete()[0]
    media = list(CapturedMedia.objects.filter(item__in=pks).only("pk", "file"))
    files = [(row.file.storage, row.file.name) for row in media if row.file.name]
    counts[MEDIA_FILES] = counts.get(MEDIA_FILES, 0) + CapturedMedia.objects.filter(item__in=pks).delete()[0]
    return files


def _remove_files(files):
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            # The record is gone and the disposal recorded; a file left behind is found by its
            # name in the logs and removed by hand.
            logger.exception("Disposal: could not remove the evidence file %s", name)


def counts_display(disposal: Disposal) -> list[tuple[str, int]]:
    """The disposal's counts as comms reads them: the kind first, then what went with it."""
    order = [disposal.kind, EVIDENCE_FILES, ITEM_VERSIONS, MEDIA_FILES, AUDIT_EVENTS]
    rows = [(str(COUNT_LABELS.get(key, key)), disposal.counts[key]) for key in order if key in disposal.counts]
    rows += [(str(COUNT_LABELS.get(k, k)), v) for k, v in disposal.counts.items() if k not in order]
    return rows
