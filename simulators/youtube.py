"""A simulated YouTube Data API v3: the four list calls the connector makes (channels,
playlistItems, commentThreads, comments), answering in the shapes of the recorded samples
(capture/tests/samples/youtube_*.json), with pageToken paging, a thread that carries only some of
its replies, comments turned off, the daily quota running out and Google's error envelopes.

The API key may come as the X-Goog-Api-Key header or the `key` parameter, as on the real API.
Thumbnails are served by the simulator itself (/vi/<video>/hqdefault.jpg).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
from dataclasses import dataclass, field

from .server import Request, Response, Simulator

# The smallest valid JPEG-ish body: enough for the capture of a thumbnail (hashes, size).
THUMBNAIL = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def _time(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _etag(*parts) -> str:
    return base64.urlsafe_b64encode(hashlib.sha1(repr(parts).encode()).digest()).decode().rstrip("=")[:27]  # noqa: S324


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split(":")[1])
    except (ValueError, IndexError):
        return -1


def author_channel(name: str) -> str:
    """A stable channel id for a commenter's name."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(name.encode()).digest()).decode()
    return "UC" + digest.replace("=", "")[:22]


@dataclass
class Channel:
    id: str
    name: str
    handle: str
    published_at: datetime.datetime = datetime.datetime(2012, 3, 1, 9, 0, tzinfo=datetime.UTC)
    description: str = ""
    subscribers: int = 1200
    # The channels it subscribes to, as (channel id, title); None: kept private (403 subscriptionForbidden).
    subscriptions: list | None = None

    @property
    def uploads(self) -> str:
        return "UU" + (self.id[2:] if self.id.startswith("UC") else self.id)


@dataclass
class Video:
    id: str
    channel_id: str
    title: str
    description: str
    published_at: datetime.datetime
    media_url: str | None = None
    deleted: bool = False
    comments_disabled: bool = False


@dataclass
class Comment:
    id: str
    video_id: str
    text: str
    author_name: str
    author_channel_id: str
    published_at: datetime.datetime
    parent_id: str | None = None
    updated_at: datetime.datetime | None = None
    likes: int = 0
    deleted: bool = False
    hidden: bool = False  # held for review or hidden from the channel: not listed to an API key
    replies: list[str] = field(default_factory=list)


