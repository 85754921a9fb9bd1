"""YouTube through the YouTube Data API v3 with an API key (public data: a channel's uploads and the
comment threads under them; README "Capturing the platforms").

Calls, one quota unit each (10,000 a day by default):
- channels.list?id=UC…|forHandle=@…&part=snippet,contentDetails,statistics: who the channel is,
  and its uploads playlist (contentDetails.relatedPlaylists.uploads, read, never guessed);
- playlistItems.list?playlistId=<uploads>&part=snippet,contentDetails: the videos, newest first,
  paged with pageToken (the last page has no nextPageToken at all);
- commentThreads.list?videoId=…&part=snippet,replies: the top-level comments with some of their
  replies, paged; comments.list?parentId=… for a thread whose totalReplyCount is larger than the
  replies it came with (the thread carries only a subset).

The key travels in the X-Goog-Api-Key header, which Google's APIs accept in place of the `key`
query parameter: it stays out of URLs and so out of every access log on the way.

httpx rather than google-api-python-client: four GET calls, and the discovery client would add a
large dependency and its own retry and transport layer beside capture/connectors/http.py.
"""

from __future__ import annotations

import datetime
import html
import re
import zoneinfo
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
    TemporaryFailure,
    TokenRejected,
    count,
    followed,
)
from .http import retry_after_seconds

PACIFIC = zoneinfo.ZoneInfo("America/Los_Angeles")
WATCH_URL = "https://www.youtube.com/watch?v="
CHANNEL_URL = "https://www.youtube.com/channel/"
MEDIA_HOSTS = (".ytimg.com", ".ggpht.com", ".googleusercontent.com")
THUMBNAIL_SIZES = ("maxres", "standard", "high", "medium", "default")

# The error reasons of the Data API (errors[].reason, and details[].reason in the newer envelope).
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded", "dailyLimitExceededUnreg"}
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
KEY_REASONS = {"keyInvalid", "keyExpired", "API_KEY_INVALID", "API_KEY_EXPIRED", "API_KEY_SERVICE_BLOCKED"}
PERMISSION_REASONS = {
    "forbidden", "insufficientPermissions", "accessNotConfigured", "ipRefererBlocked", "SERVICE_DISABLED",
    "API_KEY_HTTP_REFERRER_BLOCKED", "API_KEY_IP_ADDRESS_BLOCKED", "subscriptionForbidden",
}  # fmt: skip
NOT_FOUND_REASONS = {
    "notFound", "channelNotFound", "playlistNotFound", "videoNotFound", "commentThreadNotFound", "commentNotFound",
    "subscriberNotFound",
}  # fmt: skip
TEMPORARY_REASONS = {"backendError", "internalError", "serviceUnavailable"}


class CommentsDisabled(PermissionMissing):
    """403 commentsDisabled: the video takes no comments, so it has none to capture."""

    default_message = "Comments are turned off on this video."


def seconds_to_pacific_midnight(now: datetime.datetime | None = None) -> float:
    """YouTube's daily quota starts again at midnight Pacific time (summer and winter time alike)."""
    now = (now or datetime.datetime.now(datetime.UTC)).astimezone(PACIFIC)
    midnight = datetime.datetime.combine(now.date() + datetime.timedelta(days=1), datetime.time(), tzinfo=PACIFIC)
    return (midnight - now).total_seconds()


def parse_time(value: str | None) -> datetime.datetime | None:
    """ISO 8601 with Z, with or without milliseconds (.000Z in older answers)."""
    if not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


_TAG = re.compile(r"<br\s*/?>|<[^>]+>", re.IGNORECASE)


def plain_text(snippet: dict) -> str:
    """A comment's text: textOriginal where the API gives it, else textDisplay (HTML) made plain."""
    if snippet.get("textOriginal") is not None:
        return snippet["textOriginal"]
    display = snippet.get("textDisplay") or ""
    return html.unescape(_TAG.sub(lambda match: "\n" if match.group().lower().startswith("<br") else "", display))


def error_reasons(body) -> tuple[set[str], str]:
    """The reasons and the message of a Google API error body (both envelopes, samples README)."""
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return set(), ""
    error = body["error"]
    reasons = {entry.get("reason", "") for entry in error.get("errors") or [] if isinstance(entry, dict)}
    reasons |= {entry.get("reason", "") for entry in error.get("details") or [] if isinstance(entry, dict)}
    if error.get("status"):
        reasons.add(error["status"])
    reasons.discard("")
    return reasons, str(error.get("message") or "")


