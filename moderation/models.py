"""Moderation (R20–R23): removed content and its evidence, police reports, questions and their
24-weekday-hour deadline, and the GDPR legal basis of posts with personal data. Every record here
is a public record (R3): kept, never deleted from the UI, and in the audit trail."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import SocialAccount
from capture.models import CapturedItem
from falkoping_some.lib.private_files import PrivateFile


class RemovedContentKind(models.TextChoices):
    POST = "post", _("Post")
    COMMENT = "comment", _("Comment")
    MESSAGE = "message", _("Private message")


class ModerationCategory(models.TextChoices):
    """R22's examples of criminal material, in the routine's words, and R21's other ground."""

    DEFAMATION = "defamation", _("Defamation, personal attacks or insults")
    ETHNICITY = "ethnicity", _("Derogatory comments based on cultural background or ethnicity")
    RACIST_SEXIST_HOMOPHOBIC = (
        "racist_sexist_homophobic",
        _("Offensive statements with racist, sexist or homophobic undertones"),
    )
    INCITEMENT = "incitement", _("Incitement against an ethnic group or other harassment")
    VIOLENCE_PORNOGRAPHY = "violence_pornography", _("Unlawful depictions of violence or pornography")
    CALLS_TO_CRIME = "calls_to_crime", _("Calls to crime or other criminal activity")
    COPYRIGHT = "copyright", _("Unlawful use of copyrighted material")
    PROFANITY = "profanity", _("Profanity or obscene words")
    SPAM = "spam", _("Commercial messages, advertising or spam")
    MUNICIPAL_RULES = "municipal_rules", _("Breaks the municipality's rules for social media")


# R22: the categories that describe crimes (förtal, ofredande, hets mot folkgrupp, olaga
# våldsskildring, barnpornografibrott, uppmaning till brott, upphovsrättsintrång). A case in one of
# them is criminal unless the editor says why this content is not (ModerationCase.not_criminal_reason).
CRIMINAL_CATEGORIES = frozenset(
    {
        ModerationCategory.DEFAMATION,
        ModerationCategory.INCITEMENT,
        ModerationCategory.VIOLENCE_PORNOGRAPHY,
        ModerationCategory.CALLS_TO_CRIME,
        ModerationCategory.COPYRIGHT,
    }
)


