"""A simulated Mastodon instance: the part of the REST API the connector calls
(capture/connectors/mastodon.py), answering in the shapes of the recorded samples
(capture/tests/samples/mastodon_*).

- GET /api/v1/accounts/lookup?acct=…           404 {"error": "Record not found"} when unknown
- GET /api/v1/accounts/:id/statuses             newest first, `limit` (at most `page_size`), `max_id`,
                                                `exclude_reblogs`, `exclude_replies`; a Link header with
                                                rel="next" when the page is full (as Mastodon does) and
                                                rel="prev"
- GET /api/v1/statuses/:id                      one status, 404 {"error": "Record not found"}
- GET /api/v1/statuses/:id/context              ancestors (root first) and descendants, without the
                                                status itself; a deleted status's replies drop out
- GET /media/<name>                             a picture (simulators/media.py); a `media_url` given
                                                as a path (/media/a.png) is on this server
Faults: a rate limit is 429 {"error": "Too many requests"} with X-RateLimit-* headers (the reset an
ISO time) and no Retry-After, as Mastodon answers; an expired token is 401 {"error": "The access
token is invalid"} (only where the account was given a token). Mastodon has no hiding of replies.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from html import escape

from . import media
from .server import REASONS, Request, Response, Simulator


def _iso(when: datetime.datetime) -> str:
    return when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _html(text: str) -> str:
    return "".join(f"<p>{escape(p).replace(chr(10), '<br />')}</p>" for p in text.split("\n\n"))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_]", "", name.lower().replace(" ", "_")) or "user"


class MastodonSimulator(Simulator):
    name = "mastodon"
    base_path = ""

    def __init__(self, page_size: int = 25, host: str = ""):
        super().__init__()
        self.page_size = page_size
        self.host = host  # the instance's public address in urls; the served address when empty
        self.accounts: dict[str, dict] = {}
        self.acct_index: dict[str, str] = {}
        self.tokens: dict[str, str] = {}  # account id → token, where one was given
        self.statuses: dict[str, dict] = {}  # every status ever added, deleted ones included
        self.deleted: set[str] = set()
        self.owner: dict[str, str] = {}  # status id → the account whose timeline it is on
        self.following: dict[str, list[dict]] = {}  # account id → the accounts it follows

    # Seeding (the uniform interface) -------------------------------------------------------------

    def _base(self) -> str:
        return self.host or self.url or "http://127.0.0.1"

    def _account(self, account_id: str, name: str, acct: str) -> dict:
        base = self._base()
        return {
            "id": account_id, "username": acct.split("@")[0], "acct": acct, "display_name": name,
            "locked": False, "bot": False, "discoverable": True, "indexable": True, "group": False,
            "created_at": "2020-01-01T00:00:00.000Z", "note": "",
            "url": f"{base}/@{acct}", "uri": f"{base}/users/{acct}",
            "avatar": f"{base}/avatars/original/missing.png", "avatar_static": f"{base}/avatars/original/missing.png",
            "header": f"{base}/headers/original/missing.png", "header_static": f"{base}/headers/original/missing.png",
            "followers_count": 0, "following_count": 0, "statuses_count": 0, "last_status_at": None,
            "emojis": [], "fields": [],
        }  # fmt: skip

    def add_account(self, account_id: str, name: str, handle: str = "", token: str | None = None) -> None:
        with self.lock:
            acct = (handle or _slug(name)).lstrip("@")
            self.accounts[account_id] = self._account(account_id, name, acct)
            self.acct_index[acct.lower()] = account_id
            if token:
                self.tokens[account_id] = token

    def set_profile(
        self, account_id: str, description: str = "", followers: int | None = None, following: list | None = None
    ) -> None:
        """The account's note (kept as Mastodon's HTML), follower count and the accounts it follows,
        as (id, name, handle) (None: it hides them, `hide_collections`)."""
        with self.lock:
            account = self.accounts[account_id]
            account["note"] = _html(description) if description else ""
            account["avatar"] = account["avatar_static"] = f"{self._base()}/media/avatar-{account_id}.png"
            if followers is not None:
                account["followers_count"] = followers
            account["hide_collections"] = following is None
            self.following[account_id] = [
                self._account(str(other_id), name, handle.lstrip("@")) for other_id, name, handle in following or []
            ]
            account["following_count"] = len(following or [])

    def _status(self, status_id, account, text, published_at, in_reply_to=None, media_url=None) -> dict:
        base = self._base()
        media = []
        if media_url:
            media.append({
                "id": f"m{status_id}", "type": "image", "url": media_url, "preview_url": media_url,
                "remote_url": None, "description": None, "blurhash": None, "meta": {},
            })  # fmt: skip
        return {
            "id": status_id, "created_at": _iso(published_at),
            "in_reply_to_id": in_reply_to["id"] if in_reply_to else None,
            "in_reply_to_account_id": in_reply_to["account"]["id"] if in_reply_to else None,
            "sensitive": False, "spoiler_text": "", "visibility": "public", "language": "sv",
            "uri": f"{base}/users/{account['acct']}/statuses/{status_id}",
            "url": f"{base}/@{account['acct']}/{status_id}",
            "replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "quotes_count": 0,
            "edited_at": None, "content": _html(text), "reblog": None,
            "application": {"name": "Web", "website": None}, "account": account,
            "media_attachments": media, "mentions": [], "tags": [], "emojis": [], "card": None, "poll": None,
        }  # fmt: skip

    def add_post(
        self, account_id: str, post_id: str, text: str, published_at: datetime.datetime, media_url: str | None = None
    ) -> None:
        with self.lock:
            account = self.accounts[account_id]
            media_url = media.resolve(media_url, self.url)
            self.statuses[post_id] = self._status(post_id, account, text, published_at, media_url=media_url)
            self.owner[post_id] = account_id
            account["statuses_count"] += 1

    def add_boost(self, account_id: str, boost_id: str, text: str, author_name: str, published_at) -> None:
        """A boost (reblog) by the account of another account's status."""
        with self.lock:
            other = self._commenter(author_name)
            original = self._status(f"{boost_id}-original", other, text, published_at)
            boost = self._status(boost_id, self.accounts[account_id], "", published_at)
            boost.update(content="", reblog=original, url=None)
            self.statuses[boost_id] = boost
            self.owner[boost_id] = account_id

    def _commenter(self, author_name: str) -> dict:
        account_id = "9" + str(int(hashlib.sha256(author_name.encode()).hexdigest()[:12], 16))
        acct = f"{_slug(author_name)}@example.social"
        return self._account(account_id, author_name, acct)

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
            post = self.statuses[post_id]
            parent = self.statuses[parent_id or post_id]
            author = post["account"] if by_account else self._commenter(author_name)
            self.statuses[comment_id] = self._status(comment_id, author, text, published_at, in_reply_to=parent)
            parent["replies_count"] += 1

    def edit(self, item_id: str, text: str) -> None:
        with self.lock:
            status = self.statuses[item_id]
            created = datetime.datetime.fromisoformat(status["created_at"].replace("Z", "+00:00"))
            edits = int(status.get("_edits", 0)) + 1
            status["_edits"] = edits
            status["content"] = _html(text)
            status["edited_at"] = _iso(created + datetime.timedelta(minutes=edits))

    def delete(self, item_id: str) -> None:
        with self.lock:
            self.deleted.add(item_id)

    def hide(self, item_id: str) -> None:
        raise NotImplementedError("Mastodon has no hiding of replies by the account.")

    # Faults in Mastodon's own shapes ---------------------------------------------------------------

    def error(self, status: int, request: Request) -> Response:
        message = "Record not found" if status == 404 else REASONS.get(status, "Error")
        return Response.json({"error": message}, status=status)

    def rate_limited(self, retry_after: float, request: Request) -> Response:
        reset = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=retry_after)
        return Response.json(
            {"error": "Too many requests"},
            status=429,
            headers=[
                ("X-RateLimit-Limit", "300"),
                ("X-RateLimit-Remaining", "0"),
                ("X-RateLimit-Reset", reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
            ],
        )

    def expired_token(self, request: Request) -> Response:
        return Response.json({"error": "The access token is invalid"}, status=401)

    # The API -------------------------------------------------------------------------------------

    def routes(self):
        return [
            ("GET", r"/api/v1/accounts/lookup", self.lookup),
            ("GET", media.ROUTE, media.media_response),
            ("GET", r"/api/v1/accounts/(?P<account_id>[^/]+)/statuses", self.account_statuses),
            ("GET", r"/api/v1/accounts/(?P<account_id>[^/]+)/following", self.account_following),
            ("GET", r"/api/v1/accounts/(?P<account_id>[^/]+)", self.account),
            ("GET", r"/api/v1/statuses/(?P<status_id>[^/]+)/context", self.context),
            ("GET", r"/api/v1/statuses/(?P<status_id>[^/]+)", self.status),
        ]

    def _refused(self, request: Request, account_id: str | None) -> bool:
        token = self.tokens.get(account_id or "")
        return bool(token) and request.headers.get("authorization") != f"Bearer {token}"

    @staticmethod
    def _public(status: dict) -> dict:
        return {key: value for key, value in status.items() if not key.startswith("_")}

    def _visible(self, status_id: str) -> bool:
        return status_id in self.statuses and status_id not in self.deleted

    def lookup(self, request: Request) -> Response:
        acct = request.query.get("acct", "").lstrip("@").lower()
        account_id = self.acct_index.get(acct)
        if account_id is None and self.url:
            # user@this-instance is the local user
            local, _, domain = acct.partition("@")
            if domain and domain in (self.host or self.url).lower():
                account_id = self.acct_index.get(local)
        if account_id is None:
            return self.error(404, request)
        if self._refused(request, account_id):
            return self.expired_token(request)
        return Response.json(self.accounts[account_id])

    def account(self, request: Request, account_id: str) -> Response:
        if account_id not in self.accounts:
            return self.error(404, request)
        if self._refused(request, account_id):
            return self.expired_token(request)
        return Response.json(self.accounts[account_id])

    def account_following(self, request: Request, account_id: str) -> Response:
        """Newest follow first, `limit` (at most `page_size`, 80), `max_id` as the index of the
        follow (Mastodon's follow ids are opaque to the client); an account that hides its
        follows answers an empty list, as Mastodon does to anyone but itself."""
        if account_id not in self.accounts:
            return self.error(404, request)
        if self._refused(request, account_id):
            return self.expired_token(request)
        if self.accounts[account_id].get("hide_collections"):
            return Response.json([])
        rows = self.following.get(account_id, [])
        limit = min(int(request.query.get("limit") or 40), self.page_size, 80)
        start = int(request.query.get("max_id") or 0)
        page = rows[start : start + limit]
        headers = []
        if start + limit < len(rows):
            path = f"{self.url}/api/v1/accounts/{account_id}/following?limit={limit}"
            headers.append(("Link", f'<{path}&max_id={start + limit}>; rel="next"'))
        return Response.json(page, headers=headers)

    def _sort_key(self, status_id: str):
        return (self.statuses[status_id]["created_at"], len(status_id), status_id)

    def account_statuses(self, request: Request, account_id: str) -> Response:
        if account_id not in self.accounts:
            return self.error(404, request)
        if self._refused(request, account_id):
            return self.expired_token(request)
        limit = min(int(request.query.get("limit") or 20), self.page_size, 40)
        exclude_reblogs = request.query.get("exclude_reblogs") in ("true", "1")
        exclude_replies = request.query.get("exclude_replies") in ("true", "1")
        ids = [
            sid
            for sid, status in self.statuses.items()
            if self._visible(sid)
            and status["account"]["id"] == account_id
            and not (exclude_reblogs and status.get("reblog"))
            and not (exclude_replies and status["in_reply_to_account_id"] not in (None, account_id))
        ]
        ids.sort(key=self._sort_key, reverse=True)
        max_id = request.query.get("max_id")
        if max_id:
            if max_id in self.statuses:
                ids = [sid for sid in ids if self._sort_key(sid) < self._sort_key(max_id)]
            else:
                ids = []
        page = ids[:limit]
        headers = []
        if page:
            path = f"{self.url}/api/v1/accounts/{account_id}/statuses?limit={limit}"
            links = []
            if len(page) == limit:
                links.append(f'<{path}&max_id={page[-1]}>; rel="next"')
            links.append(f'<{path}&min_id={page[0]}>; rel="prev"')
            headers.append(("Link", ", ".join(links)))
        headers += [("X-RateLimit-Limit", "300"), ("X-RateLimit-Remaining", "299")]
        return Response.json([self._public(self.statuses[sid]) for sid in page], headers=headers)

    def status(self, request: Request, status_id: str) -> Response:
        if not self._visible(status_id):
            return self.error(404, request)
        return Response.json(self._public(self.statuses[status_id]))

    def context(self, request: Request, status_id: str) -> Response:
        if not self._visible(status_id):
            return self.error(404, request)
        if self._refused(request, self.owner.get(status_id)):
            return self.expired_token(request)
        ancestors, current = [], self.statuses[status_id]
        while current["in_reply_to_id"] and self._visible(current["in_reply_to_id"]):
            current = self.statuses[current["in_reply_to_id"]]
            ancestors.insert(0, self._public(current))
        children: dict[str, list[str]] = {}
        for sid, status in self.statuses.items():
            if status["in_reply_to_id"] and self._visible(sid):
                children.setdefault(status["in_reply_to_id"], []).append(sid)
        descendants: list[dict] = []

        def walk(parent_id: str):
            for child in sorted(children.get(parent_id, []), key=self._sort_key):
                descendants.append(self._public(self.statuses[child]))
                walk(child)

        walk(status_id)
        return Response.json({"ancestors": ancestors, "descendants": descendants})