def classify_youtube_error(response) -> ConnectorError | None:
    try:
        body = response.json()
    except ValueError:
        return None
    reasons, _message = error_reasons(body)
    detail = f"HTTP {response.status_code} {','.join(sorted(reasons))}".strip()
    if reasons & QUOTA_REASONS:
        return RateLimited(
            "YouTube's daily quota is used up; capture goes on after midnight Pacific time.",
            retry_after=seconds_to_pacific_midnight(),
            detail=detail,
        )
    if reasons & RATE_REASONS or "RESOURCE_EXHAUSTED" in reasons:
        return RateLimited(retry_after=retry_after_seconds(response.headers.get("Retry-After"), 60.0), detail=detail)
    if reasons & KEY_REASONS:
        return TokenRejected("YouTube refused the API key: it is wrong, expired or revoked.", detail=detail)
    if "commentsDisabled" in reasons:
        return CommentsDisabled(detail=detail)
    if reasons & PERMISSION_REASONS or "PERMISSION_DENIED" in reasons:
        return PermissionMissing("YouTube does not allow the API key to read this.", detail=detail)
    if reasons & NOT_FOUND_REASONS or "NOT_FOUND" in reasons:
        return NotFound(detail=detail)
    if reasons & TEMPORARY_REASONS:
        return TemporaryFailure(detail=detail)
    return None


def best_thumbnail(thumbnails: dict | None) -> str | None:
    thumbnails = thumbnails or {}
    for size in THUMBNAIL_SIZES:
        url = (thumbnails.get(size) or {}).get("url")
        if url:
            return url
    return None


def parse_channel_profile(channel: dict) -> Profile:
    """A channel's profile (R4, R5): its title, description, largest thumbnail and subscribers
    (None where the channel hides the count)."""
    snippet = channel.get("snippet") or {}
    statistics = channel.get("statistics") or {}
    hidden = statistics.get("hiddenSubscriberCount") is True
    return Profile(
        name=snippet.get("title") or channel.get("id") or "",
        description=snippet.get("description") or "",
        picture_url=best_thumbnail(snippet.get("thumbnails")) or "",
        followers=None if hidden else count(statistics.get("subscriberCount")),
        raw={"profile": channel},
    )


def parse_subscriptions(data: dict) -> list[dict]:
    """subscriptions.list's items as followed accounts (R9): the channels subscribed to."""
    rows = []
    for item in data.get("items") or []:
        snippet = item.get("snippet") or {}
        channel_id = (snippet.get("resourceId") or {}).get("channelId") or ""
        if channel_id:
            rows.append(followed(channel_id, snippet.get("title") or "", url=CHANNEL_URL + channel_id))
    return rows


def channel_ref(handle: str) -> dict:
    """The channels.list filter for what comms typed: a channel id, @handle, or a channel address."""
    value = handle.strip().rstrip("/")
    match = re.search(r"youtube\.com/(?:channel/(UC[\w-]+)|(@[\w.\-·]+))", value)
    if match:
        value = match.group(1) or match.group(2)
    if re.fullmatch(r"UC[\w-]{22}", value):
        return {"id": value}
    return {"forHandle": value if value.startswith("@") else f"@{value}"}


