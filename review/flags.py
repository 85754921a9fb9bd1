"""The review queue (granskning): flags that the scheduled checks raise for the communications
department (R6, R15, R19). Comms acknowledges a flag (it has been seen), resolves it, dismisses it
with a reason, or, for an account inactive for more than six months, closes the account (R15)
and resolves the flag in one step.

`open → acknowledged → resolved | dismissed` (DESIGN.md). A resolved or dismissed flag is closed
for good. After a resolved flag, the check raises a new one while the condition is there. A
dismissal stays decided: no new flag is raised while the condition persists, until the review date
comms chose (review/scheduled_checks.py); the queue lists the dismissals waiting for it. Every write goes
through ReviewFlag.save(), so the audit trail (auditlog) records who changed what.

Permission is refused with PermissionDenied (the view answers 403), a refused state with
DomainError (the view shows its message).
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Value, When
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import ClosingReason
from accounts.services.lifecycle import close_account
from falkoping_some.lib.errors import DomainError
from review.models import OPEN_FLAG_STATUSES, FlagKind, FlagStatus, ReviewFlag
from review.scheduled_checks import DISMISSED_BEFORE, connector_label

PAGE_SIZE = 50

# The order of the queue: what the routine asks comms to act on first. An account inactive for
# six months shall be closed (R6, R15); one without any editor has nobody to post or to answer
# questions (R10, R20); too few posts (R19) is a matter for the editors first; a mandate that
# ends soon is a notice to the manager, not yet a breach. A stopped connection loses the account's
# public record (R3) for as long as it lasts; a token that ends soon is a notice, like a mandate.
# Lower is more serious.
FLAG_SEVERITY = {
    FlagKind.CRIMINAL_NOT_REPORTED: 0,  # R22: a crime against someone, waiting for its report
    FlagKind.INACTIVE_6_MONTHS: 1,
    FlagKind.INQUIRY_OVERDUE: 2,  # R20: a resident waiting for an answer
    FlagKind.CONNECTION_BROKEN: 3,  # R3: nothing of the account is captured until it is fixed
    FlagKind.NO_ACTIVE_EDITOR: 4,
    FlagKind.SELF_CHECK_ANSWERED_NO: 5,  # R4, R5, R7–R9: the editor says a conduct rule is broken
    FlagKind.POSTING_SHORTFALL: 6,
    FlagKind.SELF_CHECK_OVERDUE: 7,
    # R5: a profile that says something else than the registry is for the editors to correct.
    FlagKind.PROFILE_DESCRIPTION_DIFFERS: 8,
    FlagKind.MANDATE_EXPIRING: 9,
    FlagKind.TOKEN_EXPIRING: 10,
}
SEVERITY = Case(
    *(When(kind=kind, then=Value(rank)) for kind, rank in FLAG_SEVERITY.items()),
    default=Value(len(FLAG_SEVERITY)),  # a kind added later sorts after the known ones
    output_field=IntegerField(),
)

# Kept in the flag's reason, in the language of the catalogue at the time of closing.
CLOSED_ACCOUNT_REASON = gettext_noop("The account was closed (R15)")

# A dismissal is looked at again after this, unless comms chooses another day: a season, a
# parental leave. Never later than DISMISSAL_REVIEW_LATEST, so that no finding is set aside for good.
DISMISSAL_REVIEW_AFTER = relativedelta(months=3)
DISMISSAL_REVIEW_LATEST = relativedelta(years=1)


def review_dates(today: datetime.date | None = None) -> dict[str, datetime.date]:
    """The review dates a dismissal may have, from `today`: the default, the first and the last."""
    today = today or timezone.localdate()
    return {
        "default": today + DISMISSAL_REVIEW_AFTER,
        "first": today + datetime.timedelta(days=1),
        "last": today + DISMISSAL_REVIEW_LATEST,
    }


def _require_reviewer(actor):
    if not actor.has_perm("flag.review"):
        raise PermissionDenied


def _locked(flag: ReviewFlag) -> ReviewFlag:
    """The flag, locked for this transaction, refused when it is already resolved or dismissed
    (by someone else at the same moment, or earlier)."""
    # Only the flag's row is locked: decided_by is a nullable (outer) join, which PostgreSQL
    # refuses to lock; the account is locked by close_account when it is closed.
    locked = ReviewFlag.objects.select_for_update(of=("self",)).select_related("account", "decided_by").get(pk=flag.pk)
    if locked.status not in OPEN_FLAG_STATUSES:
        when = (
            formats.date_format(timezone.localtime(locked.closed_at), "SHORT_DATETIME_FORMAT")
            if locked.closed_at
            else "–"
        )
        raise DomainError(
            _("The flag is already “%(status)s” (%(who)s, %(when)s): there is nothing more to do with it.")
            % {"status": locked.get_status_display(), "who": locked.decided_by or _("a scheduled check"), "when": when}
        )
    return locked


def acknowledge_flag(actor, flag: ReviewFlag) -> ReviewFlag:
    """Comms has seen the flag and is looking into it. It stays in the queue."""
    _require_reviewer(actor)
    with transaction.atomic():
        flag = _locked(flag)
        if flag.status == FlagStatus.ACKNOWLEDGED:
            raise DomainError(
                _("The flag was already acknowledged by %(who)s.") % {"who": flag.decided_by or _("someone")}
            )
        flag.status = FlagStatus.ACKNOWLEDGED
        flag.acknowledged_at = timezone.now()
        flag.decided_by = actor
        flag.save(update_fields=["status", "acknowledged_at", "decided_by"])
    return flag


def resolve_flag(actor, flag: ReviewFlag, note: str = "") -> ReviewFlag:
    """Comms has dealt with what the flag found (spoken with the editors, granted a mandate…)."""
    _require_reviewer(actor)
    with transaction.atomic():
        flag = _locked(flag)
        return _resolve(actor, flag, (note or "").strip())


def _resolve(actor, flag: ReviewFlag, reason: str) -> ReviewFlag:
    flag.status = FlagStatus.RESOLVED
    flag.closed_at = timezone.now()
    flag.decided_by = actor
    flag.reason = reason
    flag.save(update_fields=["status", "closed_at", "decided_by", "reason"])
    return flag


def dismiss_flag(actor, flag: ReviewFlag, reason: str, review_on: datetime.date | None = None) -> ReviewFlag:
    """The finding needs no action (a seasonal account, a known pause…): the reason is required,
    so that the decision can be read later. The dismissal holds until `review_on` (by default
    DISMISSAL_REVIEW_AFTER from today; after today, at most DISMISSAL_REVIEW_LATEST ahead) unless
    the condition goes away first; while it holds, the checks raise no new flag of the account and
    kind, and so the digest mails nothing about it."""
    _require_reviewer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for dismissing the flag."))
    now = timezone.now()
    dates = review_dates(timezone.localdate(now))
    review_on = review_on or dates["default"]
    if review_on < dates["first"]:
        raise DomainError(_("The day to look at the flag again must be after today."))
    if review_on > dates["last"]:
        raise DomainError(
            _("The day to look at the flag again can be at most a year ahead, %(date)s.")
            % {"date": formats.date_format(dates["last"], "SHORT_DATE_FORMAT")}
        )
    with transaction.atomic():
        flag = _locked(flag)
        # An earlier dismissal of the account and kind no longer stands once this one is made
        # (one standing dismissal per account and kind, a database constraint).
        ReviewFlag.objects.filter(
            account_id=flag.account_id, kind=flag.kind, status=FlagStatus.DISMISSED, lapsed_at__isnull=True
        ).update(lapsed_at=now)
        flag.status = FlagStatus.DISMISSED
        flag.closed_at = now
        flag.decided_by = actor
        flag.reason = reason
        flag.review_on = review_on
        flag.save(update_fields=["status", "closed_at", "decided_by", "reason", "review_on"])
    return flag


def check_closes_account(flag: ReviewFlag):
    """R15: only a flag for an account inactive for more than six months closes its account."""
    if flag.kind != FlagKind.INACTIVE_6_MONTHS:
        raise DomainError(_("Only a flag for an account inactive for more than six months closes the account (R15)."))


def close_account_for_inactivity(
    actor, flag: ReviewFlag, note: str = "", reason: str = ClosingReason.INACTIVE_6_MONTHS, waiver: str = ""
) -> ReviewFlag:
    """R6, R15: an account inactive for more than six months shall be closed. Closes the account
    (it leaves the public list, R16) with the reason comms confirmed, and resolves its flag, both
    or neither. As on the account's own close page, not before its final archive (issue 19) unless
    comms gives `waiver`, why it is closed without one (close_account decides)."""
    _require_reviewer(actor)
    with transaction.atomic():
        flag = _locked(flag)
        check_closes_account(flag)
        close_account(actor, flag.account, reason, note or "", waiver=waiver)
        return _resolve(actor, flag, _(CLOSED_ACCOUNT_REASON))


def queue(filters: dict | None = None, page_number=None):
    """The open flags (open or acknowledged), the most serious kind first (FLAG_SEVERITY), the
    newest first within a kind; `filters` may hold `kind` (a FlagKind value) and `unit` (an
    OrgUnit: its accounts and those of every unit below it). One page of PAGE_SIZE."""
    filters = filters or {}
    flags = (
        ReviewFlag.objects.filter(status__in=OPEN_FLAG_STATUSES)
        .select_related("account", "account__unit")
        .annotate(severity=SEVERITY)
        .order_by("severity", "-raised_at", "-pk")
    )
    if filters.get("kind"):
        flags = flags.filter(kind=filters["kind"])
    if filters.get("unit"):
        flags = flags.filter(account__unit__path__startswith=filters["unit"].path)
    return Paginator(flags, PAGE_SIZE).get_page(page_number)


def waiting_dismissals(filters: dict | None = None, page_number=None):
    """The dismissals that stand (not lapsed), the next review date first: the flags that the
    checks will raise again on that day if their condition is still there. Filtered as queue()."""
    filters = filters or {}
    flags = (
        ReviewFlag.objects.filter(status=FlagStatus.DISMISSED, lapsed_at__isnull=True)
        .select_related("account", "account__unit", "decided_by")
        .order_by("review_on", "pk")
    )
    if filters.get("kind"):
        flags = flags.filter(kind=filters["kind"])
    if filters.get("unit"):
        flags = flags.filter(account__unit__path__startswith=filters["unit"].path)
    return Paginator(flags, PAGE_SIZE).get_page(page_number)


def flag_counts() -> list[tuple[str, str, int]]:
    """Open flags by kind, as (kind, label, count) for every kind, in the queue's order: one query."""
    counts = dict(
        ReviewFlag.objects.filter(status__in=OPEN_FLAG_STATUSES).order_by().values_list("kind").annotate(n=Count("pk"))
    )
    kinds = sorted(FlagKind.choices, key=lambda choice: FLAG_SEVERITY.get(choice[0], len(FLAG_SEVERITY)))
    return [(value, label, counts.get(value, 0)) for value, label in kinds]