class YouTubeSimulator(Simulator):
    name = "youtube"
    base_path = "/youtube/v3"

    def __init__(self, page_size: int = 25, inline_replies: int = 5):
        super().__init__()
        self.page_size = page_size
        self.inline_replies = inline_replies  # replies a commentThread carries (a subset, like YouTube)
        self.keys: set[str] = set()
        self.channels: dict[str, Channel] = {}
        self.videos: dict[str, Video] = {}
        self.comments: dict[str, Comment] = {}
        self.quota_exhausted = False
        self.legacy_errors = False  # keyInvalid in the pre-2020 envelope

    # The uniform interface (simulators/README in the brief) ------------------------------------

    def add_account(self, account_id: str, name: str, handle: str = "", token: str | None = None) -> None:
        with self.lock:
            handle = handle or name.lower().replace(" ", "")
            self.channels[account_id] = Channel(account_id, name, handle if handle.startswith("@") else f"@{handle}")
            if token:
                self.keys.add(token)

    def add_post(
        self, account_id: str, post_id: str, text: str, published_at: datetime.datetime, media_url: str | None = None
    ) -> None:
        title, _, description = text.partition("\n")
        with self.lock:
            self.videos[post_id] = Video(
                post_id, account_id, title.strip()[:100], description.strip(), published_at, media_url
            )

    def add_comment(
        self,
        post_id: str,
        comment_id: str,
        text: str,
        author_name: str,
        published_at: datetime.datetime,
        parent_id: str | None = None,
        by_account: bool = False,
    ) -> None:
        with self.lock:
            video = self.videos[post_id]
            if by_account:
                channel = self.channels[video.channel_id]
                author_name, author_id = channel.name, channel.id
            else:
                author_id = author_channel(author_name)
            # YouTube answers only one level: a reply to a reply hangs on the top-level comment.
            if parent_id and self.comments[parent_id].parent_id:
                parent_id = self.comments[parent_id].parent_id
            self.comments[comment_id] = Comment(
                comment_id, post_id, text, author_name, author_id, published_at, parent_id=parent_id
            )
            if parent_id:
                self.comments[parent_id].replies.append(comment_id)

    def edit(self, item_id: str, text: str) -> None:
        with self.lock:
            if item_id in self.videos:
                video = self.videos[item_id]
                title, _, description = text.partition("\n")
                video.title, video.description = title.strip()[:100], description.strip()
                return
            comment = self.comments[item_id]
            comment.text = text
            comment.updated_at = (comment.updated_at or comment.published_at) + datetime.timedelta(minutes=1)

    def delete(self, item_id: str) -> None:
        with self.lock:
            target = self.videos.get(item_id) or self.comments[item_id]
            target.deleted = True

    def hide(self, item_id: str) -> None:
        with self.lock:
            self.comments[item_id].hidden = True

    def set_profile(
        self, account_id: str, description: str = "", followers: int | None = None, following: list | None = None
    ) -> None:
        """The channel's description and subscriber count; `following` (a list of (id, name, handle))
        are the channels it subscribes to, shown publicly (None: kept private)."""
        with self.lock:
            channel = self.channels[account_id]
            channel.description = description
            if followers is not None:
                channel.subscribers = followers
            channel.subscriptions = None if following is None else [(row[0], row[1]) for row in following]

    # Beyond the uniform interface ----------------------------------------------------------------

    def like(self, item_id: str, count: int) -> None:
        with self.lock:
            self.comments[item_id].likes = count

    def disable_comments(self, post_id: str) -> None:
        with self.lock:
            self.videos[post_id].comments_disabled = True

    def exhaust_quota(self, exhausted: bool = True) -> None:
        """Every call answers 403 quotaExceeded until called again with False."""
        with self.lock:
            self.quota_exhausted = exhausted

    # Errors, in Google's envelopes ---------------------------------------------------------------

    @staticmethod
    def google_error(code: int, reason: str, message: str, domain: str = "global", **extra) -> Response:
        """Google's error envelope; `extra` adds the newer keys (status, details)."""
        error = {"code": code, "message": message, "errors": [{"message": message, "domain": domain, "reason": reason}]}
        error.update(extra)
        return Response.json({"error": error}, status=code)

    def error(self, status: int, request: Request) -> Response:
        if status == 404:
            return self.google_error(404, "notFound", "Requested entity was not found.", status="NOT_FOUND")
        if status == 403:
            return self.google_error(
                403, "forbidden", "The caller does not have permission", status="PERMISSION_DENIED"
            )
        if status >= 500:
            return self.google_error(status, "backendError", "Backend Error", status="UNAVAILABLE")
        return self.google_error(status, "badRequest", "Bad Request", status="INVALID_ARGUMENT")

    def rate_limited(self, retry_after: float, request: Request) -> Response:
        response = self.google_error(
            429, "rateLimitExceeded", "Too many requests.", domain="youtube.quota", status="RESOURCE_EXHAUSTED"
        )
        response.headers.append(("Retry-After", str(int(retry_after))))
        return response

    def expired_token(self, request: Request) -> Response:
        return self.key_invalid()

    def key_invalid(self) -> Response:
        if self.legacy_errors:
            return Response.json(
                {"error": {"errors": [{"domain": "usageLimits", "reason": "keyInvalid", "message": "Bad Request"}],
                           "code": 400, "message": "Bad Request"}},
                status=400,
            )  # fmt: skip
        message = "API key not valid. Please pass a valid API key."
        return self.google_error(
            400, "badRequest", message, status="INVALID_ARGUMENT",
            details=[{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                      "domain": "googleapis.com", "metadata": {"service": "youtube.googleapis.com"}}],
        )  # fmt: skip

    def quota_exceeded(self) -> Response:
        message = (
            "The request cannot be completed because you have exceeded your "
            '<a href="/youtube/v3/getting-started#quota">quota</a>.'
        )
        return self.google_error(403, "quotaExceeded", message, domain="youtube.quota")

    # Routes ----------------------------------------------------------------------------------------

    def routes(self):
        base = self.base_path
        return [
            ("GET", rf"{base}/channels", self.list_channels),
            ("GET", rf"{base}/playlistItems", self.list_playlist_items),
            ("GET", rf"{base}/commentThreads", self.list_comment_threads),
            ("GET", rf"{base}/comments", self.list_comments),
            ("GET", rf"{base}/subscriptions", self.list_subscriptions),
            ("GET", r"/avatar/(?P<channel_id>[^/]+)\.jpg", self.avatar),
            ("GET", r"/vi/(?P<video_id>[^/]+)/hqdefault\.jpg", self.thumbnail),
        ]

    def _refused(self, request: Request) -> Response | None:
        key = request.headers.get("x-goog-api-key") or request.query.get("key")
        if not key:
            message = "The request is missing a valid API key."
            return self.google_error(403, "forbidden", message, status="PERMISSION_DENIED")
        if key not in self.keys:
            return self.key_invalid()
        if self.quota_exhausted:
            return self.quota_exceeded()
        return None

    def _page(self, kind: str, rows: list, request: Request, **extra) -> Response:
        start = _offset(request.query.get("pageToken"))
        if start < 0:
            return self.google_error(400, "invalidPageToken", "The request specifies an invalid page token.")
        size = min(int(request.query.get("maxResults") or 5), self.page_size)
        chunk = rows[start : start + size]
        body = {"kind": kind, "etag": _etag(kind, [row.get("etag") for row in chunk], start)}
        if start + size < len(rows):
            body["nextPageToken"] = _token(start + size)
        if start > 0:
            body["prevPageToken"] = _token(max(0, start - size))
        body["pageInfo"] = {"totalResults": len(rows), "resultsPerPage": size, **extra}
        body["items"] = chunk
        return Response.json(body)

    def list_channels(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        if "id" in request.query:
            wanted = [self.channels.get(value) for value in request.query["id"].split(",")]
        elif "forHandle" in request.query:
            handle = request.query["forHandle"].lower()
            handle = handle if handle.startswith("@") else f"@{handle}"
            wanted = [channel for channel in self.channels.values() if channel.handle.lower() == handle]
        else:
            return self.google_error(400, "missingRequiredParameter", "No filter selected.")
        body = {"kind": "youtube#channelListResponse", "etag": _etag("channels", request.query),
                "pageInfo": {"totalResults": 0, "resultsPerPage": 5}}  # fmt: skip
        items = [self.channel_resource(channel) for channel in wanted if channel is not None]
        if items:  # an unknown channel: no items key at all, as on YouTube
            body["pageInfo"]["totalResults"] = len(items)
            body["items"] = items
        return Response.json(body)

    def channel_resource(self, channel: Channel) -> dict:
        videos = [video for video in self.videos.values() if video.channel_id == channel.id and not video.deleted]
        return {
            "kind": "youtube#channel",
            "etag": _etag(channel.id, channel.name, len(videos)),
            "id": channel.id,
            "snippet": {
                "title": channel.name,
                "description": channel.description,
                "customUrl": channel.handle.lower(),
                "publishedAt": _time(channel.published_at),
                "thumbnails": {"default": {"url": f"{self.url}/avatar/{channel.id}.jpg", "width": 88, "height": 88}},
                "localized": {"title": channel.name, "description": channel.description},
            },
            "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": channel.uploads}},
            "statistics": {
                "viewCount": str(len(videos) * 100),
                "subscriberCount": str(channel.subscribers),
                "hiddenSubscriberCount": False,
                "videoCount": str(len(videos)),
            },
        }

    def list_playlist_items(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        playlist = request.query.get("playlistId", "")
        channel = next((channel for channel in self.channels.values() if channel.uploads == playlist), None)
        if channel is None:
            message = "The playlist identified with the request's <code>playlistId</code> parameter cannot be found."
            return self.google_error(404, "playlistNotFound", message, domain="youtube.playlistItem")
        videos = sorted(
            (video for video in self.videos.values() if video.channel_id == channel.id and not video.deleted),
            key=lambda video: (video.published_at, video.id),
            reverse=True,
        )
        rows = [self.playlist_item(video, channel, position) for position, video in enumerate(videos)]
        return self._page("youtube#playlistItemListResponse", rows, request)

    def thumbnail_url(self, video: Video) -> str:
        return video.media_url or f"{self.url}/vi/{video.id}/hqdefault.jpg"

    def playlist_item(self, video: Video, channel: Channel, position: int) -> dict:
        published = _time(video.published_at)
        thumbnail = {"url": self.thumbnail_url(video), "width": 480, "height": 360}
        return {
            "kind": "youtube#playlistItem",
            "etag": _etag(video.id, video.title, video.description, position),
            "id": base64.b64encode(f"{channel.uploads}.{video.id}".encode()).decode(),
            "snippet": {
                "publishedAt": published,
                "channelId": channel.id,
                "title": video.title,
                "description": video.description,
                "thumbnails": {"high": thumbnail},
                "channelTitle": channel.name,
                "playlistId": channel.uploads,
                "position": position,
                "resourceId": {"kind": "youtube#video", "videoId": video.id},
                "videoOwnerChannelTitle": channel.name,
                "videoOwnerChannelId": channel.id,
            },
            "contentDetails": {"videoId": video.id, "videoPublishedAt": published},
        }

    def comment_resource(self, comment: Comment) -> dict:
        snippet = {
            "channelId": self.videos[comment.video_id].channel_id,
            "videoId": comment.video_id,
            "textDisplay": comment.text.replace("\n", "<br />"),
            "textOriginal": comment.text,
            "authorDisplayName": comment.author_name,
            "authorProfileImageUrl": "",
            "authorChannelUrl": f"http://www.youtube.com/channel/{comment.author_channel_id}",
            "authorChannelId": {"value": comment.author_channel_id},
            "canRate": True,
            "viewerRating": "none",
            "likeCount": comment.likes,
            "publishedAt": _time(comment.published_at),
            "updatedAt": _time(comment.updated_at or comment.published_at),
        }
        if comment.parent_id:
            snippet["parentId"] = comment.parent_id
        return {
            "kind": "youtube#comment",
            "etag": _etag(comment.id, comment.text, comment.likes),
            "id": comment.id,
            "snippet": snippet,
        }

    def _visible(self, comment: Comment) -> bool:
        return not comment.deleted and not comment.hidden

    def _replies_of(self, comment: Comment) -> list[Comment]:
        replies = [self.comments[reply_id] for reply_id in comment.replies]
        return sorted(
            (reply for reply in replies if self._visible(reply)),
            key=lambda reply: (reply.published_at, reply.id),
            reverse=True,
        )

    def list_comment_threads(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        video = self.videos.get(request.query.get("videoId", ""))
        if video is None or video.deleted:
            message = (
                'The video identified by the <code><a href="/youtube/v3/docs/commentThreads/list#videoId">'
                "videoId</a></code> parameter could not be found."
            )
            return self.google_error(404, "videoNotFound", message, domain="youtube.commentThread")
        if video.comments_disabled:
            message = (
                'The video identified by the <code><a href="/youtube/v3/docs/commentThreads/list#videoId">'
                "videoId</a></code> parameter has disabled comments."
            )
            return self.google_error(403, "commentsDisabled", message, domain="youtube.commentThread")
        threads = sorted(
            (c for c in self.comments.values() if c.video_id == video.id and not c.parent_id and self._visible(c)),
            key=lambda comment: (comment.published_at, comment.id),
            reverse=True,
        )
        parts = set(request.query.get("part", "snippet").split(","))
        rows = []
        for comment in threads:
            replies = self._replies_of(comment)
            row = {
                "kind": "youtube#commentThread",
                "etag": _etag("thread", comment.id, comment.text, len(replies)),
                "id": comment.id,
                "snippet": {
                    "channelId": video.channel_id,
                    "videoId": video.id,
                    "topLevelComment": self.comment_resource(comment),
                    "canReply": True,
                    "totalReplyCount": len(replies),
                    "isPublic": True,
                },
            }
            if "replies" in parts and replies:
                row["replies"] = {
                    "comments": [self.comment_resource(reply) for reply in replies[: self.inline_replies]]
                }
            rows.append(row)
        return self._page("youtube#commentThreadListResponse", rows, request)

    def list_comments(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        parent = self.comments.get(request.query.get("parentId", ""))
        if parent is None or not self._visible(parent):
            return self.google_error(
                404, "commentNotFound", "The comment could not be found.", domain="youtube.comment"
            )
        rows = [self.comment_resource(reply) for reply in self._replies_of(parent)]
        return self._page("youtube#commentListResponse", rows, request)

    def list_subscriptions(self, request: Request) -> Response:
        """subscriptions.list?channelId=…: public subscriptions only, as an API key reads them."""
        refused = self._refused(request)
        if refused:
            return refused
        channel = self.channels.get(request.query.get("channelId", ""))
        if channel is None:
            return self.google_error(
                404, "subscriberNotFound", "The subscriber identified with the request cannot be found.",
                domain="youtube.subscription",
            )  # fmt: skip
        if channel.subscriptions is None:
            message = "The requester is not allowed to access the requested subscriptions."
            return self.google_error(403, "subscriptionForbidden", message, domain="youtube.subscription")
        rows = [
            {
                "kind": "youtube#subscription",
                "etag": _etag("subscription", channel.id, other_id),
                "id": base64.urlsafe_b64encode(f"{channel.id}:{other_id}".encode()).decode().rstrip("="),
                "snippet": {
                    "publishedAt": _time(channel.published_at),
                    "title": title,
                    "description": "",
                    "resourceId": {"kind": "youtube#channel", "channelId": other_id},
                    "channelId": channel.id,
                    "thumbnails": {"default": {"url": f"{self.url}/avatar/{other_id}.jpg"}},
                },
            }
            for other_id, title in channel.subscriptions
        ]
        return self._page("youtube#subscriptionListResponse", rows, request)

    def avatar(self, request: Request, channel_id: str) -> Response:
        return Response(200, THUMBNAIL, [("Content-Type", "image/jpeg")])

    def thumbnail(self, request: Request, video_id: str) -> Response:
        if video_id not in self.videos:
            return Response(404, b"", [("Content-Type", "text/plain")])
        return Response(200, THUMBNAIL, [("Content-Type", "image/jpeg")])
