"""Reads that moderation's pages and the start page share."""

from django.db.models import F
from django.db.models.functions import Coalesce

from accounts.rules import is_comms, mandate_account_ids
from capture.models import CapturedItem


def gone_at(item):
    """When the portal saw the item go (R21): the sync that first missed it on the platform, or
    for an item hidden by the account, the capture of that change (its last captured change)."""
    return item.missing_since or item.changed_at


def unexplained_removals(user, account=None):
    """Captured posts, comments and messages that disappeared from the platform or that the account
    hid, which no editor has explained yet (PlatformRemoval), newest first: of `account`, or of
    every account the user edits (a mandate in force, R10), or of every account for comms."""
    items = CapturedItem.objects.gone().filter(platform_removal__isnull=True)
    if account is not None:
        items = items.filter(account=account)
    elif not is_comms(user):
        items = items.filter(account_id__in=mandate_account_ids(user))
    return items.select_related("account").order_by(Coalesce("missing_since", "changed_at").desc(), F("pk").desc())
