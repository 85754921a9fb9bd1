"""The review flags that the scheduled checks raise, the record of each check run, and the yearly
self-check (R4, R5, R7, R8, R9)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import SocialAccount


class FlagKind(models.TextChoices):
    """What a scheduled check can find (DESIGN.md, "Scheduled checks")."""

    INACTIVE_6_MONTHS = "inactive_6_months", _("Inactive for more than six months")
    POSTING_SHORTFALL = "posting_shortfall", _("Fewer than one post a week")
    NO_ACTIVE_EDITOR = "no_active_editor", _("No editor with a mandate")
    MANDATE_EXPIRING = "mandate_expiring", _("Mandate ending soon")
    CRIMINAL_NOT_REPORTED = "criminal_not_reported", _("Criminal content not reported to the police")
    INQUIRY_OVERDUE = "inquiry_overdue", _("Question not answered in time")
    SELF_CHECK_OVERDUE = "self_check_overdue", _("Yearly self-check overdue")
    SELF_CHECK_ANSWERED_NO = "self_check_no", _("Self-check answered no")
    # R3: the platform refused the connection's token (or no longer knows the account), so nothing
    # is captured until comms gives it a new one (capture/tasks.py); and a token that ends soon.
    CONNECTION_BROKEN = "connection_broken", _("The connection to the platform has stopped")
    TOKEN_EXPIRING = "token_expiring", _("Token expires soon")
    # R5: the platform's profile describes the account otherwise than the registry does (the latest
    # profile snapshot, capture.ProfileSnapshot).
    PROFILE_DESCRIPTION_DIFFERS = "profile_description_differs", _("Profile description differs from the registry")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


# A flag is "open" until it is resolved or dismissed: acknowledging it only says comms has seen it.
OPEN_FLAG_STATUSES = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)


class ReviewFlag(models.Model):
    """A finding of a scheduled check for comms to review. At most one open flag per account and
    kind (a database constraint); the check that raised it resolves it when the condition is gone.

    A dismissal stands (the checks raise no new flag of its account and kind) until its condition
    is gone or its review date comes; then it lapses (`lapsed_at`). At most one standing dismissal
    per account and kind (a database constraint)."""

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="flags"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=FlagKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised"), default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    reason = models.TextField(_("reason"), blank=True)
    review_on = models.DateField(
        _("review date"),
        null=True,
        blank=True,
        help_text=_("A dismissed flag is raised again from this day if its condition is still there."),
    )
    lapsed_at = models.DateTimeField(
        _("dismissal lapsed"),
        null=True,
        blank=True,
        help_text=_("When the dismissal stopped holding: its condition was gone, or its review date came."),
    )

    class Meta:
        db_table = "accounts_reviewflag"  # moved here from accounts; the table kept its name
        verbose_name = _("review flag")
        verbose_name_plural = _("review flags")
        ordering = ["-raised_at"]
        constraints = [
            # Kind first: besides refusing a second open flag, its index hands each scheduled check
            # the open flags of its own kind without reading the others (review/scheduled_checks.py).
            models.UniqueConstraint(
                fields=["kind", "account"],
                condition=Q(status__in=["open", "acknowledged"]),
                name="flag_one_open_per_account_and_kind",
            ),
            models.CheckConstraint(name="flag_dismissed_with_reason", condition=~Q(status="dismissed") | ~Q(reason="")),
            # A dismissal holds until a date comms chose, never for good; a review date or a lapse
            # belongs to a dismissal only.
            models.CheckConstraint(
                name="flag_dismissed_with_review_date",
                condition=Q(status="dismissed", review_on__isnull=False)
                | Q(~Q(status="dismissed"), review_on__isnull=True, lapsed_at__isnull=True),
            ),
            # The checks read the standing dismissals of their kind from this index (review/scheduled_checks.py).
            models.UniqueConstraint(
                fields=["kind", "account"],
                condition=Q(status="dismissed", lapsed_at__isnull=True),
                name="flag_one_standing_dismissal_per_account_and_kind",
            ),
        ]
        indexes = [
            # The review queue's order (review/flags.py, queue()): the open flags, the
            # most serious kind first, then the newest. The CASE repeats SEVERITY of that module
            # (accounts/tests/test_query_counts.py checks they agree), so a page of the queue is
            # read from the index instead of sorting every open flag (bench/explain/pages-review-queue.txt).
            models.Index(
                models.Case(
                    *(
                        models.When(kind=kind, then=models.Value(rank))
                        for rank, kind in enumerate(
                            [
                                FlagKind.CRIMINAL_NOT_REPORTED,
                                FlagKind.INACTIVE_6_MONTHS,
                                FlagKind.INQUIRY_OVERDUE,
                                FlagKind.CONNECTION_BROKEN,
                                FlagKind.NO_ACTIVE_EDITOR,
                                FlagKind.SELF_CHECK_ANSWERED_NO,
                                FlagKind.POSTING_SHORTFALL,
                                FlagKind.SELF_CHECK_OVERDUE,
                                FlagKind.PROFILE_DESCRIPTION_DIFFERS,
                                FlagKind.MANDATE_EXPIRING,
                                FlagKind.TOKEN_EXPIRING,
                            ]
                        )
                    ),
                    default=models.Value(11),
                    output_field=models.IntegerField(),
                ),
                models.F("raised_at").desc(),
                models.F("id").desc(),
                condition=Q(status__in=["open", "acknowledged"]),
                name="flag_queue_order",
            ),
        ]

    def __str__(self):
        return f"{self.account.name}: {self.get_kind_display()} ({self.get_status_display()})"


class CheckRun(models.Model):
    """When a scheduled check ran, how long it took and what it found."""

    check_name = models.CharField(_("check"), max_length=40, db_index=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    found = models.PositiveIntegerField(_("accounts found"), default=0)
    raised = models.PositiveIntegerField(_("flags raised"), default=0)
    resolved = models.PositiveIntegerField(_("flags resolved"), default=0)
    dry_run = models.BooleanField(_("dry run"), default=False)

    class Meta:
        db_table = "accounts_checkrun"  # moved here from accounts; the table kept its name
        verbose_name = _("check run")
        verbose_name_plural = _("check runs")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.check_name} {self.started_at:%Y-%m-%d %H:%M}"


class SelfCheck(models.Model):
    """The yearly self-check of an account (R4, R5, R7, R8, R9), answered by one of its editors.
    A "no" needs a comment (a database constraint) and raises a flag for comms; an account whose
    last self-check is more than 12 months old is flagged by the scheduled check."""

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="self_checks"
    )
    sender_clear = models.BooleanField(
        _("The municipality is clearly the sender, and the graphic profile (or the approved special one) is used.")
    )  # R4
    profile_description = models.BooleanField(_("The account's profile has a description of the service."))  # R5
    no_political_stance = models.BooleanField(
        _("The posts contain no political stances or debate (political decisions may be described).")
    )  # R7
    no_dialogue_elsewhere = models.BooleanField(
        _("The account takes no part in dialogue on other parties' accounts.")
    )  # R8
    follows_relevant_only = models.BooleanField(
        _("The account follows only relevant accounts of its own field, and no private persons.")
    )  # R9
    comment = models.TextField(_("comment"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), default=timezone.now, db_index=True)

    # The questions in the order asked, with the rule each one checks.
    QUESTIONS = (
        ("sender_clear", "R4"),
        ("profile_description", "R5"),
        ("no_political_stance", "R7"),
        ("no_dialogue_elsewhere", "R8"),
        ("follows_relevant_only", "R9"),
    )

    class Meta:
        db_table = "accounts_selfcheck"  # moved here from accounts; the table kept its name
        verbose_name = _("yearly self-check")
        verbose_name_plural = _("yearly self-checks")
        ordering = ["-answered_at"]
        constraints = [
            models.CheckConstraint(
                name="selfcheck_no_needs_comment",
                condition=Q(
                    sender_clear=True, profile_description=True, no_political_stance=True,
                    no_dialogue_elsewhere=True, follows_relevant_only=True,
                ) | ~Q(comment=""),
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.account.name} {self.answered_at:%Y-%m-%d}"

    @property
    def answers_no(self) -> list[str]:
        """The rules (R4 …) answered no."""
        return [rule for name, rule in self.QUESTIONS if not getattr(self, name)]
