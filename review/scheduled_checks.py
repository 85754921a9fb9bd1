"""The scheduled checks (DESIGN.md, "Scheduled checks"): the routine's rules that a calendar can
break, asked of every active account at once.

Each check is one set-based query that returns the accounts breaking its rule, with the evidence
for each. `apply_findings()` then brings the review flags of that kind in line with the finding:
it raises a flag for an account found without an open one, refreshes the evidence of flags that
stay open, and resolves the open flags of accounts no longer found (the condition is gone, or the
account is no longer active). Running a check twice changes nothing; every run is recorded as a
CheckRun. The daily digest tells the editors and managers of the accounts about new flags.

A flag that comms dismissed stays decided (DESIGN.md, ReviewFlag): while its condition persists and
its review date has not come, no new flag of its account and kind is raised (and so none is
mailed). A run that finds the condition gone lets the dismissal lapse, so that the condition
coming back raises a new flag; on the review date, with the condition still there, the dismissal
lapses and a new flag is raised whose evidence tells of the dismissal (DISMISSED_BEFORE).

At scale (bench/checks.py) each check also has its finding as a queryset with the evidence
built in SQL (Check.finding): on PostgreSQL run_check brings the flags in line in one statement
(apply_finding_sql) and no row of the finding comes into Python, so the worker's memory does not
grow with the number of accounts. On SQLite, and for one account's self-check, the find_* functions
and apply_findings do it in Python, with the same result (accounts/tests/test_checks_scale.py).
"""

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import (
    CharField,
    DateField,
    Exists,
    F,
    Func,
    JSONField,
    Max,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce, JSONObject, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import Mandate, SocialAccount, User
from accounts.notifications import MANDATE_EXPIRY_NOTICE, notify
from capture.models import Connection, ConnectionState, ConnectorKind, ProfileSnapshot
from review.models import OPEN_FLAG_STATUSES, CheckRun, FlagKind, FlagStatus, ReviewFlag, SelfCheck

# The yearly self-check (R4, R5, R7, R8, R9): due twelve calendar months after the last one, or
# after the activation for an account never checked; overdue from the day after that.
SELF_CHECK_INTERVAL = relativedelta(months=12)

# Stored as the msgid, translated where it is shown (as services/flags.py does with its reasons).
RESOLVED_REASON = gettext_noop("The condition is gone.")
DIGEST = "digest"  # the CheckRun name of the daily digest
# The key, in the evidence of a flag raised again on its dismissal's review date, of that dismissal:
# {"flag", "dismissed_on", "dismissed_by", "reason", "review_on"}. Kept while the flag stays open.
DISMISSED_BEFORE = "dismissed_before"


@dataclass(frozen=True)
class Check:
    """One scheduled check: the rule it asks of every active account and the flag kind it raises.
    `find(today)` returns {account id: evidence} in Python; `finding(today)`, where given, is the
    same finding as a queryset of accounts (or of rows grouped by `account`) annotated with
    `evidence`, for PostgreSQL (finding_rows). `order` is where it runs among the others.
    `prepare(today)`, where given, runs before the check (not in a dry run), in its own transactions:
    what brings the data up to date first (R20: the questions found among captured items)."""

    name: str
    kind: str
    find: Callable[[datetime.date], dict[int, dict]]
    finding: Callable | None = None
    order: int = 100
    prepare: Callable[[datetime.date], object] | None = None


# Every check, in the order run_checks() runs them. Each app registers its own checks when it is
# ready (activity: R6, R15, R19; moderation: R20, R22; review's own below), so this module never
# needs to know the models of the apps above it.
CHECKS: dict[str, Check] = {}


def register(check: Check) -> Check:
    """Add a check to CHECKS (once; the same name twice is a programming error)."""
    if CHECKS.get(check.name, check) != check:
        raise ImproperlyConfigured(f"Two scheduled checks are named {check.name!r}.")
    CHECKS[check.name] = check
    ordered = sorted(CHECKS.values(), key=lambda c: (c.order, c.name))
    CHECKS.clear()
    CHECKS.update((c.name, c) for c in ordered)
    return check


# Review's own checks. Each takes the day and returns {account id: evidence} in one query. --------


def find_no_active_editor(today: datetime.date) -> dict[int, dict]:
    """R10: active accounts that nobody may work with, because no mandate is in force."""
    rows = _no_active_editor(today).values_list("pk", flat=True)
    return {pk: {} for pk in rows}


def _no_active_editor(today: datetime.date):
    in_force = Mandate.objects.active_on(today).filter(account=OuterRef("pk"))
    return SocialAccount.objects.active().filter(~Exists(in_force))


def find_mandate_expiring(today: datetime.date) -> dict[int, dict]:
    """R10: active accounts with a mandate in force that ends within MANDATE_EXPIRY_NOTICE. The
    manager's notice about each mandate is sent by accounts.notifications; this is comms' view."""
    mandates = (
        Mandate.objects.active_on(today)
        .filter(valid_until__lte=today + MANDATE_EXPIRY_NOTICE, account__status="active")
        .select_related("user")
        .order_by("account_id", "valid_until", "pk")
    )
    found = {}
    for mandate in mandates:
        entry = {"editor": str(mandate.user), "valid_until": mandate.valid_until.isoformat()}
        found.setdefault(mandate.account_id, {"mandates": []})["mandates"].append(entry)
    return found


def self_check_due(last_answered: datetime.date | None, activated_on: datetime.date | None) -> datetime.date | None:
    """The last day on which the next yearly self-check is in time: twelve calendar months after
    the last one (its local date), or after the activation when the account was never checked.
    A self-check answered on 29 February is due on 28 February the year after, as a person counts."""
    start = last_answered or activated_on
    return start + SELF_CHECK_INTERVAL if start else None


def find_self_check_overdue(today: datetime.date, accounts=None) -> dict[int, dict]:
    """R4, R5, R7, R8, R9: active accounts whose last yearly self-check is more than twelve
    months old, or that were never checked and were activated more than twelve months ago.
    `accounts` (primary keys) narrows the question to those accounts.

    One query. A bound in SQL picks every candidate (SQLite has no calendar arithmetic, and
    "twelve months before 29 February" is not "twelve months after" read backwards); the exact
    rule, the due date of `self_check_due`, decides in Python, so a page and the check agree."""
    bound = today - SELF_CHECK_INTERVAL  # overdue needs a start on or before this day
    bound_at = timezone.make_aware(datetime.datetime.combine(bound + datetime.timedelta(days=1), datetime.time()))
    rows = SocialAccount.objects.active()
    if accounts is not None:
        rows = rows.filter(pk__in=accounts)
    rows = (
        rows.annotate(last_at=Max("self_checks__answered_at"))
        .filter(Q(last_at__lt=bound_at) | Q(last_at__isnull=True, activated_on__lte=bound))
        .values_list("pk", "activated_on", "last_at")
    )
    found = {}
    for pk, activated_on, last_at in rows:
        last = timezone.localdate(last_at) if last_at else None
        due = self_check_due(last, activated_on)
        if due < today:
            found[pk] = {
                "last_self_check": last.isoformat() if last else None,
                "due": due.isoformat(),
                "activated_on": activated_on.isoformat(),
            }
    return found


def find_self_check_no(today: datetime.date, accounts=None) -> dict[int, dict]:
    """R4, R5, R7, R8, R9: active accounts whose latest yearly self-check has a "no", for comms.
    Only the latest counts: a later self-check answered yes throughout resolves the flag.
    `accounts` (primary keys) narrows the question to those accounts. One query."""
    # The latest: no later one (a tie on the time goes to the higher pk). An anti-join, where
    # "pk = (SELECT ... ORDER BY ... LIMIT 1)" made PostgreSQL nest loops over every row (quadratic).
    later = SelfCheck.objects.filter(account=OuterRef("account")).filter(
        Q(answered_at__gt=OuterRef("answered_at")) | Q(answered_at=OuterRef("answered_at"), pk__gt=OuterRef("pk"))
    )
    any_no = Q()
    for name, _rule in SelfCheck.QUESTIONS:
        any_no |= Q(**{name: False})
    checks = SelfCheck.objects.filter(any_no, ~Exists(later), account__status="active")
    if accounts is not None:
        checks = checks.filter(account__in=accounts)
    return {
        check.account_id: {
            "self_check": check.pk,
            "answered_on": timezone.localdate(check.answered_at).isoformat(),
            "answered_by": str(check.answered_by),
            "rules": check.answers_no,
            "comment": check.comment,
        }
        for check in checks.select_related("answered_by").order_by()
    }


# The same findings as sets, for PostgreSQL. ----------------------------------------------------
#
# Each check's finding is also a queryset of the accounts found (or of rows grouped by account) with
# their evidence built in SQL (JSONObject, JSONBAgg), the same values as the find_* functions build
# in Python (accounts/tests/test_checks_scale.py holds them to it). run_check then brings the flags
# in line in one statement (apply_finding_sql) and the rows never come into Python: the worker's
# memory stays flat whatever the number of accounts. The date arithmetic and the aggregates are
# PostgreSQL's; on SQLite (the embedded default, one municipality) run_check uses the find_* functions.


def finding_no_active_editor(today: datetime.date):
    return _no_active_editor(today).annotate(evidence=JSONObject())


def finding_self_check_overdue(today: datetime.date):
    """The due date of `self_check_due` in SQL: PostgreSQL adds calendar months as relativedelta
    does (29 February plus twelve months is 28 February)."""
    last_on = TruncDate("last_at", tzinfo=timezone.get_current_timezone())
    due = Func(
        Coalesce(last_on, F("activated_on")),
        template="((%(expressions)s) + INTERVAL '12 months')::date",
        output_field=DateField(),
    )
    return (
        SocialAccount.objects.active()
        .annotate(last_at=Max("self_checks__answered_at"))
        .annotate(due=due)
        .filter(due__lt=today)
        .annotate(evidence=JSONObject(last_self_check=last_on, due=F("due"), activated_on=F("activated_on")))
    )


def user_name_sql(prefix: str = ""):
    """str(user) in SQL: the full name, or the email when there is none (User.__str__; TRIM takes
    the spaces off the ends, as str.strip() does for the names people have)."""
    first, last, email = (F(f"{prefix}{name}") for name in ("first_name", "last_name", "email"))
    full = Func(first, last, template="NULLIF(TRIM(%(expressions)s), '')", arg_joiner=" || ' ' || ")
    return Coalesce(full, email, output_field=CharField())


def finding_mandate_expiring(today: datetime.date):
    """Grouped by account over the expiring mandates (one aggregate, no subquery per account)."""
    # PostgreSQL only (imported here: django.contrib.postgres needs psycopg, which SQLite does not).
    from django.contrib.postgres.aggregates import JSONBAgg

    return (
        Mandate.objects.active_on(today)
        .filter(valid_until__lte=today + MANDATE_EXPIRY_NOTICE, account__status="active")
        .order_by()
        .values("account")
        .annotate(
            evidence=JSONObject(
                mandates=JSONBAgg(
                    JSONObject(editor=user_name_sql("user__"), valid_until=F("valid_until")),
                    order_by=("valid_until", "pk"),
                )
            )
        )
    )


def finding_self_check_no(today: datetime.date):
    later = SelfCheck.objects.filter(account=OuterRef("account")).filter(
        Q(answered_at__gt=OuterRef("answered_at")) | Q(answered_at=OuterRef("answered_at"), pk__gt=OuterRef("pk"))
    )
    any_no = Q()
    for name, _rule in SelfCheck.QUESTIONS:
        any_no |= Q(**{name: False})
    # SelfCheck.answers_no: the rules answered no, in the order asked. The rule codes are constants.
    answered_no = [
        Func(F(name), template=f"CASE WHEN NOT %(expressions)s THEN '{rule}' END", output_field=CharField())
        for name, rule in SelfCheck.QUESTIONS
    ]
    rules = Func(
        *answered_no, template="TO_JSONB(ARRAY_REMOVE(ARRAY[%(expressions)s], NULL)::text[])", output_field=JSONField()
    )
    latest_no = SelfCheck.objects.filter(any_no, ~Exists(later), account=OuterRef("pk"))
    evidence = latest_no.annotate(
        evidence=JSONObject(
            self_check=F("pk"),
            answered_on=TruncDate("answered_at", tzinfo=timezone.get_current_timezone()),
            answered_by=user_name_sql("answered_by__"),
            rules=rules,
            comment=F("comment"),
        )
    ).values("evidence")[:1]
    return (
        SocialAccount.objects.active()
        .filter(Exists(latest_no))
        .annotate(evidence=Subquery(evidence, output_field=JSONField()))
    )


register(Check("no_editor", FlagKind.NO_ACTIVE_EDITOR, find_no_active_editor, finding_no_active_editor, order=30))
register(
    Check("mandate_expiring", FlagKind.MANDATE_EXPIRING, find_mandate_expiring, finding_mandate_expiring, order=40)
)
register(
    Check(
        "self_check_overdue", FlagKind.SELF_CHECK_OVERDUE, find_self_check_overdue, finding_self_check_overdue, order=70
    )
)
register(Check("self_check_no", FlagKind.SELF_CHECK_ANSWERED_NO, find_self_check_no, finding_self_check_no, order=80))
# The checks that a self-check, once answered, brings in line at once for its account.
SELF_CHECK_CHECKS = ("self_check_overdue", "self_check_no")


# The connections to the platforms (R3, capture). ------------------------------------------------

# Comms hears this long before a connection's token ends, to get a new one from the platform in time
# (issue 18): the same notice as a mandate's (R10).
TOKEN_EXPIRY_NOTICE = datetime.timedelta(days=14)


def _connections(accounts=None):
    """The live connections (not removed) of active accounts, `accounts` (primary keys) only if given."""
    rows = Connection.objects.live().filter(account__status="active")
    if accounts is not None:
        rows = rows.filter(account__in=accounts)
    return rows.order_by("account_id", "kind", "pk")


def find_connection_broken(today: datetime.date, accounts=None) -> dict[int, dict]:
    """R3: active accounts with a connection that the platform stopped (a refused token, an account
    the platform no longer knows): nothing of it is captured until comms gives it a new token. The
    flag is also raised at once when the sync stops it (review/receivers.py). One query."""
    found = {}
    for row in _connections(accounts).filter(state=ConnectionState.BROKEN):
        entry = {
            "connection": row.pk,
            "connector": row.kind,
            "name": row.external_name or row.external_id,
            "error": row.last_error,
            "since": timezone.localdate(row.last_error_at).isoformat() if row.last_error_at else None,
        }
        found.setdefault(row.account_id, {"connections": []})["connections"].append(entry)
    return found


def find_token_expiring(today: datetime.date, accounts=None) -> dict[int, dict]:
    """Active accounts with a live connection whose token ends within TOKEN_EXPIRY_NOTICE, or has
    ended: comms gets a new one from the platform before the capture stops. One query."""
    bound = timezone.make_aware(datetime.datetime.combine(today + TOKEN_EXPIRY_NOTICE, datetime.time.max))
    found = {}
    for row in _connections(accounts).filter(token_expires_at__lte=bound):
        entry = {
            "connection": row.pk,
            "connector": row.kind,
            "name": row.external_name or row.external_id,
            "expires": timezone.localdate(row.token_expires_at).isoformat(),
        }
        found.setdefault(row.account_id, {"connections": []})["connections"].append(entry)
    return found


register(Check("connection_broken", FlagKind.CONNECTION_BROKEN, find_connection_broken, order=90))
register(Check("token_expiring", FlagKind.TOKEN_EXPIRING, find_token_expiring, order=91))
# The checks that bring one account's connection flags in line at once (align_connection_flags).
CONNECTION_CHECKS = ("connection_broken", "token_expiring")


# The profile's description (R5, capture's profile snapshots). ------------------------------------


def normalised_description(text: str | None) -> str:
    """A description as R5 compares it: whitespace runs as one space, without regard to case."""
    return " ".join((text or "").split()).casefold()


def find_profile_description_differs(today: datetime.date, accounts=None) -> dict[int, dict]:
    """R5: active accounts whose platform describes them otherwise than the registry does, by the
    latest profile snapshot of each (capture/profiles.py). An account never snapshotted is not
    judged. One query."""
    rows = ProfileSnapshot.objects.latest_per_account().filter(account__status="active")
    if accounts is not None:
        rows = rows.filter(account__in=accounts)
    found = {}
    for account_id, pk, taken_at, platform_text, registry_text, kind in rows.order_by().values_list(
        "account_id", "pk", "taken_at", "description", "account__description", "connection__kind"
    ):
        if normalised_description(platform_text) != normalised_description(registry_text):
            found[account_id] = {
                "snapshot": pk,
                "taken_at": timezone.localtime(taken_at).isoformat(),
                "connector": kind,
                "registry": registry_text,
                "platform": platform_text,
            }
    return found


register(Check("profile_description", FlagKind.PROFILE_DESCRIPTION_DIFFERS, find_profile_description_differs, order=95))


def align_profile_flags(account_ids, today: datetime.date | None = None) -> None:
    """Bring the R5 flag of these accounts in line now, right after a profile snapshot is stored
    (review/receivers.py), without touching any other account's flags (as align_self_check_flags)."""
    today = today or timezone.localdate()
    account_ids = list(account_ids)
    check = CHECKS["profile_description"]
    apply_findings(check.kind, check.find(today, accounts=account_ids), today=today, accounts=account_ids)


# Bringing the flags in line. -------------------------------------------------------------------


def _dismissal(flag: ReviewFlag) -> dict:
    """What a flag raised again on a dismissal's review date records of that dismissal (DISMISSED_BEFORE);
    `_standing_dismissals` builds the same in SQL."""
    return {
        "flag": flag.pk,
        "dismissed_on": timezone.localdate(flag.closed_at).isoformat() if flag.closed_at else None,
        "dismissed_by": str(flag.decided_by) if flag.decided_by else None,
        "reason": flag.reason,
        "review_on": flag.review_on.isoformat() if flag.review_on else None,
    }


def _checked_evidence(evidence):
    """A flag's evidence without what the check did not find itself (DISMISSED_BEFORE)."""
    if isinstance(evidence, dict) and DISMISSED_BEFORE in evidence:
        return {key: value for key, value in evidence.items() if key != DISMISSED_BEFORE}
    return evidence


def _earlier_dismissal(evidence) -> dict | None:
    return evidence.get(DISMISSED_BEFORE) if isinstance(evidence, dict) else None


def _with_dismissal(evidence, dismissed_before):
    if dismissed_before is None or not isinstance(evidence, dict):
        return evidence
    return {**evidence, DISMISSED_BEFORE: dismissed_before}


def apply_findings(
    kind: str, found: dict[int, dict], *, today: datetime.date | None = None, dry_run: bool = False, accounts=None
) -> tuple[int, int]:
    """Raise, refresh and resolve the flags of one kind so that exactly the accounts found have an
    open one, except those whose standing dismissal holds on `today` (the module's docstring).
    Returns (raised, resolved); in a dry run, what would be, and nothing is written. `accounts`
    (primary keys) limits it to the flags of those accounts, for a finding that asked about those
    accounts only: the flags of every other account are left as they are.

    A constant number of queries whatever the number of accounts. Two runs at once cannot open two
    flags for one account: the database's one-open-flag constraint refuses the second insert, which
    is skipped (ignore_conflicts), and `raised` counts the rows that this run actually wrote."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    flags = ReviewFlag.objects.filter(kind=kind)
    if accounts is not None:
        flags = flags.filter(account_id__in=accounts)
    open_flags = {
        account_id: (pk, evidence)
        for pk, account_id, evidence in flags.filter(status__in=OPEN_FLAG_STATUSES)
        .values_list("pk", "account_id", "evidence")
        .order_by()
    }
    standing = {
        flag.account_id: flag
        for flag in flags.filter(status=FlagStatus.DISMISSED, lapsed_at__isnull=True)
        .select_related("decided_by")
        .order_by()
    }
    held = {account_id for account_id, flag in standing.items() if account_id in found and flag.review_on > today}
    to_raise = [account_id for account_id in found if account_id not in open_flags and account_id not in held]
    to_lapse = [flag.pk for account_id, flag in standing.items() if account_id not in held]
    to_resolve = [pk for account_id, (pk, _evidence) in open_flags.items() if account_id not in found]
    stale = [
        ReviewFlag(pk=pk, evidence=_with_dismissal(found[account_id], _earlier_dismissal(evidence)))
        for account_id, (pk, evidence) in open_flags.items()
        if account_id in found and _checked_evidence(evidence) != found[account_id]
    ]
    if dry_run:
        return len(to_raise), len(to_resolve)
    raised = resolved = 0
    if to_lapse:
        ReviewFlag.objects.filter(pk__in=to_lapse, lapsed_at__isnull=True).update(lapsed_at=now)
    if to_raise:
        ReviewFlag.objects.bulk_create(
            [
                ReviewFlag(
                    account_id=pk,
                    kind=kind,
                    evidence=_with_dismissal(found[pk], _dismissal(standing[pk]) if pk in standing else None),
                    raised_at=now,
                )
                for pk in to_raise
            ],
            ignore_conflicts=True,
        )
        raised = ReviewFlag.objects.filter(kind=kind, raised_at=now, account_id__in=to_raise).count()
    if stale:
        ReviewFlag.objects.bulk_update(stale, ["evidence"])
    if to_resolve:
        resolved = ReviewFlag.objects.filter(pk__in=to_resolve, status__in=OPEN_FLAG_STATUSES).update(
            status=FlagStatus.RESOLVED, closed_at=now, reason=RESOLVED_REASON
        )
    return raised, resolved


def uses_sql_findings() -> bool:
    """Whether run_check brings the flags in line in SQL (apply_finding_sql): on PostgreSQL."""
    return connection.vendor == "postgresql"


def finding_rows(finding):
    """A finding (Check.finding) as rows of (account id, evidence): a queryset of accounts, or of
    rows grouped by account (an `account` column), annotated with `evidence`."""
    account = "pk" if finding.model is SocialAccount else "account"
    return finding.order_by().values_list(account, "evidence")


def _standing_dismissals(kind: str):
    """The standing dismissals of one kind (from the index of their constraint) as rows of (id,
    account id, review date, what a flag raised again records of it: `_dismissal` in SQL)."""
    return (
        ReviewFlag.objects.filter(kind=kind, status=FlagStatus.DISMISSED, lapsed_at__isnull=True)
        .annotate(
            dismissal=JSONObject(
                flag=F("pk"),
                dismissed_on=TruncDate("closed_at", tzinfo=timezone.get_current_timezone()),
                dismissed_by=user_name_sql("decided_by__"),
                reason=F("reason"),
                review_on=F("review_on"),
            )
        )
        .order_by()
        .values_list("pk", "account_id", "review_on", "dismissal")
    )


def apply_finding_sql(kind: str, finding, *, today: datetime.date, dry_run: bool = False) -> tuple[int, int, int]:
    """apply_findings for a finding given as a queryset (Check.finding), on PostgreSQL: the same
    flags raised, refreshed, resolved and dismissals lapsed, in one statement (the finding computed
    once, as a CTE, and data-modifying CTEs for the writes), with no row of the finding in Python.
    Returns (found, raised, resolved); in a dry run, what would be, and nothing is written.

    Two runs at once cannot open two flags for one account: the one-open-flag constraint refuses
    the second row, which is skipped (ON CONFLICT DO NOTHING), and `raised` counts the rows that
    this run actually wrote, as apply_findings does."""
    finding_sql, finding_params = finding_rows(finding).query.sql_with_params()
    standing_sql, standing_params = _standing_dismissals(kind).query.sql_with_params()
    table = connection.ops.quote_name(ReviewFlag._meta.db_table)
    open_statuses = [str(status) for status in OPEN_FLAG_STATUSES]
    # The table name is the model's and DISMISSED_BEFORE a constant; every value is a parameter.
    earlier = f"'{DISMISSED_BEFORE}'"
    common = (
        f"WITH found (account_id, evidence) AS MATERIALIZED ({finding_sql}), "  # noqa: S608 (compiled by Django)
        f"open_flags AS MATERIALIZED (SELECT id, account_id, evidence FROM {table} "
        "WHERE kind = %s AND status = ANY(%s)), "
        f"standing (id, account_id, review_on, dismissal) AS MATERIALIZED ({standing_sql}), "
        # The accounts whose dismissal holds: the condition persists and the review date is to come.
        "held AS (SELECT s.id, s.account_id FROM standing s WHERE s.review_on > %s AND EXISTS "
        "(SELECT 1 FROM found WHERE found.account_id = s.account_id)), "
        "gone AS (SELECT id FROM open_flags o WHERE NOT EXISTS "
        "(SELECT 1 FROM found WHERE found.account_id = o.account_id)), "
        # A flag raised again on its dismissal's review date tells of the dismissal.
        "new AS (SELECT found.account_id, CASE WHEN s.id IS NULL THEN found.evidence::jsonb "
        f"ELSE found.evidence::jsonb || jsonb_build_object({earlier}, s.dismissal) END AS evidence "
        "FROM found LEFT JOIN standing s ON s.account_id = found.account_id "
        "WHERE NOT EXISTS (SELECT 1 FROM open_flags o WHERE o.account_id = found.account_id) "
        "AND NOT EXISTS (SELECT 1 FROM held WHERE held.account_id = found.account_id))"
    )
    params = [*finding_params, kind, open_statuses, *standing_params, today]
    if dry_run:
        counts = "SELECT (SELECT COUNT(*) FROM found), (SELECT COUNT(*) FROM new), (SELECT COUNT(*) FROM gone)"
        sql = f"{common} {counts}"
    else:
        now = timezone.now()
        sql = (
            f"{common}, "  # noqa: S608 (the model's table name; every value is a parameter)
            # Resolve the open flags of the accounts no longer found.
            f"resolved AS (UPDATE {table} f SET status = %s, closed_at = %s, reason = %s "
            "FROM gone WHERE f.id = gone.id RETURNING 1), "
            # Refresh the evidence of the flags that stay open, where it changed (found first, then
            # each flag by its primary key: a few rows, never a pass over every flag), keeping
            # what a flag raised again records of its earlier dismissal.
            f"stale AS MATERIALIZED (SELECT o.id, found.evidence, o.evidence -> {earlier} AS dismissal "
            "FROM open_flags o JOIN found ON o.account_id = found.account_id "
            f"WHERE (o.evidence - {earlier}) IS DISTINCT FROM found.evidence::jsonb), "
            f"refreshed AS (UPDATE {table} f SET evidence = CASE WHEN stale.dismissal IS NULL "
            f"THEN stale.evidence::jsonb ELSE stale.evidence::jsonb || jsonb_build_object({earlier}, stale.dismissal) "
            "END FROM stale WHERE f.id = stale.id RETURNING 1), "
            # Let the dismissals lapse that no longer hold: the condition is gone, or the review
            # date has come (and a new flag is raised below).
            f"lapsed AS (UPDATE {table} f SET lapsed_at = %s FROM standing s WHERE f.id = s.id "
            "AND NOT EXISTS (SELECT 1 FROM held WHERE held.id = s.id) RETURNING 1), "
            # Raise a flag for each account found without an open one.
            f"raised AS (INSERT INTO {table} (account_id, kind, status, evidence, raised_at, reason) "
            "SELECT account_id, %s, %s, evidence::jsonb, %s, '' FROM new ON CONFLICT DO NOTHING RETURNING 1) "
            "SELECT (SELECT COUNT(*) FROM found), (SELECT COUNT(*) FROM raised), (SELECT COUNT(*) FROM resolved), "
            "(SELECT COUNT(*) FROM refreshed), (SELECT COUNT(*) FROM lapsed)"
        )
        params += [str(FlagStatus.RESOLVED), now, str(RESOLVED_REASON), now, kind, str(FlagStatus.OPEN), now]
    with connection.cursor() as cursor:
        # The findings' correlated subqueries (activity/sources.py: one index probe per account) are
        # estimated costly enough for PostgreSQL to JIT-compile the statement, which took 9-12 s at
        # 10,000 accounts against 0.4 s without (bench/checks.py). For this transaction only.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        found, raised, resolved, *_refreshed = cursor.fetchone()
    return found, raised, resolved


def run_check(check: Check, today: datetime.date, dry_run: bool = False) -> CheckRun:
    if check.prepare is not None and not dry_run:
        check.prepare(today)
    started_at = timezone.now()
    clock = time.monotonic()
    with transaction.atomic():
        if check.finding is not None and uses_sql_findings():
            found, raised, resolved = apply_finding_sql(check.kind, check.finding(today), today=today, dry_run=dry_run)
        else:
            findings = check.find(today)
            found = len(findings)
            raised, resolved = apply_findings(check.kind, findings, today=today, dry_run=dry_run)
        return CheckRun.objects.create(
            check_name=check.name,
            started_at=started_at,
            duration_ms=round((time.monotonic() - clock) * 1000),
            found=found,
            raised=raised,
            resolved=resolved,
            dry_run=dry_run,
        )


def run_checks(only=None, dry_run: bool = False, today: datetime.date | None = None) -> list[CheckRun]:
    """Run the named checks (all of them by default), each in its own transaction."""
    today = today or timezone.localdate()
    names = list(only) if only else list(CHECKS)
    unknown = [name for name in names if name not in CHECKS]
    if unknown:
        raise KeyError(f"Unknown check: {', '.join(unknown)}. The checks: {', '.join(CHECKS)}.")
    return [run_check(CHECKS[name], today, dry_run=dry_run) for name in names]


def align_self_check_flags(account_ids, today: datetime.date) -> None:
    """Bring the two self-check flags of these accounts in line now, as the daily checks would
    tomorrow, without touching any other account's flags and without recording a CheckRun (which
    stands for a run over every account). Called inside the transaction that saves a self-check."""
    account_ids = list(account_ids)
    for name in SELF_CHECK_CHECKS:
        check = CHECKS[name]
        apply_findings(check.kind, check.find(today, accounts=account_ids), today=today, accounts=account_ids)


def align_connection_flags(account_ids, today: datetime.date | None = None) -> None:
    """Bring the connection flags of these accounts in line now, as the next scheduled run would,
    without touching any other account's flags (as align_self_check_flags)."""
    today = today or timezone.localdate()
    account_ids = list(account_ids)
    for name in CONNECTION_CHECKS:
        check = CHECKS[name]
        apply_findings(check.kind, check.find(today, accounts=account_ids), today=today, accounts=account_ids)