class YouTubeConnector(Connector):
    platform = "youtube"
    label = "YouTube"
    fixed_base_url = "https://www.googleapis.com/youtube/v3"
    needs_token = True  # the API key
    concurrency = 4
    # Counters, positions and etags change without the video or comment changing (nested ones too:
    # capture/hashing.py leaves a key out wherever it is).
    volatile_keys = frozenset({
        "viewCount", "likeCount", "dislikeCount", "commentCount", "favoriteCount", "subscriberCount",
        "hiddenSubscriberCount", "videoCount", "position", "totalReplyCount", "etag", "statistics",
        "nextPageToken", "prevPageToken", "pageInfo", "canRate", "viewerRating", "canReply",
    })  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._uploads: str | None = None

    def classify_error(self, response) -> ConnectorError | None:
        return classify_youtube_error(response)

    def media_allowed(self, url: str) -> bool:
        """Thumbnails from YouTube's image hosts (i.ytimg.com, yt3.ggpht.com…), or the simulator's."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host in ("127.0.0.1", "localhost"):
            return parts.scheme in ("http", "https")
        return parts.scheme == "https" and host.endswith(MEDIA_HOSTS)

    def _get(self, path: str, params: dict) -> dict:
        return self.client.get_json(path, params=params, headers={"X-Goog-Api-Key": self.token})

    # The channel --------------------------------------------------------------------------------

    def _channel(self, ref: dict) -> dict:
        data = self._get("channels", {"part": "snippet,contentDetails,statistics", **ref})
        items = data.get("items") or []
        if not items:
            raise NotFound("YouTube has no channel with this id or handle.", detail=str(ref))
        return items[0]

    def verify(self, handle: str = "") -> Identity:
        ref = channel_ref(handle) if handle else {"id": self.external_id}
        return self.identity(self._channel(ref))

    def identity(self, channel: dict) -> Identity:
        self._uploads = ((channel.get("contentDetails") or {}).get("relatedPlaylists") or {}).get("uploads") or None
        snippet = channel.get("snippet") or {}
        return Identity(
            platform_id=channel["id"],
            name=snippet.get("title") or channel["id"],
            handle=snippet.get("customUrl") or "",
            url=CHANNEL_URL + channel["id"],
        )

    def uploads_playlist(self) -> str:
        if self._uploads is None:
            self.identity(self._channel({"id": self.external_id}))
        if not self._uploads:
            raise NotFound("The channel has no uploads playlist.")
        return self._uploads

    # The profile (R4, R5, R9) ---------------------------------------------------------------------

    def profile(self) -> Profile:
        data = self._get("channels", {"part": "snippet,statistics", "id": self.external_id})
        items = data.get("items") or []
        if not items:
            raise NotFound("YouTube has no channel with this id or handle.", detail=self.external_id)
        profile = parse_channel_profile(items[0])
        profile.following, pages, profile.following_truncated = self.subscriptions()
        if pages:
            profile.raw["following"] = pages
        return profile

    def subscriptions(self) -> tuple[list[dict] | None, list[dict], bool]:
        """The channels it subscribes to, where the channel shows them publicly (an API key reads
        only public subscriptions; 403 subscriptionForbidden otherwise: None)."""
        rows, pages, cursor = [], [], None
        while True:
            params = {"part": "snippet", "channelId": self.external_id, "maxResults": 50}
            if cursor:
                params["pageToken"] = cursor
            try:
                data = self._get("subscriptions", params)
            except (PermissionMissing, NotFound):
                return None, pages, False
            pages.append(data)
            rows.extend(parse_subscriptions(data))
            cursor = data.get("nextPageToken")
            if len(rows) >= MAX_FOLLOWING:
                return rows[:MAX_FOLLOWING], pages, True
            if not cursor:
                return rows, pages, False

    # Videos -------------------------------------------------------------------------------------

    def posts(self, cursor: str | None = None, since: datetime.datetime | None = None) -> Page:
        params = {"part": "snippet,contentDetails", "playlistId": self.uploads_playlist(), "maxResults": 50}
        if cursor:
            params["pageToken"] = cursor
        data = self._get("playlistItems", params)
        items = [item for item in (self.video_item(row) for row in data.get("items") or []) if item]
        return Page(items, data.get("nextPageToken") or None)

    def video_item(self, row: dict) -> Item | None:
        snippet = row.get("snippet") or {}
        details = row.get("contentDetails") or {}
        video_id = details.get("videoId") or (snippet.get("resourceId") or {}).get("videoId")
        if not video_id:
            return None
        title, description = snippet.get("title") or "", snippet.get("description") or ""
        author_id = snippet.get("videoOwnerChannelId") or snippet.get("channelId") or ""
        thumbnail = best_thumbnail(snippet.get("thumbnails"))
        return Item(
            platform_id=video_id,
            kind=POST,
            text=f"{title}\n\n{description}".strip(),
            # The video's own publication, not when it was added to the playlist (samples README).
            published_at=parse_time(details.get("videoPublishedAt") or snippet.get("publishedAt")),
            raw=row,
            permalink=WATCH_URL + video_id,
            author_id=author_id,
            author_name=snippet.get("videoOwnerChannelTitle") or snippet.get("channelTitle") or "",
            by_account=not self.external_id or not author_id or author_id == self.external_id,
            media=[thumbnail] if thumbnail else [],
        )

    # Comments -----------------------------------------------------------------------------------

    def replies(self, post: Item, cursor: str | None = None) -> Page:
        params = {"part": "snippet,replies", "videoId": post.platform_id, "maxResults": 100}
        if cursor:
            params["pageToken"] = cursor
        try:
            data = self._get("commentThreads", params)
        except CommentsDisabled:
            return Page([])  # nothing to capture, and nothing wrong
        items: list[Item] = []
        for thread in data.get("items") or []:
            items.extend(self.thread_items(thread, post.platform_id))
        return Page(items, data.get("nextPageToken") or None)

    def thread_items(self, thread: dict, video_id: str) -> list[Item]:
        snippet = thread.get("snippet") or {}
        top = snippet.get("topLevelComment")
        if not top:
            return []
        about_thread = {key: value for key, value in snippet.items() if key != "topLevelComment"}
        raw = {**top, "thread": {"id": thread.get("id"), "snippet": about_thread}}
        items = [self.comment_item(raw, video_id, parent_id=video_id)]
        included = (thread.get("replies") or {}).get("comments") or []
        if int(snippet.get("totalReplyCount") or 0) > len(included):
            included = self.all_replies(top["id"])
        items.extend(self.comment_item(reply, video_id) for reply in included)
        return items

    def all_replies(self, parent_id: str) -> list[dict]:
        replies, cursor = [], None
        while True:
            params = {"part": "snippet", "parentId": parent_id, "maxResults": 100}
            if cursor:
                params["pageToken"] = cursor
            data = self._get("comments", params)
            replies.extend(data.get("items") or [])
            cursor = data.get("nextPageToken")
            if not cursor:
                return replies

    def comment_item(self, raw: dict, video_id: str, parent_id: str = "") -> Item:
        snippet = raw.get("snippet") or {}
        author_id = (snippet.get("authorChannelId") or {}).get("value") or ""
        return Item(
            platform_id=raw["id"],
            kind=COMMENT,
            text=plain_text(snippet),
            published_at=parse_time(snippet.get("publishedAt")),
            raw=raw,
            permalink=f"{WATCH_URL}{video_id}&lc={raw['id']}",
            author_id=author_id,
            author_name=snippet.get("authorDisplayName") or "",
            by_account=bool(author_id) and author_id == self.external_id,
            parent_id=parent_id or snippet.get("parentId") or video_id,
            thread_id=video_id,
        )
