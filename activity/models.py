"""Weekly activity (R19): what an account published in each ISO week, logged by its editors or
imported by comms from a CSV file."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import SocialAccount
from falkoping_some.lib.weeks import iso_week


class WeeklyActivity(models.Model):
    """R19: what an account published in one ISO week, logged by its editor (or imported by comms).
    One row per account and week; a second entry for the same week edits the first."""

    MAX_POSTS = 500  # more than this in a week is a typing error, not a busy week

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="weekly_activity"
    )
    week = models.DateField(_("week"), help_text=_("The Monday of the ISO week."))
    posts = models.PositiveIntegerField(_("posts published"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(_("logged"), default=timezone.now)

    class Meta:
        db_table = "accounts_weeklyactivity"  # moved here from accounts; the table kept its name
        verbose_name = _("weekly activity")
        verbose_name_plural = _("weekly activity")
        ordering = ["-week"]
        constraints = [
            models.UniqueConstraint(fields=["account", "week"], name="activity_one_per_account_and_week"),
            models.CheckConstraint(name="activity_posts_plausible", condition=Q(posts__lte=500)),
        ]

    def __str__(self):
        return f"{self.account.name} {self.iso_week}: {self.posts}"

    @property
    def iso_week(self) -> str:
        return iso_week(self.week)


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ActivityImport(models.Model):
    """A CSV file of weekly activity (R19 history) that comms uploaded and that was too large to
    import while the browser waited: the worker imports it and the status page reads its progress.
    All or nothing: when any row is wrong, `errors` lists every one and nothing is written."""

    file_name = models.CharField(_("file name"), max_length=255)
    content = models.TextField(_("content"), help_text=_("The uploaded file, decoded as text."))
    dry_run = models.BooleanField(_("check only"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    created_rows = models.PositiveIntegerField(_("weeks added"), default=0)
    updated_rows = models.PositiveIntegerField(_("weeks updated"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        db_table = "accounts_activityimport"  # moved here from accounts; the table kept its name
        verbose_name = _("activity import")
        verbose_name_plural = _("activity imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)
