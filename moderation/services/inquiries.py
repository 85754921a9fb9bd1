"""Questions and the 24-hour rule (R20): an editor logs a question received in comments or
messages, the portal stores when it must be answered (moderation.deadlines), and the editor marks
it answered; the answer ends with the name and department of whoever answered (signature()).

Permission is refused with PermissionDenied (the view answers 403), a refused state with
DomainError (the view shows its message). Every change is in the audit trail (auditlog, R3).
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import AccountStatus, SocialAccount
from falkoping_some.lib.errors import DomainError
from moderation.deadlines import answer_deadline
from moderation.models import Inquiry, InquiryChannel

# The share answered in time is shown over this many days back (the account page, comms).
STATS_WINDOW = datetime.timedelta(days=90)
SUMMARY_MAX_LENGTH = Inquiry._meta.get_field("summary").max_length  # 500


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def log_inquiry(actor, account, channel, received_at, summary) -> Inquiry:
    """R20: record a question received on `account`; its answer deadline is stored with it."""
    if not actor.has_perm("moderation.log_inquiry", account):
        raise PermissionDenied
    if account.status != AccountStatus.ACTIVE:
        raise DomainError(_("Questions can only be logged for an active account."))
    if channel not in InquiryChannel.values:
        raise DomainError(_("Choose where the question came in: a comment or a private message."))
    if received_at is None:
        raise DomainError(_("Give when the question was received."))
    if received_at > timezone.now():
        raise DomainError(_("A question cannot be received in the future: check the date and time."))
    summary = (summary or "").strip()
    if not summary:
        raise DomainError(_("Write a short summary of the question."))
    if len(summary) > SUMMARY_MAX_LENGTH:
        raise DomainError(
            _("Keep the summary to at most %(max)d characters (it has %(count)d).")
            % {"max": SUMMARY_MAX_LENGTH, "count": len(summary)}
        )
    with transaction.atomic():
        return Inquiry.objects.create(
            account=account,
            channel=channel,
            received_at=received_at,
            summary=summary,
            deadline=answer_deadline(received_at),
            logged_by=actor,
        )


def answer_inquiry(actor, inquiry, answered_at=None) -> Inquiry:
    """R20: mark the question answered, by `actor`, at `answered_at` (now by default). Once."""
    if not actor.has_perm("moderation.change_record", inquiry):
        raise PermissionDenied
    now = timezone.now()
    answered_at = answered_at or now
    if answered_at > now:
        raise DomainError(_("An answer cannot be given in the future: check the date and time."))
    with transaction.atomic():
        # Two editors may mark the same question at once: the second one waits and is told.
        inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        if inquiry.answered_at is not None:
            raise DomainError(
                _("The question was already marked answered by %(who)s at %(when)s.")
                % {"who": inquiry.answered_by, "when": _when(inquiry.answered_at)}
            )
        if answered_at < inquiry.received_at:
            raise DomainError(
                _("The answer cannot come before the question was received (%(when)s).")
                % {"when": _when(inquiry.received_at)}
            )
        inquiry.answered_at = answered_at
        inquiry.answered_by = actor
        inquiry.save(update_fields=["answered_at", "answered_by"])
    return inquiry


def signature(user) -> str:
    """R20: "Svaret ska avslutas med namn och avdelning för den som besvarat frågan."

    The format: a slash, the full name, a comma and the name of the user's unit, the way the
    municipality signs on social media: "/Rebecka Redaktör, Biblioteket". Without a unit, the name
    alone; without a name, the email address stands in (someone should then fill in their name)."""
    name = user.get_full_name().strip() or user.email
    unit = user.unit.name if user.unit_id else ""
    return f"/{name}, {unit}" if unit else f"/{name}"


def _accounts_queryset(accounts) -> QuerySet:
    if isinstance(accounts, QuerySet):
        return accounts
    return SocialAccount.objects.filter(pk__in=[account.pk for account in accounts])


def answered_in_time_share(accounts: Iterable[SocialAccount] | QuerySet, since: datetime.datetime) -> list[tuple]:
    """R20, per account: (account, total, in_time, share) for the questions received since `since`.

    `total` counts the questions whose outcome is known: answered, or still open after their
    deadline (late already). A question still open within its deadline is not counted yet: it
    can still be answered in time. `in_time` counts those answered no later than the deadline;
    `share` is in_time / total (a float 0–1), or None when there is nothing to judge.
    One query whatever the number of accounts; the accounts keep the order they came in."""
    now = timezone.now()
    received = Q(inquiries__received_at__gte=since, inquiries__not_question_at__isnull=True)
    judged = received & (Q(inquiries__answered_at__isnull=False) | Q(inquiries__deadline__lt=now))
    in_time = received & Q(inquiries__answered_at__isnull=False, inquiries__answered_at__lte=F("inquiries__deadline"))
    rows = _accounts_queryset(accounts).annotate(
        inquiries_total=Count("inquiries", filter=judged), inquiries_in_time=Count("inquiries", filter=in_time)
    )
    if not isinstance(accounts, QuerySet):
        by_pk = {account.pk: account for account in rows}
        rows = [by_pk[account.pk] for account in accounts if account.pk in by_pk]
    return [
        (
            account,
            account.inquiries_total,
            account.inquiries_in_time,
            account.inquiries_in_time / account.inquiries_total if account.inquiries_total else None,
        )
        for account in rows
    ]


def answer_stats(accounts) -> list[tuple]:
    """The stats for templates/moderation/_answer_stats.html: the share of questions answered in
    time over the last STATS_WINDOW (90 days), per account. One query."""
    return answered_in_time_share(accounts, since=timezone.now() - STATS_WINDOW)


def find_inquiry_overdue(today: datetime.date) -> dict[int, dict]:
    """R20, the scheduled check (hourly): active accounts with questions still open after their
    deadline. `today` is the finders' common signature; the deadline is an instant, so the check
    asks timezone.now(). One query."""
    rows = (
        Inquiry.objects.questions()
        .filter(answered_at__isnull=True, deadline__lt=timezone.now(), account__status=AccountStatus.ACTIVE)
        .order_by("account_id", "deadline", "pk")
        .values_list("account_id", "pk", "deadline")
    )
    found = {}
    for account_id, pk, deadline in rows:
        entry = found.setdefault(account_id, {"inquiries": [], "count": 0})
        entry["inquiries"].append({"id": pk, "deadline": timezone.localtime(deadline).isoformat()})
        entry["count"] += 1
    return found


def most_late_answers(limit: int) -> list[SocialAccount]:
    """R20, for the comms dashboard: the active accounts with the most questions answered late or
    still open after their deadline in the statistics window (90 days), most first. Two queries
    (the ranking in SQL, with its LIMIT, then the accounts), whatever the number of accounts."""
    now = timezone.now()
    late = Q(answered_at__gt=F("deadline")) | Q(answered_at__isnull=True, deadline__lt=now)
    ranked = list(
        Inquiry.objects.questions()
        .filter(late, received_at__gte=now - STATS_WINDOW, account__status=AccountStatus.ACTIVE)
        .order_by()
        .values("account_id")
        .annotate(late=Count("pk"))
        .order_by("-late", "account_id")
        .values_list("account_id", flat=True)[:limit]
    )
    accounts = SocialAccount.objects.select_related("unit").in_bulk(ranked)
    return [accounts[pk] for pk in ranked if pk in accounts]
