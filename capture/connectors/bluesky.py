"""Bluesky: an account's posts and the replies under them, through the public AppView
(https://public.api.bsky.app, no token; README "Capturing the platforms").

Why httpx and not the atproto library: two public XRPC queries are all the connector calls, and
they must go through the portal's one client (http.py: timeouts, same-origin only, errors mapped);
atproto's generated models would also reject fields the AppView adds before the library knows them,
where the archive must keep the answer exactly as it came.

- verify: GET /xrpc/app.bsky.actor.getProfile?actor=<handle> → the DID. An unknown actor is
  400 {"error": "InvalidRequest", "message": "Profile not found"} (or "Unable to resolve handle")
  → NotFound.
- posts: GET /xrpc/app.bsky.feed.getAuthorFeed?actor=<did>&filter=posts_no_replies&limit=50, paged by
  the answer's opaque `cursor` (absent on the last page). Reposts and pins (`reason`) are skipped:
  a repost is another account's post, a pin repeats a post out of date order. A post that is a reply
  (`record.reply`) is not a post of its own: it is captured under its thread's post. Time: the
  record's `createdAt` (client-set; `indexedAt` when it is missing). Id: the post's at:// URI;
  permalink https://bsky.app/profile/<handle>/post/<rkey>.
- replies: GET /xrpc/app.bsky.feed.getPostThread?uri=…&depth=1000&parentHeight=0, the tree flattened;
  a reply's parent is its record's `reply.parent.uri` (the node above it where that is missing).
  `notFoundPost` (deleted) and `blockedPost` nodes and everything under them are skipped: the sync
  marks a captured reply that no longer shows as missing. Replies the thread's author hid
  (`threadgate.record.hiddenReplies`) are kept with `hidden`. A reply's raw answer is its
  threadViewPost node without `replies`; a hidden one also has `hiddenByThreadgate` (the
  threadgate's uri: the one key the portal adds, so that hiding after capture is an edit).
- Errors: 400 NotFound / InvalidRequest "not found" → NotFound; BlockedActor/BlockedByActor →
  PermissionMissing; 429 → RateLimited until RateLimit-Reset (epoch seconds) or Retry-After.

volatile_keys (left out of the edit hash, capture/hashing.py): the counters (likeCount, repostCount,
replyCount, quoteCount, bookmarkCount); `indexedAt` (the AppView's time of indexing, which a re-index
changes without the post changing; a real edit changes the record and its `cid`); `viewer` (the
requesting user's own state); `threadContext` (the AppView's view of the thread). `labels` are NOT
volatile: a moderation label put on a post changes how the platform shows it, and the archive keeps
that as a version.
"""

from __future__ import annotations

import datetime
import time
from urllib.parse import urlsplit

from .base import (
    COMMENT,
    MAX_FOLLOWING,
    POST,
    Connector,
    ConnectorError,
    Identity,
    Item,
    NotFound,
    Page,
    PermissionMissing,
    Profile,
    RateLimited,
    TokenRejected,
    count,
    followed,
)
from .http import retry_after_seconds

PUBLIC_APPVIEW = "https://public.api.bsky.app"
PAGE_SIZE = 50
THREAD_DEPTH = 1000  # the lexicon's maximum

VOLATILE_KEYS = frozenset(
    {"likeCount", "repostCount", "replyCount", "quoteCount", "bookmarkCount", "indexedAt", "viewer", "threadContext"}
)

THREAD_VIEW = "app.bsky.feed.defs#threadViewPost"


