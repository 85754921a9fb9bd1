"""R20 from the platforms' own record: questions found among the captured comments and messages
(moderation/question_rules.py says which), answered by the account's own captured reply, with no one
logging them; "not a question"; answers without a signature; reply times per month.

Found questions are Inquiry rows like the logged ones, so the deadline (moderation.deadlines), the
overdue check (R20, hourly) and the statistics treat both alike.

When it runs: after every successful sync of a connection (capture's `items_captured` signal, a task
queued on commit: moderation/receivers.py), and before every run of the overdue check
(scheduled_checks.py, `prepare`), so that a lost signal costs at most an hour. Each run reads only
what was captured or changed since the previous one (QuestionScan), in a constant number of queries.
"""

import datetime
import logging
import statistics
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AccountStatus, Mandate, SocialAccount
from capture.models import CapturedItem, Connection, ItemKind
from falkoping_some.lib.errors import DomainError
from moderation.deadlines import STOCKHOLM, answer_deadline
from moderation.models import Inquiry, InquiryChannel, QuestionScan
from moderation.question_rules import asks, is_signed, rules

logger = logging.getLogger(__name__)

SUMMARY_MAX_LENGTH = Inquiry._meta.get_field("summary").max_length
REASON_MAX_LENGTH = 1000
# The reply times are shown per month over this many months, this one included.
REPLY_TIME_MONTHS = 12
# Answers without a signature are listed for this long back.
UNSIGNED_WINDOW = datetime.timedelta(days=90)


@dataclass
class FindResult:
    found: int = 0
    answered: int = 0


def _summary(text: str) -> str:
    text = " ".join((text or "").split())
    if len(text) <= SUMMARY_MAX_LENGTH:
        return text or "–"
    return text[: SUMMARY_MAX_LENGTH - 1] + "…"


# Finding the questions. --------------------------------------------------------------------------


def _conversation_turn_openers(connection: Connection, conversations: set[str]) -> set[int]:
    """R20 (c): the messages that open a person's turn in these conversations (the first from them
    since the account last wrote). One query."""
    openers, open_turn = set(), {}
    messages = (
        CapturedItem.objects.filter(connection=connection, kind=ItemKind.MESSAGE, thread_platform_id__in=conversations)
        .exclude(published_at__isnull=True)
        .order_by("thread_platform_id", "published_at", "pk")
        .values_list("pk", "thread_platform_id", "by_account")
    )
    for pk, conversation, by_account in messages:
        if by_account:
            open_turn[conversation] = False
        elif not open_turn.get(conversation):
            openers.add(pk)
            open_turn[conversation] = True
    return openers


def find_questions(connection: Connection, now=None) -> FindResult:
    """Make a question (Inquiry) of each new comment or message of `connection` that the rule says asks
    something, and answer the open found questions of its account that the account has replied to.
    Idempotent: an item is a question once (Inquiry.item is unique), an answer is recorded once."""
    now = now or timezone.now()
    result = FindResult()
    account = connection.account
    if account.status != AccountStatus.ACTIVE:
        return result
    rule = rules()
    scan = QuestionScan.objects.filter(connection=connection).first()
    items = CapturedItem.objects.filter(connection=connection)
    if scan is not None:
        items = items.filter(changed_at__gte=scan.seen_until)
    # Read first: what is stored meanwhile has a later (or, from a sync still running, the same)
    # changed_at, and the next run reads from here on, inclusive.
    seen_until = items.aggregate(newest=Max("changed_at"))["newest"]
    candidates = list(
        items.filter(
            kind__in=(ItemKind.COMMENT, ItemKind.MESSAGE),
            by_account=False,
            hidden=False,
            published_at__gte=connection.created_at - rule.history,
            inquiry__isnull=True,
        )
        .select_related("parent")
        .order_by("published_at", "pk")
    )
    conversations = {item.thread_platform_id for item in candidates if item.kind == ItemKind.MESSAGE}
    openers = _conversation_turn_openers(connection, conversations) if conversations else set()
    new = []
    for item in candidates:
        if item.kind == ItemKind.MESSAGE:
            question = item.pk in openers
        else:
            parent = item.parent
            direct = (item.parent_platform_id in ("", item.thread_platform_id)) or (
                parent is not None and (parent.kind == ItemKind.POST or parent.by_account)
            )
            question = asks(item.text, direct, rule)
        if question:
            new.append(
                Inquiry(
                    account_id=account.pk,
                    channel=InquiryChannel.MESSAGE if item.kind == ItemKind.MESSAGE else InquiryChannel.COMMENT,
                    received_at=item.published_at,
                    deadline=answer_deadline(item.published_at),
                    summary=_summary(item.text),
                    item=item,
                    logged_at=now,
                )
            )
    with transaction.atomic():
        if new:
            # A run at the same time (the signal's task and the hourly check) skips what the other wrote.
            result.found = len(Inquiry.objects.bulk_create(new, ignore_conflicts=True))
        result.answered = answer_found_questions(connection)
        if seen_until is not None:
            QuestionScan.objects.update_or_create(
                connection=connection, defaults={"seen_until": seen_until, "scanned_at": now}
            )
    return result