def connector_label(kind) -> str:
    """The connector's name as comms knows it ("Facebook", "RSS or Atom feed")."""
    return str(ConnectorKind(kind).label) if kind in ConnectorKind.values else str(kind or "–")


def comms_members():
    return User.objects.filter(groups__name=settings.COMMS_GROUP_NAME, is_active=True)


def notify_comms_of_connection_flags(flags) -> int:
    """Tell comms, one notice per flag, that a connection stopped or that its token ends soon:
    comms holds the tokens (issue 18), not the account's editors. Returns how many were queued."""
    sent = 0
    recipients = list(comms_members())
    for flag in flags:
        template = "connection_stopped" if flag.kind == FlagKind.CONNECTION_BROKEN else "token_expiring"
        connections = flag.evidence.get("connections", []) if isinstance(flag.evidence, dict) else []
        connections = [{**entry, "label": connector_label(entry.get("connector"))} for entry in connections]
        sent += len(
            notify(
                recipients,
                template,
                {"account": flag.account, "connections": connections, "url": flag.account.get_absolute_url()},
            )
        )
    return sent


def run_connection_checks(today: datetime.date | None = None) -> list[CheckRun]:
    """The connection checks (CONNECTION_CHECKS), then a notice to comms of each flag they raised.
    A flag is raised once while its condition lasts (one open flag per account and kind), and so
    is its notice; a stop that the sync already flagged and told (review/receivers.py) is not told again."""
    kinds = [CHECKS[name].kind for name in CONNECTION_CHECKS]
    open_flags = ReviewFlag.objects.filter(kind__in=kinds, status__in=OPEN_FLAG_STATUSES)
    before = set(open_flags.values_list("pk", flat=True))
    runs = run_checks(only=CONNECTION_CHECKS, today=today)
    with transaction.atomic():
        raised = open_flags.exclude(pk__in=before).select_related("account").order_by("account__name", "kind", "pk")
        notify_comms_of_connection_flags(raised)
    return runs


