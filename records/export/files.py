"""The files of the export: which records of which kind go into each (FILES).
(records/export/__init__.py tells the whole.)"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import (
    AccountDecision,
    Mandate,
    SocialAccount,
    Training,
)
from activity.models import WeeklyActivity
from capture.models import CapturedItem, CapturedMedia, ItemVersion
from moderation.models import (
    Evidence,
    EvidenceAttestation,
    Inquiry,
    LegalBasisRecord,
    ModerationCase,
)
from records.audit import account_log_entries
from records.models import RecordKind, RecordsExport
from review.models import ReviewFlag, SelfCheck

from .fields import (
    ACCOUNT_FIELDS,
    AUDIT_EVENT_FIELDS,
    AUDITED_MODELS,
    CAPTURED_ITEM_FIELDS,
    DECISION_FIELDS,
    FLAG_FIELDS,
    INQUIRY_FIELDS,
    LEGAL_BASIS_FIELDS,
    MANDATE_FIELDS,
    MODERATION_CASE_FIELDS,
    SCHEMA_NAME,
    SCHEMA_VERSION,
    SELF_CHECK_FIELDS,
    TRAINING_FIELDS,
    WEEKLY_ACTIVITY_FIELDS,
    Field,
)

logger = logging.getLogger(__name__)


# The files --------------------------------------------------------------------------------------


def _in_period(queryset, export, field, moment=True):
    """The records whose date falls in the export's period, both ends inclusive; an end left empty
    is open. A moment (`moment=True`) counts by its date in Swedish time: from midnight at the
    start of the first day to midnight at the end of the last, a range the field's index serves."""

    def bound(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)) if moment else day

    if export.period_from:
        queryset = queryset.filter(**{f"{field}__gte": bound(export.period_from)})
    if export.period_until:
        if moment:
            queryset = queryset.filter(**{f"{field}__lt": bound(export.period_until + datetime.timedelta(days=1))})
        else:
            queryset = queryset.filter(**{f"{field}__lte": export.period_until})
    return queryset


def _of_account(queryset, export, path="account"):
    return queryset.filter(**{path: export.account_id}) if export.account_id else queryset


def _evidence_prefetch():
    attestations = EvidenceAttestation.objects.select_related("attested_by").order_by("pk")
    return Prefetch(
        "evidence",
        queryset=Evidence.objects.select_related("uploaded_by")
        .prefetch_related(Prefetch("attestations", queryset=attestations))
        .order_by("pk"),
    )


def accounts_of(export):
    # The registry entries are not limited by the period: they say which accounts the records
    # belong to. Every account for an export of every account.
    queryset = SocialAccount.objects.filter(pk=export.account_id) if export.account_id else SocialAccount.objects
    return (
        queryset.select_related("unit", "requested_by")
        .prefetch_related("proposed_editors", "login_holders")
        .order_by("pk")
    )


def decisions_of(export):
    queryset = _of_account(AccountDecision.objects, export)
    return _in_period(queryset, export, "decided_at").select_related("account", "actor").order_by("pk")


def mandates_of(export):
    queryset = _in_period(_of_account(Mandate.objects, export), export, "granted_at")
    return queryset.select_related("account", "user", "granted_by", "on_behalf_of", "revoked_by").order_by("pk")


def trainings_of(export):
    # One account: the trainings for it (start-up, R14). Every account: every training, the
    # general ones (no account) too.
    queryset = _in_period(_of_account(Training.objects, export), export, "date", moment=False)
    return queryset.select_related("account", "trainee", "trainer", "recorded_by").order_by("pk")


def weekly_activity_of(export):
    queryset = _in_period(_of_account(WeeklyActivity.objects, export), export, "week", moment=False)
    return queryset.select_related("account", "logged_by").order_by("pk")


def flags_of(export):
    queryset = _in_period(_of_account(ReviewFlag.objects, export), export, "raised_at")
    return queryset.select_related("account", "decided_by").order_by("pk")


def self_checks_of(export):
    queryset = _in_period(_of_account(SelfCheck.objects, export), export, "answered_at")
    return queryset.select_related("account", "answered_by").order_by("pk")


def moderation_cases_of(export):
    queryset = _in_period(_of_account(ModerationCase.objects, export), export, "opened_at")
    return queryset.select_related("account", "opened_by").prefetch_related(_evidence_prefetch()).order_by("pk")


def inquiries_of(export):
    queryset = _in_period(_of_account(Inquiry.objects, export), export, "received_at")
    return queryset.select_related("account", "answered_by", "logged_by").order_by("pk")