class ModerationCase(models.Model):
    """Content removed from one of the municipality's accounts (R21), and for criminal content the
    R22 order: documented with screenshots, then removed, then reported to the police."""

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="moderation_cases"
    )
    content_kind = models.CharField(_("what was removed"), max_length=20, choices=RemovedContentKind.choices)
    category = models.CharField(_("category"), max_length=40, choices=ModerationCategory.choices)
    description = models.TextField(_("description"))
    is_criminal = models.BooleanField(_("criminal"), default=False)
    not_criminal_reason = models.TextField(
        _("why it is not criminal"),
        blank=True,
        help_text=_("R22: required when a category that describes a crime is not reported to the police."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    police_reported_on = models.DateField(_("reported to the police"), null=True, blank=True)
    police_reference = models.CharField(_("police reference number"), max_length=60, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    # The captured item the case is about, when it was opened from the list of content removed on
    # the platform (PlatformRemoval): its captured copy is the case's first evidence. The copy
    # stays with the case when the item is disposed of (R25): the link goes, not the case.
    captured_item = models.ForeignKey(
        CapturedItem, verbose_name=_("captured item"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="moderation_cases",
    )  # fmt: skip

    class Meta:
        verbose_name = _("moderation case")
        verbose_name_plural = _("moderation cases")
        ordering = ["-opened_at"]
        constraints = [
            # R22: a report names its reference and comes after the removal.
            models.CheckConstraint(
                name="case_police_report_complete",
                condition=Q(police_reported_on__isnull=True) | (~Q(police_reference="") & Q(removed_at__isnull=False)),
            ),
            # R22: a category that describes a crime is criminal unless a reason says otherwise,
            # and a reason is given only for a case that is not criminal.
            models.CheckConstraint(
                name="case_crime_category_criminal_or_reason",
                condition=Q(is_criminal=True)
                | ~Q(category__in=sorted(CRIMINAL_CATEGORIES))
                | ~Q(not_criminal_reason=""),
            ),
            models.CheckConstraint(
                name="case_not_criminal_reason_only_when_not_criminal",
                condition=Q(is_criminal=False) | Q(not_criminal_reason=""),
            ),
        ]

    def __str__(self):
        return f"{self.account.name}: {self.get_category_display()} ({self.opened_at:%Y-%m-%d})"


class Evidence(PrivateFile):
    """A screenshot or document kept as evidence: for a moderation case (R22) or as the
    documentation of a legal basis (R23, a consent form). Never changed; deleted only by a confirmed
    disposal (R25, records/retention.py)."""

    case = models.ForeignKey(
        ModerationCase, verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="evidence",
    )  # fmt: skip
    legal_basis = models.ForeignKey(
        "LegalBasisRecord", verbose_name=_("legal basis record"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="evidence",
    )  # fmt: skip
    # R22: documented first, then removed. When the screenshot was taken, as the uploader gives it
    # (default: the upload); empty for a legal basis's documents and for evidence uploaded before
    # the portal asked.
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="evidence_belongs_to_one_record",
                condition=(Q(case__isnull=False) & Q(legal_basis__isnull=True))
                | (Q(case__isnull=True) & Q(legal_basis__isnull=False)),
            ),
            models.CheckConstraint(
                name="evidence_taken_before_uploaded",
                condition=Q(taken_at__isnull=True) | Q(taken_at__lte=models.F("uploaded_at")),
            ),
        ]

    def __str__(self):
        return f"{self.original_name} ({self.sha256[:12]}…)"

    @property
    def account(self):
        return (self.case or self.legal_basis).account


class EvidenceAttestation(models.Model):
    """R22: a colleague's statement that a screenshot is unaltered, which the police ask for: who
    and when, and the SHA-256 of the file as it was read when they attested it (the same as at the
    upload, or they could not have). Once per person, never the uploader (moderation.services)."""

    evidence = models.ForeignKey(
        Evidence, verbose_name=_("evidence"), on_delete=models.CASCADE, related_name="attestations"
    )  # deleted only with its evidence, by a confirmed disposal (R25)
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("attested by"), on_delete=models.PROTECT, related_name="+"
    )
    attested_at = models.DateTimeField(_("attested"), default=timezone.now)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("attestation of evidence")
        verbose_name_plural = _("attestations of evidence")
        ordering = ["attested_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "attested_by"], name="evidence_attested_once_per_person"),
        ]

    def __str__(self):
        # Not the file's name: that may name a private person (the records export withholds it).
        return f"{self.evidence_id} ({self.sha256[:12]}…): {self.attested_by}"

    @property
    def account(self):
        return self.evidence.account


class RemovalReason(models.TextChoices):
    """Why an item is gone from the platform or hidden: one of R21/R22's categories (a case is
    opened), or a reason that is no breach (no case)."""

    DEFAMATION = ModerationCategory.DEFAMATION.value, ModerationCategory.DEFAMATION.label
    ETHNICITY = ModerationCategory.ETHNICITY.value, ModerationCategory.ETHNICITY.label
    RACIST_SEXIST_HOMOPHOBIC = (
        ModerationCategory.RACIST_SEXIST_HOMOPHOBIC.value,
        ModerationCategory.RACIST_SEXIST_HOMOPHOBIC.label,
    )
    INCITEMENT = ModerationCategory.INCITEMENT.value, ModerationCategory.INCITEMENT.label
    VIOLENCE_PORNOGRAPHY = ModerationCategory.VIOLENCE_PORNOGRAPHY.value, ModerationCategory.VIOLENCE_PORNOGRAPHY.label
    CALLS_TO_CRIME = ModerationCategory.CALLS_TO_CRIME.value, ModerationCategory.CALLS_TO_CRIME.label
    COPYRIGHT = ModerationCategory.COPYRIGHT.value, ModerationCategory.COPYRIGHT.label
    PROFANITY = ModerationCategory.PROFANITY.value, ModerationCategory.PROFANITY.label
    SPAM = ModerationCategory.SPAM.value, ModerationCategory.SPAM.label
    MUNICIPAL_RULES = ModerationCategory.MUNICIPAL_RULES.value, ModerationCategory.MUNICIPAL_RULES.label
    REMOVED_BY_AUTHOR = "removed_by_author", _("Removed by its author")
    NOT_A_BREACH = "not_a_breach", _("Removed or hidden by us, but not a breach (say why)")


# The reasons that are no breach of R21: recorded without a case.
NO_CASE_REASONS = frozenset({RemovalReason.REMOVED_BY_AUTHOR, RemovalReason.NOT_A_BREACH})


class PlatformRemoval(models.Model):
    """The editor's explanation of a captured item that disappeared from the platform or that the
    account hid (R21): the routine's category, and then a case with the captured copy as its
    evidence (R22), or that its author removed it, or that it was no breach. One per item; a public
    record (R3), disposed of together with the item it explains (R25, records/retention.py)."""

    item = models.OneToOneField(
        CapturedItem, verbose_name=_("captured item"), on_delete=models.CASCADE, related_name="platform_removal"
    )  # deleted only with its item, by a confirmed disposal (R25)
    reason = models.CharField(_("why"), max_length=40, choices=RemovalReason.choices)
    note = models.TextField(_("note"), blank=True)
    # The case opened for a category of R21/R22; it outlives the link if it is disposed of first.
    case = models.OneToOneField(
        ModerationCase, verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="platform_removal",
    )  # fmt: skip
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("explained by"), on_delete=models.PROTECT, related_name="+"
    )
    explained_at = models.DateTimeField(_("explained"), default=timezone.now)

    class Meta:
        verbose_name = _("removal on the platform")
        verbose_name_plural = _("removals on the platform")
        ordering = ["-explained_at", "-pk"]
        constraints = [
            # A case only for a breach of R21; "not a breach" says why.
            models.CheckConstraint(
                name="removal_case_only_for_a_breach",
                condition=Q(case__isnull=True) | ~Q(reason__in=sorted(NO_CASE_REASONS)),
            ),
            models.CheckConstraint(
                name="removal_not_a_breach_says_why",
                condition=~Q(reason=RemovalReason.NOT_A_BREACH) | ~Q(note=""),
            ),
        ]

    def __str__(self):
        return f"{self.item}: {self.get_reason_display()}"

    @property
    def account(self):
        return self.item.account

    @property
    def opens_case(self) -> bool:
        return self.reason not in NO_CASE_REASONS


class InquiryChannel(models.TextChoices):
    COMMENT = "comment", _("Comment")
    MESSAGE = "message", _("Private message / Messenger")


class InquirySource(models.TextChoices):
    """Where the portal heard of a question: an editor logged it, or it was found among the items
    captured from the platform (moderation/question_rules.py). Derived, not stored: a question with
    a captured item is a platform question."""

    MANUAL = "manual", _("Logged by an editor")
    PLATFORM = "platform", _("Found automatically")


class InquiryQuerySet(models.QuerySet):
    def questions(self):
        """What R20 counts: every question except those an editor marked "not a question"."""
        return self.filter(not_question_at__isnull=True)

    def found(self):
        return self.filter(item__isnull=False)


class Inquiry(models.Model):
    """R20: a question received in comments or messages, answered on weekdays within 24 hours.
    Keep no more personal data in the summary than the follow-up needs.

    Logged by an editor (`logged_by`), or found in what was captured from the platform (`item`, the
    comment or message that asks; moderation/question_rules.py). A found question is answered by
    the account's own reply captured from the platform (`answer_item`); a logged one by the editor
    who marks it answered (`answered_by`). An editor may mark a found question "not a question"
    (who, when, why): the row stays (R3) and leaves the lists, the statistics and the R20 check."""

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="inquiries"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=InquiryChannel.choices)
    received_at = models.DateTimeField(_("received"))
    summary = models.CharField(_("short summary"), max_length=500)
    deadline = models.DateTimeField(_("answer by"), db_index=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    logged_at = models.DateTimeField(_("logged"), default=timezone.now)
    # The captured comment or message that asks (a found question), and the account's captured reply
    # that answers it.
    item = models.OneToOneField(
        "capture.CapturedItem", verbose_name=_("captured question"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="inquiry",
    )  # fmt: skip
    answer_item = models.ForeignKey(
        "capture.CapturedItem", verbose_name=_("captured answer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="answered_inquiries",
    )  # fmt: skip
    not_question_at = models.DateTimeField(_("marked not a question"), null=True, blank=True)
    not_question_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("marked not a question by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    not_question_reason = models.TextField(_("why it is not a question"), blank=True)

    objects = InquiryQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-received_at"]
        constraints = [
            # Answered by an editor who marked it, or by the account's captured reply.
            models.CheckConstraint(
                name="inquiry_answered_by_someone",
                condition=Q(answered_at__isnull=True) | Q(answered_by__isnull=False) | Q(answer_item__isnull=False),
            ),
            # Logged by an editor, or found among the captured items.
            models.CheckConstraint(
                name="inquiry_logged_or_found", condition=Q(logged_by__isnull=False) | Q(item__isnull=False)
            ),
            # "Not a question" says who, when and why, or nothing at all.
            models.CheckConstraint(
                name="inquiry_not_question_complete",
                condition=Q(not_question_at__isnull=True, not_question_by__isnull=True, not_question_reason="")
                | (Q(not_question_at__isnull=False, not_question_by__isnull=False) & ~Q(not_question_reason="")),
            ),
        ]
        indexes = [
            # The daily R20 check reads only the unanswered questions, a few among years of answered
            # ones (bench/explain/checks-inquiry_overdue.txt).
            models.Index(
                fields=["deadline"], condition=Q(answered_at__isnull=True), name="inquiry_unanswered_deadline"
            ),
        ]

    def __str__(self):
        return f"{self.account.name}: {self.summary[:40]}"

    @property
    def source(self) -> str:
        return InquirySource.PLATFORM if self.item_id else InquirySource.MANUAL

    def get_source_display(self) -> str:
        return InquirySource(self.source).label

    @property
    def is_not_question(self) -> bool:
        return self.not_question_at is not None


class QuestionScan(models.Model):
    """How far the question finder (moderation/services/questions.py) has read one connection's
    captured items: the newest `changed_at` it has seen. Bookkeeping, not a record: the next run
    reads only what was captured or changed since (from this instant on, inclusive, so that the
    rest of a sync still running then is read too)."""

    connection = models.OneToOneField(
        "capture.Connection", on_delete=models.CASCADE, related_name="question_scan", verbose_name=_("connection")
    )
    seen_until = models.DateTimeField(_("read up to"))
    scanned_at = models.DateTimeField(_("last read"), default=timezone.now)

    class Meta:
        verbose_name = _("question scan")
        verbose_name_plural = _("question scans")

    def __str__(self):
        return f"{self.connection_id}: {self.seen_until:%Y-%m-%d %H:%M}"


class LegalBasis(models.TextChoices):
    """GDPR article 6(1): the lawful bases of processing personal data (R23)."""

    CONSENT = "consent", _("Consent (a)")
    CONTRACT = "contract", _("Contract (b)")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (c)")
    VITAL_INTERESTS = "vital_interests", _("Vital interests (d)")
    PUBLIC_INTEREST = "public_interest", _("Task in the public interest or exercise of official authority (e)")
    LEGITIMATE_INTERESTS = "legitimate_interests", _("Legitimate interests (f)")


class LegalBasisRecord(models.Model):
    """R23: the lawful basis for publishing a post with personal data, documented at publication
    (mostly consent; at larger events public interest). Recorded later is allowed, shown as late."""

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="legal_basis_records"
    )
    post = models.CharField(_("post"), max_length=500, help_text=_("A link to the post, or a description of it."))
    published_at = models.DateTimeField(_("published"))
    basis = models.CharField(_("legal basis"), max_length=30, choices=LegalBasis.choices)
    documentation = models.TextField(
        _("documentation"), blank=True, help_text=_("Where the consent or other documentation is kept.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("legal basis record")
        verbose_name_plural = _("legal basis records")
        ordering = ["-published_at"]

    def __str__(self):
        return f"{self.account.name}: {self.post[:40]}"

    @property
    def recorded_late(self) -> bool:
        """R23: documented "i samband med publicering"; later is allowed but shown as late."""
        return self.recorded_at > self.published_at
