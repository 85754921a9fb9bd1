"""Moderation's scheduled check (registered with the others in accounts/checks.py)."""

import datetime

from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import ModerationCase

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