# The daily digest. -----------------------------------------------------------------------------


def send_flag_digest(today: datetime.date | None = None) -> CheckRun | None:
    """Once a day, one email per person listing the new flags of the accounts they answer for:
    the editors with a mandate in force and the managers responsible for the account's unit.

    "New" is the flags raised since the previous digest (every flag raised in the last 24 hours
    for the first one) and still open. The previous digest is the last CheckRun named "digest",
    so a late or missed morning loses nothing; a second call on a day that already had its digest
    sends nothing (None), so nobody gets two digests a day. The run records in `found` the flags
    and in `raised` the emails."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    clock = time.monotonic()
    with transaction.atomic():
        previous = CheckRun.objects.filter(check_name=DIGEST, dry_run=False).order_by("-started_at").first()
        if previous and timezone.localdate(previous.started_at) >= today:
            return None
        since = previous.started_at if previous else now - datetime.timedelta(hours=24)
        flags = list(
            ReviewFlag.objects.filter(raised_at__gt=since, raised_at__lte=now, status__in=OPEN_FLAG_STATUSES)
            .select_related("account__unit")
            .order_by("account__name", "kind", "pk")
        )
        people = {}  # user pk -> (user, [flags])

        def add(user, flag):
            entry = people.setdefault(user.pk, (user, []))
            if flag not in entry[1]:
                entry[1].append(flag)

        account_ids = {flag.account_id for flag in flags}
        editors = {}
        for mandate in Mandate.objects.active_on(today).filter(account_id__in=account_ids).select_related("user"):
            editors.setdefault(mandate.account_id, []).append(mandate.user)
        managers = {}  # per unit: the accounts of one unit ask once
        for flag in flags:
            flag.account_url = settings.SITE_URL + flag.account.get_absolute_url()
            unit = flag.account.unit
            if unit.pk not in managers:
                managers[unit.pk] = unit.responsible_managers()
            for user in [*editors.get(flag.account_id, []), *managers[unit.pk]]:
                add(user, flag)
        sent = 0
        for user, user_flags in people.values():
            sent += len(notify([user], "flag_digest", {"flags": user_flags, "url": reverse("dashboard")}))
        return CheckRun.objects.create(
            check_name=DIGEST,
            started_at=now,
            duration_ms=round((time.monotonic() - clock) * 1000),
            found=len(flags),
            raised=sent,
        )
