"""R25: records are kept until a retention rule allows their disposal, and disposal is recorded.

Nothing in the portal deletes a record except a confirmed disposal (records/retention.py),
which runs inside `disposal_allowed()`. Every other deletion of a record, whether from a view, the
admin, a shell, a cascade or `QuerySet.delete()`, is refused: a pre_delete receiver on every record
model raises RecordDeletionRefused before the database is touched (and, because a receiver exists,
Django's collector never takes the fast path that would skip the signal).

Only raw SQL gets past this, and the portal has none that deletes. Two management commands that
come with the tools do: `manage.py flush` (empties the database) and auditlog's `auditlogflush
--truncate`. Neither is reachable from the portal's pages; operations must not run them in
production (README).
"""

import contextlib
import contextvars

from django.apps import apps
from django.db.models.signals import pre_delete

_disposal = contextvars.ContextVar("portal_disposal_in_progress", default=False)

# app_label.ModelName of every kind of record (R3), with the audit trail itself.
RECORD_MODELS = (
    "accounts.SocialAccount",
    "accounts.AccountDecision",
    "accounts.Mandate",
    "accounts.Training",
    "activity.WeeklyActivity",
    "review.ReviewFlag",
    "review.SelfCheck",
    "records.RecordsExport",
    "records.RetentionRule",
    "records.Disposal",
    "records.FinalArchive",
    "moderation.ModerationCase",
    "moderation.Evidence",
    "moderation.EvidenceAttestation",
    "moderation.Inquiry",
    "moderation.LegalBasisRecord",
    "moderation.PlatformRemoval",
    "council.CouncilMeeting",
    "council.Invitation",
    "council.MinutesAttachment",
    "capture.Connection",
    "capture.CapturedItem",
    "capture.ItemVersion",
    "capture.CapturedMedia",
    "capture.ProfileSnapshot",
    "auditlog.LogEntry",
)


class RecordDeletionRefused(Exception):
    """A record was about to be deleted outside a confirmed disposal."""

    def __init__(self, instance):
        self.instance = instance
        super().__init__(
            f"{instance._meta.label} {instance.pk} is a public record (R3): it can only be removed by a "
            "disposal that comms confirms under a retention rule (R25)."
        )


@contextlib.contextmanager
def disposal_allowed():
    """Lets the confirmed disposal delete. Used by records.retention only."""
    token = _disposal.set(True)
    try:
        yield
    finally:
        _disposal.reset(token)


def refuse_deletion(sender, instance, **kwargs):
    if not _disposal.get():
        raise RecordDeletionRefused(instance)


def record_models() -> list[type]:
    """Every model whose rows are records: those named above, and any proxy or subclass of one.
    A proxy needs its own receiver: Django sends pre_delete with the proxy as the sender, and a
    proxy without a receiver would take the fast path that sends no signal at all."""
    protected = tuple(apps.get_model(label) for label in RECORD_MODELS)
    return [model for model in apps.get_models() if issubclass(model, protected)]


def protect_records():
    """Called from RecordsConfig.ready(), when every app's models are loaded (records comes after
    every app whose rows are records in INSTALLED_APPS)."""
    for model in record_models():
        pre_delete.connect(refuse_deletion, sender=model, dispatch_uid=f"protect-record-{model._meta.label}")
