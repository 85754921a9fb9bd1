"""Moderation's scheduled checks (R20, R22), registered with review's (review/scheduled_checks.py)."""

import datetime

from django.db.models import CharField, Count, F, Func
from django.db.models.functions import JSONObject, TruncDate
from django.utils import timezone

from accounts.models import AccountStatus
from moderation.services.inquiries import find_inquiry_overdue
from moderation.services.questions import find_questions_everywhere
from review.models import FlagKind
from review.scheduled_checks import Check, register

from .models import Inquiry, ModerationCase

# R22: criminal material is reported to the police once it is removed; two days is the portal's
# reading of "as soon as possible".
POLICE_REPORT_WITHIN = datetime.timedelta(days=2)  # R22


def find_criminal_not_reported(today: datetime.date) -> dict[int, dict]:
    """R22: criminal cases removed more than two days ago (the removal's local date before
    today − 2 days) and not yet reported to the police, per account, in one query."""
    limit = today - POLICE_REPORT_WITHIN
    rows = (
        ModerationCase.objects.filter(
            account__status="active", is_criminal=True, removed_at__isnull=False, police_reported_on__isnull=True
        )
        .annotate(removed_on=TruncDate("removed_at", tzinfo=timezone.get_current_timezone()))
        .filter(removed_on__lt=limit)
        .order_by("account_id", "removed_at", "pk")
        .values_list("account_id", "pk", "removed_at")
    )
    found: dict[int, dict] = {}
    for account_id, pk, removed_at in rows:
        found.setdefault(account_id, {"cases": []})["cases"].append(
            {"id": pk, "removed_at": timezone.localtime(removed_at).isoformat()}
        )
    return found


# The same findings as sets, for PostgreSQL (review/scheduled_checks.py, "The same findings as sets"). -------


class LocalIsoformat(Func):
    """timezone.localtime(value).isoformat() in SQL (PostgreSQL) for a timestamp with time zone:
    2026-03-05T14:30:00+01:00, with the microseconds when there are any, at the offset that the
    current time zone had at that instant."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        value, value_params = compiler.compile(self.source_expressions[0])
        zone = timezone.get_current_timezone_name()
        local, local_params = f"(({value}) AT TIME ZONE %s)", [*value_params, zone]
        utc, utc_params = f"(({value}) AT TIME ZONE 'UTC')", list(value_params)
        minutes = f"(EXTRACT(EPOCH FROM ({local} - {utc})) / 60)::int"
        minutes_params = [*local_params, *utc_params]
        sql = (
            f"(TO_CHAR({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
            f" || CASE WHEN MOD(EXTRACT(MICROSECONDS FROM {local})::bigint, 1000000) <> 0"
            f" THEN TO_CHAR({local}, '.US') ELSE '' END"
            f" || CASE WHEN {minutes} < 0 THEN '-' ELSE '+' END"
            f" || LPAD((ABS({minutes}) / 60)::text, 2, '0') || ':' || LPAD(MOD(ABS({minutes}), 60)::text, 2, '0'))"
        )
        params = [*local_params, *local_params, *local_params, *minutes_params, *minutes_params, *minutes_params]
        return sql, params


def finding_criminal_not_reported(today: datetime.date):
    """find_criminal_not_reported as rows grouped by account with their evidence (PostgreSQL)."""
    from django.contrib.postgres.aggregates import JSONBAgg

    limit = today - POLICE_REPORT_WITHIN
    return (
        ModerationCase.objects.filter(
            account__status="active", is_criminal=True, removed_at__isnull=False, police_reported_on__isnull=True
        )
        .annotate(removed_on=TruncDate("removed_at", tzinfo=timezone.get_current_timezone()))
        .filter(removed_on__lt=limit)
        .order_by()
        .values("account")
        .annotate(
            evidence=JSONObject(
                cases=JSONBAgg(
                    JSONObject(id=F("pk"), removed_at=LocalIsoformat("removed_at")), order_by=("removed_at", "pk")
                )
            )
        )
    )


def finding_inquiry_overdue(today: datetime.date):
    """moderation.services.inquiries.find_inquiry_overdue as rows grouped by account with their
    evidence (PostgreSQL). The deadline is an instant: asked of timezone.now(), as there."""
    # PostgreSQL only (imported here: django.contrib.postgres needs psycopg, which SQLite does not).
    from django.contrib.postgres.aggregates import JSONBAgg

    return (
        Inquiry.objects.questions()
        .filter(answered_at__isnull=True, deadline__lt=timezone.now(), account__status=AccountStatus.ACTIVE)
        .order_by()
        .values("account")
        .annotate(
            evidence=JSONObject(
                inquiries=JSONBAgg(
                    JSONObject(id=F("pk"), deadline=LocalIsoformat("deadline")), order_by=("deadline", "pk")
                ),
                count=Count("pk"),
            )
        )
    )


register(
    Check(
        "criminal_not_reported",
        FlagKind.CRIMINAL_NOT_REPORTED,
        find_criminal_not_reported,
        finding_criminal_not_reported,
        order=50,
    )
)
register(
    Check(
        "inquiry_overdue",
        FlagKind.INQUIRY_OVERDUE,
        find_inquiry_overdue,
        finding_inquiry_overdue,
        order=60,
        # R20: the questions among the captured items first, so that none waits on a lost signal.
        prepare=find_questions_everywhere,
    )
)
