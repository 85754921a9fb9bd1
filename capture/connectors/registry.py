"""Which connector reads which platform.

A platform without a connector here (LinkedIn, TikTok, X, Threads today) keeps the manual weekly
log (README, "Capturing the platforms"). `FEED` is not an accounts.Platform: any account whose
platform publishes an RSS or Atom feed can be connected through it.
"""

from __future__ import annotations

import importlib

from .base import Connector

FEED = "feed"

# platform key → "module:Class", imported on first use so that a missing optional piece of one
# connector never stops the others.
CONNECTORS = {
    "facebook": "capture.connectors.meta:FacebookConnector",
    "instagram": "capture.connectors.meta:InstagramConnector",
    "youtube": "capture.connectors.youtube:YouTubeConnector",
    "mastodon": "capture.connectors.mastodon:MastodonConnector",
    "bluesky": "capture.connectors.bluesky:BlueskyConnector",
    FEED: "capture.connectors.feed:FeedConnector",
}

# Where the connectors not yet written will go (their API, what it needs): README.
PLANNED = ("linkedin", "tiktok", "x", "threads")


def connector_class(kind: str) -> type[Connector]:
    try:
        dotted = CONNECTORS[kind]
    except KeyError:
        raise LookupError(f"No connector reads {kind!r}") from None
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


def available() -> list[str]:
    """The connector kinds whose code is there."""
    kinds = []
    for kind in CONNECTORS:
        try:
            connector_class(kind)
        except (ImportError, AttributeError):
            continue
        kinds.append(kind)
    return kinds


def kinds_for(platform: str) -> list[str]:
    """The connectors that can read an account on `platform`: its own, and the feed."""
    return [kind for kind in (platform, FEED) if kind in CONNECTORS]
