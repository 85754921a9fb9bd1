"""The audit trail (django-auditlog) as public records see it: the words for its actions, and the
entries of one account and its records. Read by the account's audit page (views/audit.py) and the
records export (export/), so that both show the same entries in the same words."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy

from accounts.models import AccountDecision, Mandate, SocialAccount, Training
from activity.models import WeeklyActivity
from capture.models import Connection
from moderation.models import (
    Evidence,
    EvidenceAttestation,
    Inquiry,
    LegalBasisRecord,
    ModerationCase,
    PlatformRemoval,
)
from review.models import ReviewFlag, SelfCheck

from .models import FinalArchive, RecordsExport

ACTIONS = {
    LogEntry.Action.CREATE: gettext_lazy("Created"),
    LogEntry.Action.UPDATE: gettext_lazy("Changed"),
    LogEntry.Action.DELETE: gettext_lazy("Deleted"),
    LogEntry.Action.ACCESS: gettext_lazy("Viewed"),
}


def account_log_entries(account: SocialAccount):
    """The log entries of the account itself and of its records: mandates, trainings, decisions, weekly
    activity, flags, moderation, self-checks, platform connections, the records exports that took them out,
    and the final archives."""
    records = {
        SocialAccount: [account.pk],
        Mandate: account.mandates.values_list("pk", flat=True),
        Training: account.trainings.values_list("pk", flat=True),
        AccountDecision: account.decisions.values_list("pk", flat=True),
        WeeklyActivity: account.weekly_activity.values_list("pk", flat=True),
        ReviewFlag: account.flags.values_list("pk", flat=True),
        # Moderation (R3: every case, question and legal-basis record is a public record).
        ModerationCase: account.moderation_cases.values_list("pk", flat=True),
        Inquiry: account.inquiries.values_list("pk", flat=True),
        LegalBasisRecord: account.legal_basis_records.values_list("pk", flat=True),
        Evidence: Evidence.objects.filter(Q(case__account=account) | Q(legal_basis__account=account)).values_list(
            "pk", flat=True
        ),
        # R22: who attested a screenshot, and when.
        EvidenceAttestation: EvidenceAttestation.objects.filter(evidence__case__account=account).values_list(
            "pk", flat=True
        ),
        # R21: who explained why an item is gone from the platform, and when.
        PlatformRemoval: PlatformRemoval.objects.filter(item__account=account).values_list("pk", flat=True),
        SelfCheck: account.self_checks.values_list("pk", flat=True),
        # R3: who connected the account to its platform, renewed the token or removed the connection.
        Connection: account.capture_connections.values_list("pk", flat=True),
        # R3: who took out which records: the exports of this account and of every account, with
        # their downloads.
        RecordsExport: RecordsExport.objects.filter(Q(account=account) | Q(account__isnull=True)).values_list(
            "pk", flat=True
        ),
        # Issue 19: who ran the final archive before the account was closed, and how it ended.
        FinalArchive: account.final_archives.values_list("pk", flat=True),
    }
    condition = Q(pk__in=[])
    for model, pks in records.items():
        content_type = ContentType.objects.get_for_model(model)
        condition |= Q(content_type=content_type, object_pk__in=[str(pk) for pk in pks])
    return LogEntry.objects.filter(condition).order_by("-timestamp", "-pk")
