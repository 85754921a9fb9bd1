"""Meta's Graph API (v26.0) as the Facebook and Instagram connectors call it, on loopback.

`FacebookSimulator` serves Pages: `/me`, `/{page-id}`, `/me/permissions`, `/{page-id}/feed` (and
`/posts`), `/{object-id}/comments` (filter=stream: every comment and reply, flat, with `parent`;
otherwise the top level), `/{page-id}/conversations` with nested `messages{…}` and
`/{conversation-id}/messages`.
`InstagramSimulator` serves an Instagram professional account linked to a Page: `/me` with
`instagram_business_account`, `/{ig-user-id}/media`, `/{media-id}/comments` with nested
`replies{…}`, `/{comment-id}/replies`.

Answers have the shapes of the recorded samples (capture/tests/samples): `+0000` times, cursor
paging whose `next` URL carries `access_token=` as Meta's does (a connector that followed it would
leak the token: the tests look for that), and a last page with cursors but no `next`. Errors are
Meta's bodies: code 190 for an unknown or expired token (HTTP 400), code 4 with X-App-Usage and
X-Business-Use-Case-Usage headers for the rate-limit fault, code 200 for conversations without
pages_messaging. `usage_headers` are added to every answer (to test pausing before the limit).

A token is accepted as `Authorization: Bearer …` or `access_token=`, like Meta does.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import math
from urllib.parse import urlencode

from .server import Request, Response, Simulator

VERSION = "/v26.0"
DEFAULT_SCOPES = ("pages_show_list", "pages_read_engagement", "pages_read_user_content", "pages_messaging")
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def meta_time(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _user_id(name: str) -> str:
    """A stable numeric id for a commenter (deterministic across runs, unlike hash())."""
    return str(int(hashlib.sha256(name.encode()).hexdigest()[:12], 16))


def _cursor(index: int) -> str:
    return base64.urlsafe_b64encode(f"i:{index}".encode()).decode().rstrip("=")


def _index(cursor: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split(":", 1)[1])
    except (ValueError, IndexError):
        return -1


class MetaSimulator(Simulator):
    name = "meta"
    base_path = VERSION
    rate_limit_code = 4

    def __init__(self, page_size: int = 25):
        super().__init__()
        self.page_size = page_size
        self.accounts: dict[str, dict] = {}
        self.tokens: dict[str, str] = {}  # token → account id
        self.scopes: dict[str, list[str]] = {}  # token → granted permissions
        self.expiry: dict[str, int] = {}  # token → expires_at (epoch seconds; absent or 0: never), /debug_token
        self.posts: dict[str, dict] = {}
        self.comments: dict[str, dict] = {}  # id → comment (post_id, parent_id)
        self.usage_headers: list[tuple[str, str]] = []

    # The uniform interface -----------------------------------------------------------------------

    def add_account(self, account_id: str, name: str, handle: str = "", token: str | None = None) -> None:
        with self.lock:
            self.accounts[account_id] = {"id": account_id, "name": name, "handle": handle or account_id}
            token = token or f"token-{account_id}"
            self.tokens[token] = account_id
            self.scopes[token] = list(DEFAULT_SCOPES)

    def set_profile(
        self, account_id: str, description: str = "", followers: int | None = None, following: list | None = None
    ) -> None:
        """The profile's description and follower count (R5). Meta's Graph API never lists whom a
        Page or an Instagram account follows: `following` (a list of (id, name, handle)) only counts."""
        with self.lock:
            self.accounts[account_id].update(description=description, followers=followers, following=following)

    def _picture_url(self, account_id: str) -> str:
        return f"{self.url}/media/avatar-{account_id}.png"

    @staticmethod
    def _fields(request: Request, data: dict) -> dict:
        """Only the fields asked for (`fields=id,name,picture{url}`), as the Graph API answers."""
        wanted = [field.split("{")[0].split(".")[0] for field in request.query.get("fields", "").split(",") if field]
        if not wanted:
            return data
        return {key: data[key] for key in ["id", *wanted] if key in data}

    def add_post(
        self, account_id: str, post_id: str, text: str, published_at: datetime.datetime, media_url: str | None = None
    ) -> None:
        with self.lock:
            self.posts[post_id] = {
                "id": post_id, "account": account_id, "text": text, "published_at": published_at,
                "updated_at": published_at, "media_url": media_url, "deleted": False, "hidden": False,
            }  # fmt: skip

    def add_comment(
        self, post_id: str, comment_id: str, text: str, author_name: str, published_at: datetime.datetime,
        parent_id: str | None = None, by_account: bool = False,
    ) -> None:  # fmt: skip
        with self.lock:
            post = self.posts[post_id]
            author_id = post["account"] if by_account else _user_id(author_name)
            self.comments[comment_id] = {
                "id": comment_id, "post_id": post_id, "parent_id": parent_id, "text": text,
                "author_id": author_id, "author_name": self.own_name(post["account"]) if by_account
                else author_name, "published_at": published_at, "deleted": False, "hidden": False,
                "by_account": by_account,
            }  # fmt: skip

    def edit(self, item_id: str, text: str) -> None:
        with self.lock:
            item = self.posts.get(item_id) or self.comments[item_id]
            item["text"] = text
            item["updated_at"] = item["published_at"] + datetime.timedelta(minutes=5)

    def delete(self, item_id: str) -> None:
        with self.lock:
            (self.posts.get(item_id) or self.comments[item_id])["deleted"] = True

    def hide(self, item_id: str) -> None:
        with self.lock:
            (self.posts.get(item_id) or self.comments[item_id])["hidden"] = True

    def own_name(self, account_id: str) -> str:
        """How the account itself is named as an author (a Page by its name)."""
        return self.accounts[account_id]["name"]

    # Meta's errors -------------------------------------------------------------------------------

    def graph_error(self, status: int, code: int, message: str, subcode: int | None = None, headers=None) -> Response:
        error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "SIMULATED"}
        if subcode:
            error["error_subcode"] = subcode
        return Response.json({"error": error}, status=status, headers=headers)

    def error(self, status: int, request: Request) -> Response:
        if status == 404:
            return self.graph_error(
                400, 100, "Unsupported get request. Object with ID does not exist, cannot be loaded due to "
                "missing permissions, or does not support this operation.", subcode=33,
            )  # fmt: skip
        if status >= 500:
            return self.graph_error(status, 2, "An unexpected error has occurred. Please retry your request later.")
        return self.graph_error(status, 1, "An unknown error has occurred.")

    def rate_limited(self, retry_after: float, request: Request) -> Response:
        minutes = max(1, math.ceil(retry_after / 60))
        usage = '{"call_count":100,"total_cputime":12,"total_time":15}'
        account = self._account_for(request) or "0"
        buc = (
            f'{{"{account}":[{{"type":"pages","call_count":100,"total_cputime":12,"total_time":15,'
            f'"estimated_time_to_regain_access":{minutes}}}]}}'
        )
        return self.graph_error(
            400, self.rate_limit_code, "(#4) Application request limit reached",
            headers=[("X-App-Usage", usage), ("X-Business-Use-Case-Usage", buc)],
        )  # fmt: skip

    def expired_token(self, request: Request) -> Response:
        return self.graph_error(
            400, 190, "Error validating access token: Session has expired on Monday, 19-Jun-23 06:29:46 PDT.",
            subcode=463,
        )  # fmt: skip

    # Plumbing ------------------------------------------------------------------------------------

    def _token(self, request: Request) -> str:
        header = request.headers.get("authorization", "")
        if header.startswith("Bearer "):
            return header[7:]
        return request.query.get("access_token", "")

    def _account_for(self, request: Request) -> str | None:
        return self.tokens.get(self._token(request))

    def _ok(self, data) -> Response:
        return Response.json(data, headers=list(self.usage_headers))

    def _paged(self, request: Request, path: str, rows: list[dict]) -> Response:
        limit = min(int(request.query.get("limit") or self.page_size), self.page_size)
        start = _index(request.query["after"]) + 1 if request.query.get("after") else 0
        chunk = rows[start : start + limit]
        body: dict = {"data": chunk}
        if chunk:
            end = start + len(chunk) - 1
            paging: dict = {"cursors": {"before": _cursor(start), "after": _cursor(end)}}
            if end + 1 < len(rows):
                query = {k: v for k, v in request.query.items() if k not in ("after", "access_token")}
                query.update(access_token=self._token(request), after=_cursor(end))
                paging["next"] = f"{self.url}{VERSION}/{path}?{urlencode(query)}"
            body["paging"] = paging
        return self._ok(body)

    def _media(self, request: Request, name: str) -> Response:
        return Response(200, PIXEL, [("Content-Type", "image/png")])

    def _live_posts(self, account_id: str) -> list[dict]:
        posts = [p for p in self.posts.values() if p["account"] == account_id and not p["deleted"]]
        return sorted(posts, key=lambda p: (p["published_at"], p["id"]), reverse=True)

    def _live_comments(self, post_id: str, parent_id: str | None = "*") -> list[dict]:
        rows = [c for c in self.comments.values() if c["post_id"] == post_id and not c["deleted"]]
        if parent_id != "*":
            rows = [c for c in rows if c["parent_id"] == parent_id]
        return sorted(rows, key=lambda c: (c["published_at"], c["id"]))

    def routes(self):
        return [
            ("GET", r"/media/(?P<name>[^/]+)", self._media),
            (
                "GET",
                VERSION + r"/debug_token",
                self._authorised(lambda request, account_id: self._debug_token(request)),
            ),
            ("GET", VERSION + r"/(?P<node>[^/]+)", self._authorised(self.node)),
            ("GET", VERSION + r"/(?P<node>[^/]+)/(?P<edge>[^/]+)", self._authorised(self.edge)),
        ]

    def _authorised(self, handler):
        def wrapped(request, **groups):
            account_id = self._account_for(request)
            if account_id is None:
                return self.graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
            return handler(request, account_id=account_id, **groups)

        return wrapped

    def node(self, request, account_id, node):
        raise NotImplementedError

    def edge(self, request, account_id, node, edge):
        raise NotImplementedError

    def _debug_token(self, request):
        token = request.query.get("input_token", "")
        if token not in self.tokens:
            return self._ok({"data": {"is_valid": False, "scopes": []}})
        return self._ok(
            {"data": {"type": "PAGE", "is_valid": True, "expires_at": self.expiry.get(token, 0),
                      "data_access_expires_at": 0, "scopes": self.scopes.get(token, [])}}
        )  # fmt: skip

    def _permissions(self, request):
        scopes = self.scopes.get(self._token(request), [])
        return self._ok({"data": [{"permission": scope, "status": "granted"} for scope in scopes]})


class FacebookSimulator(MetaSimulator):
    name = "facebook"

    def __init__(self, page_size: int = 25):
        super().__init__(page_size)
        self.conversations: dict[str, dict] = {}
        self.messages: dict[str, dict] = {}

    def add_message(
        self, account_id: str, conversation_id: str, message_id: str, text: str, author_name: str,
        published_at: datetime.datetime, by_account: bool = False,
    ) -> None:  # fmt: skip
        with self.lock:
            self.conversations.setdefault(conversation_id, {"id": conversation_id, "account": account_id})
            author_id = account_id if by_account else _user_id(author_name)
            self.messages[message_id] = {
                "id": message_id, "conversation": conversation_id, "text": text, "published_at": published_at,
                "author_id": author_id, "author_name": self.accounts[account_id]["name"] if by_account else author_name,
            }  # fmt: skip

    def _page_json(self, account_id: str) -> dict:
        account = self.accounts[account_id]
        row = {
            "id": account_id, "name": account["name"], "username": account["handle"],
            "link": f"https://www.facebook.com/{account['handle']}",
            "about": account.get("description", ""),
            "picture": {"data": {"height": 50, "is_silhouette": False, "url": self._picture_url(account_id),
                                 "width": 50}},
        }  # fmt: skip
        if account.get("followers") is not None:
            row["followers_count"] = row["fan_count"] = account["followers"]
        return row

    def _post_json(self, post: dict) -> dict:
        account = self.accounts[post["account"]]
        page_part = post["id"].split("_")[-1]
        row = {
            "id": post["id"], "created_time": meta_time(post["published_at"]),
            "updated_time": meta_time(post["updated_at"]), "message": post["text"],
            "permalink_url": f"https://www.facebook.com/{post['account']}/posts/{page_part}/",
            "from": {"name": account["name"], "id": post["account"]}, "status_type": "mobile_status_update",
            "is_hidden": post["hidden"],
        }  # fmt: skip
        if post["media_url"]:
            row["full_picture"] = post["media_url"]
        return row

    def _comment_json(self, comment: dict) -> dict:
        post = self.posts[comment["post_id"]]
        post_part = post["id"].split("_")[-1]
        permalink = f"https://www.facebook.com/{post['account']}/posts/{post_part}/?comment_id="
        if comment["parent_id"]:
            permalink += f"{comment['parent_id'].split('_')[-1]}&reply_comment_id={comment['id'].split('_')[-1]}"
        else:
            permalink += comment["id"].split("_")[-1]
        row = {
            "id": comment["id"], "created_time": meta_time(comment["published_at"]), "message": comment["text"],
            "from": {"name": comment["author_name"], "id": comment["author_id"]}, "permalink_url": permalink,
            "is_hidden": comment["hidden"], "like_count": 0,
            "comment_count": sum(1 for c in self.comments.values() if c["parent_id"] == comment["id"]),
        }  # fmt: skip
        if comment["parent_id"]:
            row["parent"] = {"id": comment["parent_id"]}
        return row

    def _message_json(self, message: dict) -> dict:
        return {
            "id": message["id"], "created_time": meta_time(message["published_at"]), "message": message["text"],
            "from": {"name": message["author_name"], "id": message["author_id"]},
        }  # fmt: skip

    def node(self, request, account_id, node):
        if node == "me" or node == account_id:
            return self._ok(self._fields(request, self._page_json(account_id)))
        if node in self.posts and not self.posts[node]["deleted"]:
            return self._ok(self._post_json(self.posts[node]))
        return self.error(404, request)

    def edge(self, request, account_id, node, edge):
        if node == "me" and edge == "permissions":
            return self._permissions(request)
        if node == "me":
            node = account_id
        if node == account_id and edge in ("feed", "posts"):
            rows = [self._post_json(post) for post in self._live_posts(account_id)]
            return self._paged(request, f"{node}/{edge}", rows)
        if node == account_id and edge == "conversations":
            return self._conversations(request, account_id)
        if edge == "messages" and node in self.conversations:
            rows = self._conversation_rows(node)
            return self._paged(request, f"{node}/messages", rows)
        if edge == "comments":
            if node in self.posts and not self.posts[node]["deleted"]:
                parent = "*" if request.query.get("filter") == "stream" else None
                rows = [self._comment_json(c) for c in self._live_comments(node, parent)]
            elif node in self.comments and not self.comments[node]["deleted"]:
                comment = self.comments[node]
                rows = [self._comment_json(c) for c in self._live_comments(comment["post_id"], node)]
            else:
                return self.error(404, request)
            return self._paged(request, f"{node}/comments", rows)
        return self.error(404, request)

    def _conversation_rows(self, conversation_id: str) -> list[dict]:
        rows = [m for m in self.messages.values() if m["conversation"] == conversation_id]
        return [self._message_json(m) for m in sorted(rows, key=lambda m: (m["published_at"], m["id"]), reverse=True)]

    def _conversations(self, request, account_id):
        if "pages_messaging" not in self.scopes.get(self._token(request), []):
            return self.graph_error(
                403, 200, "(#200) Requires pages_messaging permission to manage the object"
            )  # fmt: skip
        conversations = []
        for conversation in self.conversations.values():
            if conversation["account"] != account_id:
                continue
            rows = self._conversation_rows(conversation["id"])
            if not rows:
                continue
            conversations.append({
                "id": conversation["id"], "updated_time": rows[0]["created_time"],
                "link": f"/{account_id}/inbox/{conversation['id']}/",
                "messages": {"data": rows[: self.page_size], **({"paging": {
                    "cursors": {"before": _cursor(0), "after": _cursor(self.page_size - 1)},
                    "next": f"{self.url}{VERSION}/{conversation['id']}/messages?"
                    + urlencode({"access_token": self._token(request), "after": _cursor(self.page_size - 1)}),
                }} if len(rows) > self.page_size else {})},
            })  # fmt: skip
        conversations.sort(key=lambda c: (c["updated_time"], c["id"]), reverse=True)
        return self._paged(request, f"{account_id}/conversations", conversations)


class InstagramSimulator(MetaSimulator):
    """An Instagram professional account, reached through the Facebook Page it is linked to: the
    account's token is a Page token whose `/me` names the Instagram account."""

    name = "instagram"

    def own_name(self, account_id: str) -> str:
        return self.accounts[account_id]["handle"]  # Instagram names authors by username

    def page_id(self, account_id: str) -> str:
        return f"page-{account_id}"

    def _media_json(self, post: dict) -> dict:
        account = self.accounts[post["account"]]
        row = {
            "id": post["id"], "caption": post["text"], "media_type": "IMAGE",
            "permalink": f"https://www.instagram.com/p/{post['id']}/", "timestamp": meta_time(post["published_at"]),
            "username": account["handle"], "like_count": 0,
            "comments_count": len(self._live_comments(post["id"])),
        }  # fmt: skip
        if post["media_url"]:
            row["media_url"] = post["media_url"]
        return row

    def _comment_json(self, comment: dict, nested: bool = True, token: str = "") -> dict:
        row = {
            "id": comment["id"], "text": comment["text"], "timestamp": meta_time(comment["published_at"]),
            "from": {"id": comment["author_id"], "username": comment["author_name"]},
            "username": comment["author_name"], "hidden": comment["hidden"], "like_count": 0,
            "media": {"id": comment["post_id"]},
        }  # fmt: skip
        if comment["parent_id"]:
            row["parent_id"] = comment["parent_id"]
        if nested and not comment["parent_id"]:
            replies = self._live_comments(comment["post_id"], comment["id"])
            if replies:
                block: dict = {"data": [self._comment_json(r, nested=False) for r in replies[: self.page_size]]}
                if len(replies) > self.page_size:
                    block["paging"] = {
                        "cursors": {"after": _cursor(self.page_size - 1)},
                        "next": f"{self.url}{VERSION}/{comment['id']}/replies?"
                        + urlencode({"access_token": token, "after": _cursor(self.page_size - 1)}),
                    }
                row["replies"] = block
        return row

    def node(self, request, account_id, node):
        if node in ("me", self.page_id(account_id)):
            account = self.accounts[account_id]
            return self._ok({
                "id": self.page_id(account_id), "name": account["name"],
                "instagram_business_account": {
                    "id": account_id, "username": account["handle"], "name": account["name"],
                },
            })  # fmt: skip
        if node == account_id:
            account = self.accounts[account_id]
            row = {
                "id": account_id, "username": account["handle"], "name": account["name"],
                "biography": account.get("description", ""), "profile_picture_url": self._picture_url(account_id),
                "followers_count": account.get("followers") or 0,
                "follows_count": len(account.get("following") or []),
                "media_count": len(self._live_posts(account_id)),
            }  # fmt: skip
            return self._ok(self._fields(request, row))
        return self.error(404, request)

    def edge(self, request, account_id, node, edge):
        if node == "me" and edge == "permissions":
            return self._permissions(request)
        if node == account_id and edge == "media":
            rows = [self._media_json(post) for post in self._live_posts(account_id)]
            return self._paged(request, f"{node}/media", rows)
        if edge == "comments" and node in self.posts and not self.posts[node]["deleted"]:
            rows = [self._comment_json(c, token=self._token(request)) for c in self._live_comments(node, None)]
            return self._paged(request, f"{node}/comments", rows)
        if edge == "replies" and node in self.comments and not self.comments[node]["deleted"]:
            rows = [
                self._comment_json(c, nested=False) for c in self._live_comments(self.comments[node]["post_id"], node)
            ]
            return self._paged(request, f"{node}/replies", rows)
        return self.error(404, request)
