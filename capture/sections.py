"""What the platforms' record adds to an account's page (accounts/sections.py): each live
connection's state and the way to the archive, for the account's editors and comms; connecting,
renewing and removing, for comms.

And what the apps above add to a captured item's page, which capture does not know: each registers
section(request, item) -> dict or None from its AppConfig.ready() with `item_page_section`; a dict
names its "template", included on the item's page with the dict as `section` (moderation: why the
item is gone from the platform, and its case)."""

import datetime
from collections.abc import Callable

from django.db.models import Count
from django.utils import timezone

from accounts.models import AccountStatus
from accounts.sections import account_page_section

from . import profiles
from .models import Connection
from .services import connectable_kinds, connector_label, plain_error

ITEM_PAGE: list[Callable] = []


def item_page_section(section: Callable) -> Callable:
    """Register section(request, item) -> dict | None for a captured item's page."""
    if section not in ITEM_PAGE:
        ITEM_PAGE.append(section)
    return section


def item_sections(request, item) -> list[dict]:
    return [found for section in ITEM_PAGE if (found := section(request, item))]


# Issue 18: a token that expires within 14 days is to be renewed (the review queue flags it too).
TOKEN_WARNING_DAYS = 14


@account_page_section
def capture(request, account, today) -> dict:
    user = request.user
    if not user.has_perm("capture.archive", account):
        return {}
    connections = list(
        Connection.objects.live().filter(account=account).annotate(item_count=Count("items")).order_by("kind", "pk")
    )
    soon = timezone.now() + datetime.timedelta(days=TOKEN_WARNING_DAYS)
    for connection in connections:
        connection.label = connector_label(connection.kind)
        connection.plain_error = plain_error(connection.last_error)
        connection.expires_soon = connection.token_expires_at is not None and connection.token_expires_at <= soon
    can_connect = user.has_perm("capture.connect", account)
    live_kinds = {connection.kind for connection in connections}
    offers = []
    if can_connect and account.status == AccountStatus.ACTIVE:
        offers = [(kind, connector_label(kind)) for kind in connectable_kinds(account) if kind not in live_kinds]
    latest = profiles.latest_snapshot(account)
    if latest is not None:
        latest.label = connector_label(latest.connection.kind)
    return {
        "profile_snapshot": latest,
        "profile_history": profiles.follower_history(account) if latest is not None else [],
        "profile_can_snapshot": user.has_perm("capture.snapshot", account)
        and any(c.state == "active" for c in connections),
        "capture_section": True,
        "capture_connections": connections,
        "capture_can_connect": can_connect,
        "capture_offers": offers,
    }
