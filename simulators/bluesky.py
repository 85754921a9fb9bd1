"""A simulated Bluesky AppView: the public XRPC queries the connector calls
(capture/connectors/bluesky.py), answering in the shapes of the recorded samples
(capture/tests/samples/bluesky_*) and the lexicons (app.bsky.actor.getProfile,
app.bsky.feed.getAuthorFeed, app.bsky.feed.getPostThread, app.bsky.feed.defs).

- getProfile?actor=<handle or did>      400 {"error": "InvalidRequest", "message": "Profile not found"}
- getAuthorFeed?actor&filter&limit&cursor
                                        newest first (reposts by the time of the repost, with
                                        `reason` #reasonRepost); `cursor` (the last item's time and
                                        rkey, opaque to the client) only while a page is full
- getPostThread?uri&depth               the post with its replies nested; a deleted reply that has
                                        replies is a #notFoundPost node, a deleted leaf is gone; a
                                        deleted or unknown root is 400 {"error": "NotFound"}; the
                                        root's threadgate (with `hiddenReplies`) once a reply is hidden
- GET /media/<name>                     a picture (simulators/media.py); a `media_url` given as a
                                        path (/media/a.png) is on this server
Faults: a rate limit is 429 {"error": "RateLimitExceeded"} with RateLimit-Limit/-Remaining/-Reset
(a Unix time in seconds)/-Policy; an expired token is 400 {"error": "ExpiredToken"}.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import time

from . import media
from .server import REASONS, Request, Response, Simulator

POST_VIEW = "app.bsky.feed.defs#postView"
THREAD_VIEW = "app.bsky.feed.defs#threadViewPost"


def _iso(when: datetime.datetime) -> str:
    return when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _cid(*parts: str) -> str:
    return "bafyrei" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:52]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower()) or "user"


class BlueskySimulator(Simulator):
    name = "bluesky"
    base_path = ""

    def __init__(self, page_size: int = 25):
        super().__init__()
        self.page_size = page_size
        self.profiles: dict[str, dict] = {}  # did → profile
        self.handles: dict[str, str] = {}  # handle → did
        self.posts: dict[str, dict] = {}  # uri → {"view": postView, "root", "parent", "sort": (time, rkey)}
        self.ids: dict[str, str] = {}  # the seeding id → uri
        self.deleted: set[str] = set()
        self.hidden: dict[str, list[str]] = {}  # root uri → hidden reply uris
        self.reposts: list[dict] = []  # {"by": did, "uri": reposted post, "at": time}
        self.follows: dict[str, list[str]] = {}  # did → the dids it follows

    # Seeding (the uniform interface) -------------------------------------------------------------

    def _author(self, did: str) -> dict:
        profile = self.profiles[did]
        return {
            "did": did, "handle": profile["handle"], "displayName": profile["displayName"],
            "avatar": profile["avatar"], "labels": [], "createdAt": profile["createdAt"],
        }  # fmt: skip

    def _profile(self, did: str, name: str, handle: str) -> dict:
        return {
            "did": did, "handle": handle, "displayName": name,
            "avatar": f"https://cdn.bsky.app/img/avatar/plain/{did}/bafkreiavatar@jpeg",
            "associated": {"lists": 0, "feedgens": 0, "starterPacks": 0, "labeler": False},
            "labels": [], "createdAt": "2023-04-27T16:46:45.754Z", "description": "",
            "indexedAt": "2024-01-01T00:00:00.000Z",
            "followersCount": 0, "followsCount": 0, "postsCount": 0,
        }  # fmt: skip

    def add_account(self, account_id: str, name: str, handle: str = "", token: str | None = None) -> None:
        with self.lock:
            did = account_id if account_id.startswith("did:") else f"did:plc:{account_id}"
            handle = (handle or f"{_slug(name)}.bsky.social").lstrip("@")
            self.profiles[did] = self._profile(did, name, handle)
            self.handles[handle.lower()] = did

    def set_profile(
        self, account_id: str, description: str = "", followers: int | None = None, following: list | None = None
    ) -> None:
        """The profile's description and follower count, and the accounts it follows as
        (did or id, name, handle): Bluesky's follows are always public."""
        with self.lock:
            did = self._did(account_id)
            profile = self.profiles[did]
            profile["description"] = description
            if followers is not None:
                profile["followersCount"] = followers
            follows = []
            for other_id, name, handle in following or []:
                other = self._did(str(other_id))
                if other not in self.profiles:
                    self.profiles[other] = self._profile(other, name, handle.lstrip("@"))
                    self.handles[handle.lstrip("@").lower()] = other
                follows.append(other)
            self.follows[did] = follows
            profile["followsCount"] = len(follows)

    def _did(self, account_id: str) -> str:
        return account_id if account_id.startswith("did:") else f"did:plc:{account_id}"

    def _new_post(self, did, item_id, text, published_at, reply_to=None, media_url=None) -> str:
        uri = item_id if item_id.startswith("at://") else f"at://{did}/app.bsky.feed.post/{item_id}"
        record = {"$type": "app.bsky.feed.post", "createdAt": _iso(published_at), "langs": ["sv"], "text": text}
        root = parent = None
        if reply_to is not None:
            parent = reply_to
            root = self.posts[reply_to]["root"] or reply_to
            record["reply"] = {
                "parent": {"cid": self.posts[parent]["view"]["cid"], "uri": parent},
                "root": {"cid": self.posts[root]["view"]["cid"], "uri": root},
            }
        view = {
            "uri": uri, "cid": _cid(uri, text), "author": self._author(did), "record": record,
            "replyCount": 0, "repostCount": 0, "likeCount": 0, "quoteCount": 0,
            "indexedAt": _iso(published_at), "labels": [],
        }  # fmt: skip
        if media_url:
            record["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [{"alt": "", "image": {"$type": "blob", "ref": {"$link": _cid(media_url)},
                                                  "mimeType": "image/jpeg", "size": 1000}}],
            }  # fmt: skip
            view["embed"] = {
                "$type": "app.bsky.embed.images#view",
                "images": [{"thumb": media_url, "fullsize": media_url, "alt": ""}],
            }
        self.posts[uri] = {"view": view, "root": root, "parent": parent, "sort": (_iso(published_at), uri)}
        self.ids[item_id] = uri
        if parent:
            self.posts[parent]["view"]["replyCount"] += 1
        return uri

    def add_post(
        self, account_id: str, post_id: str, text: str, published_at: datetime.datetime, media_url: str | None = None
    ) -> None:
        with self.lock:
            did = self._did(account_id)
            self._new_post(did, post_id, text, published_at, media_url=media.resolve(media_url, self.url))
            self.profiles[did]["postsCount"] += 1

    def add_repost(self, account_id: str, post_id: str, text: str, author_name: str, published_at) -> None:
        """A post by another account (`author_name`) that the account reposts at `published_at`."""
        with self.lock:
            other = self._commenter(author_name)
            uri = self._new_post(other, post_id, text, published_at - datetime.timedelta(hours=1))
            self.reposts.append({"by": self._did(account_id), "uri": uri, "at": _iso(published_at)})

    def _commenter(self, author_name: str) -> str:
        did = "did:plc:" + hashlib.sha256(author_name.encode()).hexdigest()[:24]
        if did not in self.profiles:
            handle = f"{_slug(author_name)}.bsky.social"
            self.profiles[did] = self._profile(did, author_name, handle)
            self.handles[handle] = did
        return did

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
            post_uri = self.ids.get(post_id, post_id)
            parent_uri = self.ids.get(parent_id, parent_id) if parent_id else post_uri
            root_uri = self.posts[post_uri]["root"] or post_uri
            did = self.posts[root_uri]["view"]["author"]["did"] if by_account else self._commenter(author_name)
            self._new_post(did, comment_id, text, published_at, reply_to=parent_uri)

    def edit(self, item_id: str, text: str) -> None:
        """Bluesky's app has no edit, but a record can be put again: a new record, a new cid."""
        with self.lock:
            view = self.posts[self.ids.get(item_id, item_id)]["view"]
            view["record"]["text"] = text
            view["cid"] = _cid(view["uri"], text)

    def delete(self, item_id: str) -> None:
        with self.lock:
            self.deleted.add(self.ids.get(item_id, item_id))

    def hide(self, item_id: str) -> None:
        """The thread's author hides a reply (the root's threadgate `hiddenReplies`)."""
        with self.lock:
            uri = self.ids.get(item_id, item_id)
            root = self.posts[uri]["root"] or uri
            self.hidden.setdefault(root, []).append(uri)

    # Faults in the XRPC shapes ---------------------------------------------------------------------

    def error(self, status: int, request: Request) -> Response:
        names = {400: "InvalidRequest", 401: "AuthMissing", 404: "NotFound", 501: "MethodNotImplemented"}
        error = names.get(status, "InternalServerError" if status >= 500 else "Error")
        return Response.json({"error": error, "message": REASONS.get(status, "Error")}, status=status)

    def rate_limited(self, retry_after: float, request: Request) -> Response:
        reset = int(time.time() + retry_after)
        return Response.json(
            {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            status=429,
            headers=[
                ("RateLimit-Limit", "3000"),
                ("RateLimit-Remaining", "0"),
                ("RateLimit-Reset", str(reset)),
                ("RateLimit-Policy", "3000;w=300"),
            ],
        )

    def expired_token(self, request: Request) -> Response:
        return Response.json({"error": "ExpiredToken", "message": "Token has expired"}, status=400)

    # The API -------------------------------------------------------------------------------------

    def routes(self):
        return [
            ("GET", r"/xrpc/app\.bsky\.actor\.getProfile", self.get_profile),
            ("GET", media.ROUTE, media.media_response),
            ("GET", r"/xrpc/app\.bsky\.feed\.getAuthorFeed", self.get_author_feed),
            ("GET", r"/xrpc/app\.bsky\.feed\.getPostThread", self.get_post_thread),
            ("GET", r"/xrpc/app\.bsky\.graph\.getFollows", self.get_follows),
        ]

    def _resolve(self, actor: str) -> str | None:
        actor = actor.lstrip("@")
        if actor.startswith("did:"):
            return actor if actor in self.profiles else None
        return self.handles.get(actor.lower())

    @staticmethod
    def _invalid(message: str, error: str = "InvalidRequest") -> Response:
        return Response.json({"error": error, "message": message}, status=400)

    def get_profile(self, request: Request) -> Response:
        actor = request.query.get("actor", "")
        if not actor:
            return self._invalid('Error: Params must have the property "actor"')
        did = self._resolve(actor)
        if did is None:
            return self._invalid("Profile not found")
        profile = dict(self.profiles[did])
        if self.url:  # the avatar on this server, so that a test or the demo fetches it offline
            profile["avatar"] = f"{self.url}/media/avatar-{did.rsplit(':', 1)[-1]}.jpg"
        return Response.json(profile)

    def get_follows(self, request: Request) -> Response:
        """app.bsky.graph.getFollows: `subject` and `follows` (profile views), newest first, paged by
        an opaque `cursor` while a page is full."""
        did = self._resolve(request.query.get("actor", ""))
        if did is None:
            return self._invalid("Profile not found")
        follows = list(reversed(self.follows.get(did, [])))
        limit = min(int(request.query.get("limit") or 50), self.page_size, 100)
        start = int(request.query.get("cursor") or 0)
        page = follows[start : start + limit]
        body: dict = {"subject": self._author(did), "follows": [self._author(other) for other in page]}
        if start + limit < len(follows):
            body["cursor"] = str(start + limit)
        return Response.json(body)

    def _visible(self, uri: str) -> bool:
        return uri in self.posts and uri not in self.deleted

    def get_author_feed(self, request: Request) -> Response:
        actor = request.query.get("actor", "")
        did = self._resolve(actor) if actor else None
        if did is None:
            return self._invalid("Profile not found")
        limit = min(int(request.query.get("limit") or 50), self.page_size, 100)
        filter_ = request.query.get("filter", "posts_with_replies")
        entries = []  # (sort key, feed item)
        for uri, post in self.posts.items():
            view = post["view"]
            if not self._visible(uri) or view["author"]["did"] != did:
                continue
            if post["parent"] and filter_ in ("posts_no_replies", "posts_with_media"):
                continue
            item = {"post": view}
            if post["parent"]:
                parent, root = self.posts[post["parent"]]["view"], self.posts[post["root"]]["view"]
                item["reply"] = {
                    "root": {"$type": POST_VIEW, **root},
                    "parent": {"$type": POST_VIEW, **parent},
                }
            entries.append((post["sort"], item))
        for repost in self.reposts:
            if repost["by"] == did and self._visible(repost["uri"]):
                item = {
                    "post": self.posts[repost["uri"]]["view"],
                    "reason": {
                        "$type": "app.bsky.feed.defs#reasonRepost",
                        "by": self._author(did),
                        "indexedAt": repost["at"],
                    },
                }
                entries.append(((repost["at"], "repost:" + repost["uri"]), item))
        entries.sort(key=lambda entry: entry[0], reverse=True)
        cursor = request.query.get("cursor")
        if cursor:
            at, _, key = cursor.partition("::")
            entries = [entry for entry in entries if entry[0] < (at, key)]
        page = entries[:limit]
        body: dict = {"feed": [item for _, item in page]}
        if page and len(page) == limit:
            at, key = page[-1][0]
            body["cursor"] = f"{at}::{key}"
        return Response.json(body)

    def get_post_thread(self, request: Request) -> Response:
        uri = request.query.get("uri", "")
        if not self._visible(uri):
            return self._invalid(f"Post not found: {uri}", error="NotFound")
        depth = int(request.query.get("depth") or 6)
        children: dict[str, list[str]] = {}
        for child_uri, post in self.posts.items():
            if post["parent"]:
                children.setdefault(post["parent"], []).append(child_uri)

        def node(node_uri: str, level: int) -> dict | None:
            if node_uri in self.deleted:
                if not any(self._visible(child) for child in children.get(node_uri, [])):
                    return None
                return {"$type": "app.bsky.feed.defs#notFoundPost", "uri": node_uri, "notFound": True}
            result = {"$type": THREAD_VIEW, "post": self.posts[node_uri]["view"], "threadContext": {}}
            if level < depth:
                replies = []
                for child in sorted(children.get(node_uri, []), key=lambda c: self.posts[c]["sort"]):
                    rendered = node(child, level + 1)
                    if rendered is not None:
                        replies.append(rendered)
                result["replies"] = replies
            return result

        body: dict = {"thread": node(uri, 0)}
        root = self.posts[uri]["root"] or uri
        if self.hidden.get(root):
            root_view = self.posts[root]["view"]
            rkey = root.rsplit("/", 1)[-1]
            body["threadgate"] = {
                "uri": f"at://{root_view['author']['did']}/app.bsky.feed.threadgate/{rkey}",
                "cid": _cid(root, "threadgate", *self.hidden[root]),
                "record": {
                    "$type": "app.bsky.feed.threadgate",
                    "createdAt": root_view["record"]["createdAt"],
                    "hiddenReplies": list(self.hidden[root]),
                    "post": root,
                },  # fmt: skip
                "lists": [],
            }
        return Response.json(body)
