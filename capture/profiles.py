"""Profile snapshots (R4, R5, R9): the account's profile as the platform shows it, twice a year
(beat, capture/migrations/0007_profile_snapshot_schedule.py) and when comms asks on the account's page.

`take_snapshot` asks the connector for the profile (Connector.profile: name, description, picture,
followers and, where the API shows it, the accounts followed), fetches the picture to hash it (only
when CAPTURE_MEDIA_ENABLED, at most CAPTURE_MEDIA_MAX_BYTES, only from the platform's media hosts:
the bytes are not kept, the hash tells a changed picture, R4) and stores a ProfileSnapshot with the
platform's answers as they came. It then tells the apps above (capture/signals.py), so that review
compares the description with the registry's at once (R5).
"""

import hashlib
import logging

from django.conf import settings
from django.utils import timezone

from . import signals
from .connectors.base import Connector, ConnectorError, Profile
from .connectors.http import PlatformClient
from .hashing import raw_sha256
from .models import Connection, ConnectionState, ProfileSnapshot
from .sync import connector_for

logger = logging.getLogger(__name__)

# How many earlier snapshots the account's page lists with their follower counts.
HISTORY_LENGTH = 10


def snapshot_connections():
    """The connections a scheduled snapshot reads: active ones of active accounts."""
    return Connection.objects.filter(state=ConnectionState.ACTIVE, account__status="active")


def picture_sha256(connector: Connector, url: str) -> str:
    """The SHA-256 of the profile picture's bytes, or "" when it is not fetched (media capture off,
    not the platform's media host, too large, or the platform did not give it)."""
    if not url or not settings.CAPTURE_MEDIA_ENABLED or not connector.media_allowed(url):
        return ""
    client = PlatformClient(url)
    try:
        data, _content_type = client.get_bytes(url, settings.CAPTURE_MEDIA_MAX_BYTES)
    except ConnectorError as error:
        logger.info("Profile picture not fetched: %s", error.message)
        return ""
    finally:
        client.close()
    return hashlib.sha256(data).hexdigest()


def take_snapshot(connection: Connection, connector: Connector | None = None, taken_by=None, now=None):
    """Reads the profile of `connection`'s account and stores it. Connector errors propagate to the
    task, which decides when to try again (capture/tasks.py)."""
    connector = connector or connector_for(connection)
    profile: Profile = connector.profile()
    picture = picture_sha256(connector, profile.picture_url)
    snapshot = ProfileSnapshot.objects.create(
        connection=connection,
        account_id=connection.account_id,
        taken_at=now or timezone.now(),
        name=(profile.name or "")[:300],
        description=profile.description or "",
        picture_url=(profile.picture_url or "")[:2000],
        picture_sha256=picture,
        followers=profile.followers,
        following=profile.following,
        following_count=(
            profile.following_count
            if profile.following_count is not None or profile.following is None
            else len(profile.following)
        ),
        following_truncated=profile.following_truncated,
        raw=profile.raw,
        raw_sha256=raw_sha256(profile.raw),
        taken_by=taken_by,
    )
    signals.profile_snapshot_taken.send(sender=ProfileSnapshot, snapshot=snapshot)
    return snapshot


# What the pages read. -------------------------------------------------------------------------------


def latest_snapshot(account) -> ProfileSnapshot | None:
    return account.profile_snapshots.select_related("connection").order_by("-taken_at", "-pk").first()


def follower_history(account, limit: int = HISTORY_LENGTH) -> list[ProfileSnapshot]:
    """The latest snapshots, newest first, with their follower counts (the account's page)."""
    return list(
        account.profile_snapshots.only("pk", "taken_at", "followers", "following_count", "connection__kind")
        .select_related("connection")
        .order_by("-taken_at", "-pk")[:limit]
    )