def legal_basis_of(export):
    queryset = _in_period(_of_account(LegalBasisRecord.objects, export), export, "published_at")
    return queryset.select_related("account", "recorded_by").prefetch_related(_evidence_prefetch()).order_by("pk")


def captured_items_of(export):
    """R3: what the platforms showed of the exported accounts, placed in the period by its
    publication (by its first capture when the platform gives no time), with its earlier versions
    and media."""
    queryset = _of_account(CapturedItem.objects, export).annotate(dated=Coalesce("published_at", "captured_at"))
    return (
        _in_period(queryset, export, "dated")
        .select_related("account")
        .prefetch_related(
            Prefetch("versions", queryset=ItemVersion.objects.order_by("captured_at", "pk")),
            Prefetch("media", queryset=CapturedMedia.objects.order_by("pk")),
        )
        .order_by("pk")
    )


def audit_events_of(export):
    """The audit events about the exported records, recorded up to the moment the export was
    requested (so that a rerun writes the same file), without the export's own."""
    if export.account_id:
        queryset = account_log_entries(export.account)
    else:
        content_types = ContentType.objects.get_for_models(*AUDITED_MODELS).values()
        queryset = LogEntry.objects.filter(content_type__in=content_types)
    queryset = queryset.filter(timestamp__lte=export.requested_at).exclude(
        content_type=ContentType.objects.get_for_model(RecordsExport), object_pk=str(export.pk)
    )
    return _in_period(queryset, export, "timestamp").select_related("actor", "content_type").order_by("pk")


def evidence_of(export):
    """The evidence of the exported cases and legal-basis records, whose files go into the ZIP."""
    return Evidence.objects.filter(
        Q(case__in=moderation_cases_of(export).values("pk")) | Q(legal_basis__in=legal_basis_of(export).values("pk"))
    ).order_by("pk")


@dataclass(frozen=True)
class RecordFile:
    """One JSON file of the export: `name`.json, with its schema at schemas/`name`.schema.json."""

    name: str
    title: Any  # lazy, translated when written
    description: str
    fields: tuple[Field, ...]
    records: Callable[[RecordsExport], Any]

    @property
    def path(self) -> str:
        return f"{self.name}.json"

    @property
    def schema_id(self) -> str:
        return f"{SCHEMA_NAME}/{self.name}/{SCHEMA_VERSION}"


def _kind(kind: RecordKind, description, fields, records) -> RecordFile:
    return RecordFile(kind.value, kind.label, description, fields, records)


FILES = (
    RecordFile("accounts", gettext_lazy("Accounts"), "The registry entries of the exported accounts (R16).",
               ACCOUNT_FIELDS, accounts_of),
    _kind(RecordKind.DECISIONS, "Decisions on the accounts: request, manager, comms, activation, closing "
          "(R11, R13, R15).", DECISION_FIELDS, decisions_of),
    _kind(RecordKind.MANDATES, "Editors' mandates from their managers (R10).", MANDATE_FIELDS, mandates_of),
    _kind(RecordKind.TRAININGS, "Trainings given by comms (R14).", TRAINING_FIELDS, trainings_of),
    _kind(RecordKind.WEEKLY_ACTIVITY, "Posts per ISO week (R19).", WEEKLY_ACTIVITY_FIELDS, weekly_activity_of),
    _kind(RecordKind.FLAGS, "The scheduled checks' findings for comms to review.", FLAG_FIELDS, flags_of),
    _kind(RecordKind.SELF_CHECKS, "The yearly self-checks (R4, R5, R7, R8, R9).", SELF_CHECK_FIELDS, self_checks_of),
    _kind(RecordKind.MODERATION_CASES, "Content removed from the accounts, with its evidence (R21, R22).",
          MODERATION_CASE_FIELDS, moderation_cases_of),
    _kind(RecordKind.INQUIRIES, "Questions received and answered (R20).", INQUIRY_FIELDS, inquiries_of),
    _kind(RecordKind.LEGAL_BASIS, "The legal basis of posts with personal data, with its documents (R23).",
          LEGAL_BASIS_FIELDS, legal_basis_of),
    _kind(RecordKind.CAPTURED_ITEMS, "What the platforms showed: the accounts' posts, the comments, replies and "
          "messages on them, with every earlier version, as captured (R3). Each item's SHA-256 is also in "
          "manifest.json.", CAPTURED_ITEM_FIELDS, captured_items_of),
    _kind(RecordKind.AUDIT_EVENTS, "The audit trail: every recorded change of the records above, who made it "
          "and when (R3).", AUDIT_EVENT_FIELDS, audit_events_of),
)  # fmt: skip
assert [f.name for f in FILES[1:]] == list(RecordKind.values), "one file per kind of record"
