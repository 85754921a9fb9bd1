"""Public records (R3, R25): the records exports comms takes out, the retention rules of the
document management plan, and the disposals that apply them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _

from accounts.models import SocialAccount
from falkoping_some.lib.private_files import PrivateStorage


class RecordKind(models.TextChoices):
    """The kinds of record the portal keeps about accounts (R3). A records export writes one JSON
    file per kind; each kind but the audit events has its own retention rule (R25): an audit event
    is disposed of together with the record it describes."""

    DECISIONS = "decisions", _("Decisions")
    MANDATES = "mandates", _("Mandates")
    TRAININGS = "trainings", _("Trainings")
    WEEKLY_ACTIVITY = "weekly_activity", _("Weekly activity")
    FLAGS = "flags", _("Review flags")
    SELF_CHECKS = "self_checks", _("Yearly self-checks")
    MODERATION_CASES = "moderation_cases", _("Removed content")
    INQUIRIES = "inquiries", _("Questions")
    LEGAL_BASIS = "legal_basis", _("Legal-basis records")
    # R3: what the platforms showed (capture): posts, comments, replies and messages, with their
    # earlier versions and media, which go with them.
    CAPTURED_ITEMS = "captured_items", _("Captured posts, comments and messages")
    AUDIT_EVENTS = "audit_events", _("Audit events")


RETENTION_KINDS = [(value, label) for value, label in RecordKind.choices if value != RecordKind.AUDIT_EVENTS]


class RecordsStorage(LazyObject):
    """Exports are kept under PRIVATE_MEDIA_ROOT, beside the evidence, where no URL serves them:
    only the comms-only download view hands them out."""

    def _setup(self):
        self._wrapped = PrivateStorage(location=settings.PRIVATE_MEDIA_ROOT)


_records_storage = RecordsStorage()


def records_storage():
    # A callable, so that migrations name it instead of one machine's PRIVATE_MEDIA_ROOT.
    return _records_storage


def export_path(instance, filename):
    return f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.zip"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RecordsExport(models.Model):
    """Everything the portal holds about one account, or about every account, in a period, as one
    ZIP file (R3): a JSON file per kind of record, the evidence files, a manifest with each file's
    SHA-256 and a readable summary. Built by the worker (records/export.py); the export
    itself is in the audit trail. A public copy is filtered for a public-records request: what
    needs a secrecy review is withheld and marked, never silently dropped."""

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="records_exports", help_text=_("Empty: every account."),
    )  # fmt: skip
    period_from = models.DateField(_("from"), null=True, blank=True)
    period_until = models.DateField(_("until"), null=True, blank=True)
    public_copy = models.BooleanField(
        _("for a public-records request"), default=False,
        help_text=_("Withhold and mark what needs a secrecy review before it is handed out."),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=20, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    total_steps = models.PositiveIntegerField(_("steps"), default=0)
    done_steps = models.PositiveIntegerField(_("steps done"), default=0)
    file = models.FileField(_("file"), storage=records_storage, upload_to=export_path, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    counts = models.JSONField(_("records"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        db_table = "accounts_recordsexport"  # moved here from accounts; the table kept its name
        verbose_name = _("records export")
        verbose_name_plural = _("records exports")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                name="export_period_in_order",
                condition=Q(period_from__isnull=True) | Q(period_until__isnull=True)
                | Q(period_from__lte=models.F("period_until")),
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.account or _('All accounts')} {self.requested_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("records:export_detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)


class RetentionRule(models.Model):
    """R25: how long one kind of record is kept, from the document management plan. No rule, or a
    rule without a time, means the records are kept (bevaras). Set by comms in the admin."""

    kind = models.CharField(_("kind of record"), max_length=30, choices=RETENTION_KINDS, unique=True)
    retain_months = models.PositiveIntegerField(
        _("kept for (months)"), null=True, blank=True,
        help_text=_("Empty: kept permanently. Counted from the record's date."),
    )  # fmt: skip
    plan_reference = models.CharField(
        _("reference in the document management plan"), max_length=200,
        help_text=_("The plan and the item that allows disposal, e.g. KS dokumenthanteringsplan 2024, 3.2.4."),
    )  # fmt: skip
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "accounts_retentionrule"  # moved here from accounts; the table kept its name
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                name="retention_at_least_a_month", condition=Q(retain_months__isnull=True) | Q(retain_months__gte=1)
            ),
        ]

    def __str__(self):
        return str(self.get_kind_display())


class DisposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting confirmation")
    DONE = "done", _("Disposed")
    WITHDRAWN = "withdrawn", _("Withdrawn")  # nothing was due any more when the check looked again


class Disposal(models.Model):
    """R25: a disposal (gallring) of the records of one kind dated before `cutoff`. The monthly
    check proposes it; the records are deleted only when comms confirms, and this record stays:
    which rule, how many of which kind, when, by whom and the export that preceded it."""

    rule = models.ForeignKey(RetentionRule, verbose_name=_("retention rule"), on_delete=models.PROTECT)
    kind = models.CharField(_("kind of record"), max_length=30, choices=RETENTION_KINDS)
    plan_reference = models.CharField(_("reference in the document management plan"), max_length=200)
    retain_months = models.PositiveIntegerField(_("kept for (months)"))
    cutoff = models.DateField(_("records dated before"))
    status = models.CharField(
        _("status"), max_length=20, choices=DisposalStatus.choices, default=DisposalStatus.PROPOSED
    )
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    proposed_count = models.PositiveIntegerField(_("records due"), default=0)
    counts = models.JSONField(_("disposed"), default=dict, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    confirmed_at = models.DateTimeField(_("disposed"), null=True, blank=True)
    export = models.ForeignKey(
        RecordsExport, verbose_name=_("export before disposal"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    note = models.TextField(_("note"), blank=True)

    class Meta:
        db_table = "accounts_disposal"  # moved here from accounts; the table kept its name
        verbose_name = _("disposal")
        verbose_name_plural = _("disposals")
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(status="proposed"), name="disposal_one_proposed_per_kind"
            ),
            models.CheckConstraint(
                name="disposal_done_confirmed",
                condition=~Q(status="done") | Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} < {self.cutoff}"

    def get_absolute_url(self):
        return reverse("records:disposal_detail", args=[self.pk])


class FinalArchiveState(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    CAPTURING = "capturing", _("Capturing the platforms")
    EXPORTING = "exporting", _("Exporting the records")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


UNFINISHED_FINAL_ARCHIVE = (FinalArchiveState.PENDING, FinalArchiveState.CAPTURING, FinalArchiveState.EXPORTING)


class FinalArchive(models.Model):
    """Issue 19 (R3, R15, R25): before an account is closed, the portal captures each of its platform
    connections one last time and exports its whole history (every period, the complete records,
    not a public copy); both are kept. A connection that fails is recorded here, not fatal: the
    export is made all the same, and the page says which connection failed. Closing requires a done
    one with nothing captured after its export began (final_archive.py), or comms' reason for
    closing without it (accounts/closing.py)."""

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="final_archives"
    )
    state = models.CharField(
        _("status"), max_length=20, choices=FinalArchiveState.choices, default=FinalArchiveState.PENDING
    )
    # One entry per connection: {"connection", "kind", "label", "ok", "new", "edited", "missing",
    # "items", "error"}; written once the capture is over.
    captures = models.JSONField(_("final capture"), default=list, blank=True)
    export = models.ForeignKey(
        RecordsExport, verbose_name=_("records export"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("final archive")
        verbose_name_plural = _("final archives")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One at a time per account: a second request while one runs would capture and export twice.
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(state__in=["pending", "capturing", "exporting"]),
                name="final_archive_one_unfinished_per_account",
            ),
            models.CheckConstraint(
                name="final_archive_done_has_export",
                condition=~Q(state="done") | Q(export__isnull=False, finished_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.account} {self.requested_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("records:final_archive_detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.state in (FinalArchiveState.DONE, FinalArchiveState.FAILED)

    @property
    def failed_captures(self) -> list[dict]:
        return [capture for capture in self.captures if not capture.get("ok")]

    @property
    def items_exported(self) -> int:
        """The captured posts, comments and messages in its export (every connection's, removed
        ones' too)."""
        return (self.export.counts or {}).get(RecordKind.CAPTURED_ITEMS.value, 0) if self.export else 0