def answer_found_questions(connection: Connection) -> int:
    """Record the account's captured reply as the answer of each open found question of this
    connection (question_rules.py, "The answer"). Three queries, whatever the number of questions."""
    waiting = list(
        Inquiry.objects.filter(
            item__connection=connection, answered_at__isnull=True, not_question_at__isnull=True
        ).select_related("item__parent")
    )
    if not waiting:
        return 0
    since = min(inquiry.item.published_at for inquiry in waiting)
    comments = [inquiry for inquiry in waiting if inquiry.item.kind == ItemKind.COMMENT]
    messages = [inquiry for inquiry in waiting if inquiry.item.kind == ItemKind.MESSAGE]
    replies = CapturedItem.objects.filter(connection=connection, by_account=True, published_at__gt=since).order_by(
        "published_at", "pk"
    )
    answers: dict[int, CapturedItem] = {}
    if comments:
        parents = {inquiry.item.pk for inquiry in comments} | {
            inquiry.item.parent_id
            for inquiry in comments
            if inquiry.item.parent is not None and inquiry.item.parent.kind == ItemKind.COMMENT
        }
        candidates = list(replies.filter(kind=ItemKind.COMMENT, parent_id__in=parents))
        for inquiry in comments:
            question = inquiry.item
            same_chain = question.parent is not None and question.parent.kind == ItemKind.COMMENT
            for reply in candidates:
                if reply.published_at <= question.published_at:
                    continue
                if reply.parent_id == question.pk or (same_chain and reply.parent_id == question.parent_id):
                    answers[inquiry.pk] = reply
                    break
    if messages:
        conversations = {inquiry.item.thread_platform_id for inquiry in messages}
        candidates = list(replies.filter(kind=ItemKind.MESSAGE, thread_platform_id__in=conversations))
        for inquiry in messages:
            question = inquiry.item
            for reply in candidates:
                same_conversation = reply.thread_platform_id == question.thread_platform_id
                if same_conversation and reply.published_at > question.published_at:
                    answers[inquiry.pk] = reply
                    break
    for inquiry in waiting:
        reply = answers.get(inquiry.pk)
        if reply is not None:
            inquiry.answer_item = reply
            inquiry.answered_at = reply.published_at
    answered = [inquiry for inquiry in waiting if inquiry.pk in answers]
    if answered:
        Inquiry.objects.bulk_update(answered, ["answer_item", "answered_at"])
    return len(answered)


def connections_to_scan():
    """The live connections of active accounts that a sync attempted since the finder last read them,
    or that it never read: one query, on the connection's own columns. The others captured nothing
    since (a sync stores only during an attempt), so the hourly check does not ask them again: its
    cost follows the connections synced since the last hour, not all of them. An attempt that was
    still storing when the finder read is read again after the next attempt (from `seen_until`,
    inclusive), or at once by the signal its sync sends when it commits."""
    return (
        Connection.objects.live()
        .filter(account__status=AccountStatus.ACTIVE)
        .filter(Q(question_scan__isnull=True) | Q(last_attempt_at__gte=F("question_scan__scanned_at")))
        .select_related("account")
    )


def find_questions_everywhere(today: datetime.date | None = None) -> FindResult:
    """find_questions for every connection that may hold something new (connections_to_scan): the
    overdue check runs this first (scheduled_checks.py), so that nothing waits on a lost signal. A
    few queries per such connection: each reads only what was captured since its last run."""
    total = FindResult()
    for connection in connections_to_scan():
        try:
            result = find_questions(connection)
        except Exception:
            # One connection's trouble must not keep the overdue check from the others (R20).
            logger.exception("Questions of connection %s not found", connection.pk)
            continue
        total.found += result.found
        total.answered += result.answered
    return total


# Not a question. ---------------------------------------------------------------------------------


def mark_not_question(actor, inquiry: Inquiry, reason: str) -> Inquiry:
    """An editor of the account says a found (or logged) question is not one, and why. The row is
    kept (R3) and leaves the lists, the statistics and the R20 check; auditlog records the change
    with who made it. Undone by unmark_not_question."""
    if not actor.has_perm("moderation.change_record", inquiry):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why it is not a question."))
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(_("Keep the reason to at most %(max)d characters.") % {"max": REASON_MAX_LENGTH})
    with transaction.atomic():
        inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        if inquiry.not_question_at is not None:
            raise DomainError(_("It is already marked as not a question."))
        inquiry.not_question_at = timezone.now()
        inquiry.not_question_by = actor
        inquiry.not_question_reason = reason
        inquiry.save(update_fields=["not_question_at", "not_question_by", "not_question_reason"])
    return inquiry