# What the checks write into a flag's evidence (review/scheduled_checks.py). Read defensively: a flag
# raised by an older version of a check, or edited in the admin, may lack a key ("–").
MISSING = "–"


def _day(value) -> str:
    """An ISO date from the evidence, in the language's short format; as it is if it is not one."""
    if not value:
        return MISSING
    try:
        return formats.date_format(datetime.date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return str(value)


def _moment(value) -> str:
    """An ISO date and time from the evidence, in the language's short format."""
    if not value:
        return MISSING
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")


def _week_range(weeks) -> str:
    """["2026-W40", …, "2026-W43"] → "40–43"; across a new year "52 (2025)–3 (2026)"."""
    if not isinstance(weeks, list) or not weeks:
        return MISSING
    parsed = []
    for week in (weeks[0], weeks[-1]):
        year, _sep, number = str(week).partition("-W")
        if not number.isdigit():
            return f"{weeks[0]}–{weeks[-1]}" if len(weeks) > 1 else str(weeks[0])
        parsed.append((year, int(number)))
    (first_year, first), (last_year, last) = parsed
    if (first_year, first) == (last_year, last):
        return str(first)
    if first_year == last_year:
        return f"{first}–{last}"
    return f"{first} ({first_year})–{last} ({last_year})"


def _number(value, decimals=None) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return MISSING
    return formats.number_format(value, decimals, use_l10n=True)


def describe_evidence(flag: ReviewFlag) -> dict:
    """The evidence of a flag, ready for templates/review/_flag_evidence.html; for a flag raised
    again on its dismissal's review date, with that dismissal (`dismissed_before`)."""
    described = _describe_finding(flag)
    evidence = flag.evidence if isinstance(flag.evidence, dict) else {}
    earlier = evidence.get(DISMISSED_BEFORE)
    if isinstance(earlier, dict):
        described["dismissed_before"] = {
            "on": _day(earlier.get("dismissed_on")),
            "by": earlier.get("dismissed_by") or MISSING,
            "reason": earlier.get("reason") or MISSING,
            "review_on": _day(earlier.get("review_on")),
        }
    return described


def _window_sources(evidence: dict) -> dict:
    """Where a shortfall's weeks were read (activity/sources.py): "platform", "manual" or "both",
    and for "both" which of the window's weeks came from each."""
    source = evidence.get("source")
    if source not in ("platform", "manual", "both"):
        return {"source": None}
    weeks = evidence.get("weeks") if isinstance(evidence.get("weeks"), list) else []
    since = evidence.get("platform_from") or ""
    return {
        "source": source,
        # ISO weeks as 2026-W05 compare in order as text.
        "manual_weeks": _week_range([w for w in weeks if isinstance(w, str) and not (since and w >= since)]),
        "platform_weeks": _week_range([w for w in weeks if isinstance(w, str) and since and w >= since]),
    }


def _describe_finding(flag: ReviewFlag) -> dict:
    evidence = flag.evidence if isinstance(flag.evidence, dict) else {}
    if flag.kind == FlagKind.INACTIVE_6_MONTHS:
        return {
            "last_post": _day(evidence.get("last_post")),
            "never_posted": "last_post" in evidence and not evidence["last_post"],
            "since": _day(evidence.get("since")),
            "activated_on": _day(evidence.get("activated_on")),
            # activity/sources.py: "platform" (a captured post, exact to the day) or "manual" (a
            # logged week's Sunday, exact only to the week); absent in flags raised before issue 19.
            "source": evidence.get("source") if evidence.get("source") in ("platform", "manual") else None,
        }
    if flag.kind == FlagKind.POSTING_SHORTFALL:
        return {
            "average": _number(evidence.get("average"), 2),
            "weeks": _week_range(evidence.get("weeks")),
            "posts": _number(evidence.get("posts")),
            **_window_sources(evidence),
        }
    if flag.kind in (FlagKind.CONNECTION_BROKEN, FlagKind.TOKEN_EXPIRING):
        connections = evidence.get("connections")
        return {
            "connections": [
                {
                    "label": connector_label(c.get("connector")),
                    "name": c.get("name") or MISSING,
                    "error": c.get("error") or MISSING,
                    "since": _day(c.get("since")),
                    "expires": _day(c.get("expires")),
                }
                for c in (connections if isinstance(connections, list) else [])
                if isinstance(c, dict)
            ]
        }
    if flag.kind == FlagKind.PROFILE_DESCRIPTION_DIFFERS:
        return {
            "registry": evidence.get("registry") or "",
            "platform": evidence.get("platform") or "",
            "taken_at": _moment(evidence.get("taken_at")),
            "label": connector_label(evidence.get("connector")),
        }
    if flag.kind == FlagKind.MANDATE_EXPIRING:
        mandates = evidence.get("mandates")
        return {
            "mandates": [
                {"editor": m.get("editor") or MISSING, "valid_until": _day(m.get("valid_until"))}
                for m in (mandates if isinstance(mandates, list) else [])
                if isinstance(m, dict)
            ]
        }
    return {}