def parse_time(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    try:
        when = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return when


def rkey(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def permalink(post: dict) -> str:
    author = post.get("author") or {}
    handle = author.get("handle") or ""
    if not handle or handle == "handle.invalid":
        handle = author.get("did") or post.get("uri", "at:///").split("/")[2]
    return f"https://bsky.app/profile/{handle}/post/{rkey(post.get('uri', ''))}"


def actor_of(handle: str) -> str:
    """A handle or DID from what comms may type: `@name.bsky.social`, a DID, or the profile's
    address https://bsky.app/profile/<handle or did>."""
    handle = handle.strip()
    if handle.startswith(("https://", "http://")):
        path = urlsplit(handle).path.rstrip("/")
        if "/profile/" in path:
            handle = path.split("/profile/", 1)[1].split("/", 1)[0]
    return handle.lstrip("@")


def media_urls(embed: dict | None) -> list[str]:
    """Images (full size), a video's thumbnail, a link card's image; also inside recordWithMedia."""
    if not embed:
        return []
    kind = embed.get("$type", "")
    if kind.startswith("app.bsky.embed.images"):
        return [image.get("fullsize") or image.get("thumb") for image in embed.get("images") or [] if image]
    if kind.startswith("app.bsky.embed.video"):
        return [embed["thumbnail"]] if embed.get("thumbnail") else []
    if kind.startswith("app.bsky.embed.external"):
        thumb = (embed.get("external") or {}).get("thumb")
        return [thumb] if thumb else []
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        return media_urls(embed.get("media"))
    return []


def rate_limit_wait(headers) -> float:
    """Seconds to wait after a 429: RateLimit-Reset is a Unix time in seconds on Bluesky's
    services; a small number is taken as seconds from now; Retry-After if that is missing."""
    reset = headers.get("RateLimit-Reset") or headers.get("X-RateLimit-Reset")
    if reset:
        try:
            value = float(reset.strip())
        except ValueError:
            value = None
        if value is not None:
            return max(1.0, value - time.time()) if value > 1_000_000_000 else max(1.0, value)
    return retry_after_seconds(headers.get("Retry-After"), default=300.0)


def parse_profile(data: dict) -> Profile:
    """app.bsky.actor.getProfile as a profile (R4, R5); `following` from getFollows (profile())."""
    return Profile(
        name=data.get("displayName") or data.get("handle") or "",
        description=data.get("description") or "",
        picture_url=data.get("avatar") or "",
        followers=count(data.get("followersCount")),
        following_count=count(data.get("followsCount")),
        raw={"profile": data},
    )


def parse_follows(data: dict) -> list[dict]:
    """app.bsky.graph.getFollows's `follows` as followed accounts (R9)."""
    rows = []
    for actor in data.get("follows") or []:
        if isinstance(actor, dict) and actor.get("did"):
            handle = actor.get("handle") or ""
            url = f"https://bsky.app/profile/{handle or actor['did']}"
            rows.append(followed(actor["did"], actor.get("displayName") or handle, handle, url))
    return rows


class BlueskyConnector(Connector):
    platform = "bluesky"
    label = "Bluesky"
    fixed_base_url = PUBLIC_APPVIEW
    needs_token = False
    volatile_keys = VOLATILE_KEYS
    concurrency = 4

    def _get(self, method, params):
        return self.client.get_json(f"/xrpc/{method}", params=params)

    def classify_error(self, response):
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        error, message = str(body.get("error") or ""), str(body.get("message") or "")
        detail = f"HTTP {status} {error}: {message}"[:300]
        if status == 429:
            return RateLimited(retry_after=rate_limit_wait(response.headers), detail=detail)
        if error in ("BlockedActor", "BlockedByActor"):
            return PermissionMissing("The account is blocked on Bluesky, so its posts cannot be read.", detail=detail)
        if error == "NotFound":
            return NotFound(detail=detail)
        if error in ("InvalidRequest", "") and status == 400:
            lowered = message.lower()
            if "not found" in lowered or "resolve" in lowered or "could not find" in lowered:
                return NotFound(detail=detail)
            return ConnectorError(detail=detail)
        if error in ("AccountTakedown", "AccountDeactivated", "RepoTakendown", "RepoDeactivated"):
            return NotFound("The Bluesky account has been taken down or deactivated.", detail=detail)
        if status == 401 or error in ("ExpiredToken", "InvalidToken", "AuthMissing"):
            return TokenRejected(detail=detail)
        return None

    # What the sync reads -------------------------------------------------------------------------

    def verify(self, handle: str = "") -> Identity:
        return self.identity(self._get("app.bsky.actor.getProfile", {"actor": actor_of(handle)}))

    @staticmethod
    def identity(data: dict) -> Identity:
        handle = data.get("handle") or ""
        return Identity(
            platform_id=data["did"],
            name=data.get("displayName") or handle,
            handle=handle,
            url=f"https://bsky.app/profile/{handle or data['did']}",
        )

    def profile(self) -> Profile:
        profile = parse_profile(self._get("app.bsky.actor.getProfile", {"actor": self.external_id}))
        rows, pages, cursor = [], [], None
        while True:
            params = {"actor": self.external_id, "limit": "100"}
            if cursor:
                params["cursor"] = cursor
            data = self._get("app.bsky.graph.getFollows", params)
            pages.append(data)
            rows.extend(parse_follows(data))
            cursor = data.get("cursor")
            if len(rows) >= MAX_FOLLOWING:
                rows, profile.following_truncated = rows[:MAX_FOLLOWING], True
                break
            if not cursor or not data.get("follows"):
                break
        profile.following = rows
        profile.raw["following"] = pages
        return profile

    def posts(self, cursor: str | None = None, since: datetime.datetime | None = None) -> Page:
        params = {"actor": self.external_id, "filter": "posts_no_replies", "limit": str(PAGE_SIZE)}
        if cursor:
            params["cursor"] = cursor
        return self.parse_feed(self._get("app.bsky.feed.getAuthorFeed", params))

    def parse_feed(self, data: dict) -> Page:
        items = []
        for entry in data.get("feed") or []:
            post = entry.get("post") or {}
            if entry.get("reason"):  # a repost (reasonRepost) or a pin (reasonPin)
                continue
            if self.external_id and (post.get("author") or {}).get("did") != self.external_id:
                continue
            if (post.get("record") or {}).get("reply"):
                continue  # a reply: captured under its thread's post
            items.append(self.item(post, POST, raw=entry))
        return Page(items, data.get("cursor") or None)

    def replies(self, post: Item, cursor: str | None = None) -> Page:
        params = {"uri": post.platform_id, "depth": str(THREAD_DEPTH), "parentHeight": "0"}
        return self.parse_thread(self._get("app.bsky.feed.getPostThread", params), post.platform_id)

    def parse_thread(self, data: dict, post_id: str) -> Page:
        thread = data.get("thread") or {}
        threadgate = data.get("threadgate") or {}
        gate_uri = threadgate.get("uri") or ""
        hidden = set((threadgate.get("record") or {}).get("hiddenReplies") or [])
        items: list[Item] = []
        root = (thread.get("post") or {}).get("uri") or post_id

        def walk(node: dict, parent_uri: str):
            for child in node.get("replies") or []:
                if child.get("$type", THREAD_VIEW) != THREAD_VIEW or "post" not in child:
                    continue  # notFoundPost (deleted) or blockedPost: nothing to read
                child_post = child["post"]
                reply_ref = (child_post.get("record") or {}).get("reply") or {}
                parent = (reply_ref.get("parent") or {}).get("uri") or parent_uri
                # The node as it came, without its replies (each is an item of its own). A reply the
                # thread's author hid carries the threadgate that hides it: hiding or showing it
                # again changes its hash, so the archive keeps both states as versions.
                raw = {key: value for key, value in child.items() if key != "replies"}
                is_hidden = child_post.get("uri") in hidden
                if is_hidden:
                    raw["hiddenByThreadgate"] = gate_uri
                item = self.item(child_post, COMMENT, raw=raw, parent_id=parent, thread_id=post_id)
                item.hidden = is_hidden
                items.append(item)
                walk(child, child_post.get("uri", ""))

        if thread.get("$type", THREAD_VIEW) == THREAD_VIEW:
            walk(thread, root)
        return Page(items)

    def item(self, post: dict, kind: str, *, raw: dict | None = None, parent_id="", thread_id="") -> Item:
        author = post.get("author") or {}
        record = post.get("record") or {}
        return Item(
            platform_id=post["uri"],
            kind=kind,
            text=record.get("text") or "",
            published_at=parse_time(record.get("createdAt")) or parse_time(post.get("indexedAt")),
            raw=raw if raw is not None else post,
            permalink=permalink(post),
            author_id=author.get("did", ""),
            author_name=author.get("displayName") or author.get("handle") or "",
            by_account=bool(self.external_id) and author.get("did") == self.external_id,
            parent_id=parent_id,
            thread_id=thread_id,
            media=[url for url in media_urls(post.get("embed")) if url],
        )