def unmark_not_question(actor, inquiry: Inquiry) -> Inquiry:
    """Undo "not a question": it counts again, with its deadline as it was. Who marked it and why stays in the
    audit trail."""
    if not actor.has_perm("moderation.change_record", inquiry):
        raise PermissionDenied
    with transaction.atomic():
        inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        if inquiry.not_question_at is None:
            raise DomainError(_("It is not marked as not a question."))
        inquiry.not_question_at, inquiry.not_question_by, inquiry.not_question_reason = None, None, ""
        inquiry.save(update_fields=["not_question_at", "not_question_by", "not_question_reason"])
    return inquiry


# The signature (R20). ----------------------------------------------------------------------------


def unit_names(account: SocialAccount) -> list[str]:
    """The account's unit and those above it (a department signs with either)."""
    names, unit, seen = [], account.unit, set()
    while unit is not None and unit.pk not in seen:
        seen.add(unit.pk)
        names.append(unit.name)
        unit = unit.parent
    return names


def editors_first_names(account: SocialAccount, today: datetime.date) -> list[str]:
    """The first names of those who edit the account or have edited it in the last year."""
    since = today - datetime.timedelta(days=365)
    mandates = Mandate.objects.filter(account=account).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=since))
    return sorted({name for name in mandates.values_list("user__first_name", flat=True) if name})


def account_signature(user, account: SocialAccount) -> str:
    """R20: the signature to paste: the editor's full name and the account's unit,
    "/Rebecka Redaktör, Biblioteket"."""
    name = user.get_full_name().strip() or user.email
    return f"/{name}, {account.unit.name}" if account.unit_id else f"/{name}"


def unsigned_answers(account: SocialAccount, now=None) -> list[Inquiry]:
    """R20: the found questions of the last UNSIGNED_WINDOW whose captured answer does not end with a
    name and a department (question_rules.is_signed), newest first."""
    now = now or timezone.now()
    answered = (
        Inquiry.objects.questions()
        .filter(account=account, answer_item__isnull=False, answered_at__gte=now - UNSIGNED_WINDOW)
        .select_related("answer_item", "item")
        .order_by("-answered_at", "-pk")
    )
    rule = rules()
    names, units = editors_first_names(account, timezone.localdate(now)), unit_names(account)
    return [inquiry for inquiry in answered if not is_signed(inquiry.answer_item.text, names, units, rule)]


# Reply times per month. --------------------------------------------------------------------------


@dataclass
class MonthReplies:
    month: datetime.date  # the first of the month
    received: int = 0
    answered: int = 0
    judged: int = 0  # answered, or open after the deadline
    in_time: int = 0
    median: datetime.timedelta | None = None  # to the first reply, elapsed time

    @property
    def share(self) -> float | None:
        return self.in_time / self.judged if self.judged else None

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share * 100)

    @property
    def median_hours(self) -> float | None:
        return None if self.median is None else self.median.total_seconds() / 3600


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _months_back(first: datetime.date, count: int) -> list[datetime.date]:
    months = [first]
    for _i in range(count - 1):
        previous = months[-1] - datetime.timedelta(days=1)
        months.append(previous.replace(day=1))
    return list(reversed(months))


def monthly_reply_times(accounts=None, now=None, months: int = REPLY_TIME_MONTHS) -> list[MonthReplies]:
    """R20, per month of receipt (Stockholm time) over the last `months` months, this one included:
    questions received, answered, the median elapsed time to the first reply (the answered ones), and
    the share answered within the deadline of those judged (answered, or still open after their
    deadline; one still within it is not judged yet). `accounts`: a queryset or list of accounts, or
    None for every account. "Not a question" is left out. One query."""
    now = now or timezone.now()
    this_month = _month_start(now.astimezone(STOCKHOLM).date())
    firsts = _months_back(this_month, months)
    start = datetime.datetime.combine(firsts[0], datetime.time(), tzinfo=STOCKHOLM)
    rows = Inquiry.objects.questions().filter(received_at__gte=start)
    if accounts is not None:
        rows = rows.filter(account__in=accounts)
    by_month = {month: MonthReplies(month) for month in firsts}
    waits: dict[datetime.date, list[datetime.timedelta]] = {month: [] for month in firsts}
    for received_at, deadline, answered_at in rows.order_by().values_list("received_at", "deadline", "answered_at"):
        month = _month_start(received_at.astimezone(STOCKHOLM).date())
        entry = by_month.get(month)
        if entry is None:
            continue
        entry.received += 1
        if answered_at is not None:
            entry.answered += 1
            entry.judged += 1
            waits[month].append(answered_at - received_at)
            if answered_at <= deadline:
                entry.in_time += 1
        elif deadline < now:
            entry.judged += 1
    for month, entry in by_month.items():
        if waits[month]:
            entry.median = statistics.median(waits[month])
    return [by_month[month] for month in firsts]
