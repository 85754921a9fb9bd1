"""The yearly self-check (egenkontroll) of an account: once a year one of its editors answers
five questions, one per rule of conduct that only the people running the account can see kept
(R4 the sender and the graphic profile, R5 the profile's description, R7 no political stances,
R8 no dialogue on other parties' accounts, R9 following only relevant accounts). A "no" needs a
comment saying what is wrong, and raises a flag for the communications department (R12); an
account whose last self-check is more than twelve months old is flagged by the daily check.

Both flags are brought in line for the account the moment a self-check is saved, not only by the
next morning's checks: the editor who answered no sees comms told at once, and the editor who
answered yes again sees the flag go. This asks the two checks about that one account only
(checks.align_self_check_flags): a person's answer decides about their own account, never
resolves or raises flags of other accounts in the middle of the day, and is not recorded as a
scheduled run.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import AccountStatus, Mandate, SocialAccount
from falkoping_some.lib.errors import DomainError
from review.models import SelfCheck
from review.scheduled_checks import align_self_check_flags, self_check_due

# An editor sees a self-check coming this long before it is due.
REMINDER_NOTICE = datetime.timedelta(days=30)

# A few words for each question where all five stand side by side (a table's headers, a flag).
SHORT_LABELS = {
    "sender_clear": gettext_lazy("Sender and graphic profile"),
    "profile_description": gettext_lazy("Description in the profile"),
    "no_political_stance": gettext_lazy("No political stances"),
    "no_dialogue_elsewhere": gettext_lazy("No dialogue on others' accounts"),
    "follows_relevant_only": gettext_lazy("Follows relevant accounts only"),
}


@dataclass(frozen=True)
class Question:
    name: str  # the SelfCheck field
    rule: str  # R4 …
    text: str  # the question as the routine words it (the field's verbose name)
    short: str


def questions() -> list[Question]:
    """The checklist in the order asked (SelfCheck.QUESTIONS)."""
    return [
        Question(name, rule, SelfCheck._meta.get_field(name).verbose_name, SHORT_LABELS[name])
        for name, rule in SelfCheck.QUESTIONS
    ]


@dataclass(frozen=True)
class SelfCheckStatus:
    """Where an account stands with its yearly self-check on `today`."""

    latest: SelfCheck | None
    due: datetime.date | None  # None: the account was never activated
    today: datetime.date

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < self.today

    @property
    def due_soon(self) -> bool:
        """Due within REMINDER_NOTICE, or overdue: the editor's dashboard shows it."""
        return self.due is not None and self.due <= self.today + REMINDER_NOTICE

    @property
    def days_left(self) -> int | None:
        return (self.due - self.today).days if self.due else None


def self_check_status(account: SocialAccount, today: datetime.date | None = None) -> SelfCheckStatus:
    today = today or timezone.localdate()
    latest = account.self_checks.select_related("answered_by").order_by("-answered_at", "-pk").first()
    last = timezone.localdate(latest.answered_at) if latest else None
    due = self_check_due(last, account.activated_on) if account.status == AccountStatus.ACTIVE else None
    return SelfCheckStatus(latest=latest, due=due, today=today)


@dataclass(frozen=True)
class DueSelfCheck:
    account: SocialAccount
    last_answered: datetime.date | None
    due: datetime.date
    overdue: bool


def self_checks_due_for(user, today: datetime.date | None = None) -> list[DueSelfCheck]:
    """The active accounts this user edits (a mandate in force, R10) whose self-check is due within
    REMINDER_NOTICE or overdue, the most urgent first. One query."""
    today = today or timezone.localdate()
    if not user.is_authenticated:
        return []
    accounts = (
        SocialAccount.objects.active()
        .filter(pk__in=Mandate.objects.active_on(today).filter(user=user).values("account_id"))
        .annotate(last_at=Max("self_checks__answered_at"))
        .select_related("unit")
    )
    rows = []
    for account in accounts:
        last = timezone.localdate(account.last_at) if account.last_at else None
        due = self_check_due(last, account.activated_on)
        if due is not None and due <= today + REMINDER_NOTICE:
            rows.append(DueSelfCheck(account=account, last_answered=last, due=due, overdue=due < today))
    return sorted(rows, key=lambda row: (row.due, row.account.name, row.account.pk))


def self_check_history(account: SocialAccount):
    """Every self-check of the account, the newest first."""
    return account.self_checks.select_related("answered_by").order_by("-answered_at", "-pk")


def record_self_check(user, account: SocialAccount, answers: dict, comment: str = "") -> SelfCheck:
    """An editor of the account (a mandate in force, R10) answers its yearly self-check.

    `answers` holds a bool for each question of SelfCheck.QUESTIONS. A "no" needs a comment (also a
    database constraint). Saves the self-check (auditlog records it) and, in the same transaction,
    raises or resolves the account's two self-check flags: a "no" is in comms' review queue at once,
    and an answer resolves an overdue flag."""
    if not user.has_perm("selfcheck.answer", account):
        raise DomainError(_("Only an editor of the account with a mandate in force answers its self-check (R10)."))
    names = [name for name, _rule in SelfCheck.QUESTIONS]
    missing = [name for name in names if not isinstance(answers.get(name), bool)]
    if missing:
        raise DomainError(_("Answer every question with yes or no."))
    comment = (comment or "").strip()
    if not all(answers[name] for name in names) and not comment:
        raise DomainError(_("Where you answer no, say in the comment what is wrong and what will be done about it."))
    with transaction.atomic():
        # Locked so that a closing of the account and a self-check wait for each other.
        account = SocialAccount.objects.lock_active(
            account, _("Only an active account has a yearly self-check; this one is “%(status)s”.")
        )
        self_check = SelfCheck.objects.create(
            account=account, answered_by=user, comment=comment, **{name: answers[name] for name in names}
        )
        align_self_check_flags([account.pk], timezone.localdate())
    return self_check
