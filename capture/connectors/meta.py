"""Facebook Pages and Instagram professional accounts through Meta's Graph API (v26.0), R3.

Both connectors talk to `https://graph.facebook.com/v26.0` with a Page access token (or a
system user's token) from Meta Business Suite. The token travels in the `Authorization: Bearer`
header, never in a query string, so it is in no URL, no log line and no `paging.next` we build.

Who a token is (verify):
- Facebook: `GET /me?fields=id,name,username,link` (a Page token answers as the Page), or, when
  the numeric Page id is given (needed for a system user's token, whose `me` is the system user),
  `GET /{page-id}?fields=id,name,username,link`.
- Instagram: the Instagram account linked to that Page, read from
  `GET /{page-id or me}?fields=id,name,instagram_business_account{id,username,name}` (the
  "Instagram API with Facebook Login" way; a Page without a linked account is refused).
- Scopes: `GET /me/permissions` (`[{permission, status}]`). `/debug_token` would also tell the
  expiry, but it takes the token as `input_token` in the query string, which this module never
  does; so `expires_at` stays None (Page tokens from a long-lived user token do not expire; the
  sync notices a rejected token, code 190, the first time the platform refuses it).

What is read:
- posts: `/{page-id}/feed` (the Page's posts and visitors' posts on it; `from` tells which),
  `/{ig-user-id}/media` for Instagram.
- replies: Facebook `/{post-id}/comments?filter=stream` (every comment and reply, flat and in
  order, each reply with `parent`); Instagram `/{media-id}/comments` with the replies nested as
  `replies{…}`, and `/{comment-id}/replies` when a nested list has more pages.
- messages (Facebook only): `/{page-id}/conversations?fields=…,messages{…}`; a token without
  pages_messaging gets Meta's code 10/200/230, which is PermissionMissing, and the sync then skips
  messages and says why. Instagram messages are not read (NotSupported).

Paging: Meta's `paging.next` is a full URL that carries the token (access_token=…). It is never
followed. The next request is rebuilt from the base address with `after=<paging.cursors.after>`;
a page with cursors but no `next` is the last one. Edges that page by time (`since`/`until`/
`__paging_token`, no cursors) give their paging parameters from `next`, without the token, as a
cursor of the form "time:<query>". A walk stops early once a page reaches `since`.

Quirks (capture/tests/samples/README.md):
- Times like `2021-07-04T19:50:58+0000` (no colon in the offset): `parse_time`.
- Comments without `id` (Page Public Content Access since v11): the id is derived from
  `permalink_url` (`…/posts/<post>/?comment_id=<c>&reply_comment_id=<r>` → `<post>_<r or c>`,
  Meta's own form of a comment id) and, without a permalink, from a SHA-256 of the post id, the
  time, the author and the text ("h_<hex>", which changes if the text is edited: such an edit is
  captured as a new item and the old one marked missing).
- `from` missing (privacy): the author is left empty and the item is not the account's.
- `is_hidden` (Facebook) and `hidden` (Instagram) → Item.hidden.

Errors (`classify_error`): code 190 (and 102) → TokenRejected; 4, 17, 32, 341, 613 and
80001–80009 → RateLimited, waiting `estimated_time_to_regain_access` minutes from
X-Business-Use-Case-Usage (or any usage header) when given, else Retry-After, else
RATE_LIMIT_WAIT; 100 with subcode 33 ("does not exist, cannot be loaded…") → NotFound; 10, 200–299
and other 100s naming a permission → PermissionMissing; 1, 2 → TemporaryFailure.

High usage before the limit: every answer's X-App-Usage, X-Page-Usage and
X-Business-Use-Case-Usage are read; at HIGH_USAGE percent or more of any quota `should_pause()`
answers how long to wait, and the next call raises RateLimited without sending anything. The page
already read is answered; what the sync has finished is stored with its cursor, and the walk goes
on from there after the wait (a page whose replies were not all read is read again).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from urllib.parse import parse_qs, urlencode, urlsplit

from .base import (
    COMMENT,
    MESSAGE,
    POST,
    Connector,
    ConnectorError,
    Identity,
    Item,
    NotFound,
    NotSupported,
    Page,
    PermissionMissing,
    Profile,
    RateLimited,
    TemporaryFailure,
    TokenRejected,
    count,
)
from .http import retry_after_seconds

GRAPH_URL = "https://graph.facebook.com/v26.0"

TOKEN_CODES = frozenset({102, 190})
RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613, *range(80001, 80010)})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
TRANSIENT_CODES = frozenset({1, 2})
USAGE_KEYS = ("call_count", "total_cputime", "total_time", "acc_id_util_pct")
USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-business-use-case-usage")
RATE_LIMIT_WAIT = 600.0  # seconds, when Meta throttles without saying for how long
HIGH_USAGE = 90  # percent of any quota: pause before Meta throttles
TIME_CURSOR = "time:"
TIME_PAGING_KEYS = ("since", "until", "__paging_token", "__previous")

# Counters, summaries and signed CDN addresses (they rotate) change without the item changing.
META_VOLATILE = frozenset({
    "like_count", "comment_count", "comments_count", "reactions", "like", "love", "wow", "haha",
    "sad", "angry", "shares", "summary", "updated_time", "unread_count", "message_count", "snippet",
    "full_picture", "picture", "media_url", "thumbnail_url", "src", "image_data", "can_comment",
    "can_like", "can_reply", "is_subscribed",
})  # fmt: skip


def parse_time(value: str | None) -> datetime.datetime | None:
    """Meta's `2021-07-04T19:50:58+0000` (and the ISO form with a colon) as an aware datetime."""
    if not value:
        return None
    try:
        return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        try:
            parsed = datetime.datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def next_cursor(data: dict) -> str | None:
    """The cursor of the next page, or None at the end. Never the `next` URL itself."""
    paging = data.get("paging") or {}
    if not paging.get("next"):
        return None  # a last page may still have cursors: no `next` is the end
    after = (paging.get("cursors") or {}).get("after")
    if after:
        return after
    query = parse_qs(urlsplit(paging["next"]).query, keep_blank_values=True)
    kept = {key: query[key][-1] for key in TIME_PAGING_KEYS if key in query}
    if not kept.get("until") and not kept.get("__paging_token"):
        return None
    return TIME_CURSOR + urlencode(kept)


def cursor_params(cursor: str | None) -> dict:
    if not cursor:
        return {}
    if cursor.startswith(TIME_CURSOR):
        return {key: values[-1] for key, values in parse_qs(cursor[len(TIME_CURSOR) :], keep_blank_values=True).items()}
    return {"after": cursor}


def _author(row: dict) -> tuple[str, str]:
    who = row.get("from") or {}
    if not who and row.get("user"):
        who = {"id": (row.get("user") or {}).get("id", "")}
    name = who.get("name") or who.get("username") or row.get("username") or ""
    return str(who.get("id") or ""), name


def _comment_ids_from_permalink(permalink: str) -> tuple[str, str, str]:
    """(post, comment, reply) from `…/posts/<post>/?comment_id=<c>&reply_comment_id=<r>`."""
    parts = urlsplit(permalink)
    segments = [segment for segment in parts.path.split("/") if segment]
    post = ""
    for index, segment in enumerate(segments):
        if segment in ("posts", "videos", "photos") and index + 1 < len(segments):
            post = segments[index + 1]
    query = parse_qs(parts.query)
    return post, query.get("comment_id", [""])[-1], query.get("reply_comment_id", [""])[-1]


def facebook_comment_id(row: dict, post_id: str = "") -> str:
    """A comment's id: Meta's own, or derived from its permalink, or from a hash of it."""
    if row.get("id"):
        return str(row["id"])
    post, comment, reply = _comment_ids_from_permalink(row.get("permalink_url") or "")
    if post and (reply or comment):
        return f"{post}_{reply or comment}"
    author_id, _ = _author(row)
    basis = "\x1f".join([post_id, row.get("created_time") or "", author_id, row.get("message") or ""])
    return "h_" + hashlib.sha256(basis.encode()).hexdigest()[:32]


def facebook_parent_id(row: dict, post_id: str) -> str:
    """The comment a reply answers, or the post for a top-level comment."""
    parent = (row.get("parent") or {}).get("id")
    if parent:
        return str(parent)
    post, comment, reply = _comment_ids_from_permalink(row.get("permalink_url") or "")
    if post and comment and reply:
        return f"{post}_{comment}"
    return post_id


def parse_facebook_post(row: dict, page_id: str = "") -> Item:
    author_id, author_name = _author(row)
    media = [row["full_picture"]] if row.get("full_picture") else []
    return Item(
        platform_id=str(row["id"]),
        kind=POST,
        text=row.get("message") or row.get("story") or "",
        published_at=parse_time(row.get("created_time")),
        raw=row,
        permalink=row.get("permalink_url") or "",
        author_id=author_id or page_id,
        author_name=author_name,
        by_account="from" not in row or (bool(page_id) and author_id == page_id),
        media=media,
        hidden=bool(row.get("is_hidden")),
    )


def parse_facebook_comment(row: dict, post_id: str, page_id: str = "") -> Item:
    author_id, author_name = _author(row)
    attachment = ((row.get("attachment") or {}).get("media") or {}).get("image") or {}
    return Item(
        platform_id=facebook_comment_id(row, post_id),
        kind=COMMENT,
        text=row.get("message") or "",
        published_at=parse_time(row.get("created_time")),
        raw=row,
        permalink=row.get("permalink_url") or "",
        author_id=author_id,
        author_name=author_name,
        by_account=bool(page_id) and author_id == page_id,
        parent_id=facebook_parent_id(row, post_id),
        thread_id=post_id,
        media=[attachment["src"]] if attachment.get("src") else [],
        hidden=bool(row.get("is_hidden")),
    )


def parse_facebook_message(row: dict, conversation_id: str, page_id: str = "") -> Item:
    author_id, author_name = _author(row)
    media = []
    for attachment in (row.get("attachments") or {}).get("data") or []:
        image = attachment.get("image_data") or {}
        if image.get("url"):
            media.append(image["url"])
    return Item(
        platform_id=str(row["id"]),
        kind=MESSAGE,
        text=row.get("message") or "",
        published_at=parse_time(row.get("created_time")),
        raw=row,
        author_id=author_id,
        author_name=author_name,
        by_account=bool(page_id) and author_id == page_id,
        thread_id=conversation_id,
        media=media,
    )


def parse_instagram_media(row: dict, ig_user_id: str = "") -> Item:
    media = []
    for node in [row, *((row.get("children") or {}).get("data") or [])]:
        url = node.get("thumbnail_url") if node.get("media_type") == "VIDEO" else node.get("media_url")
        if url and url not in media:
            media.append(url)
    return Item(
        platform_id=str(row["id"]),
        kind=POST,
        text=row.get("caption") or "",
        published_at=parse_time(row.get("timestamp")),
        raw=row,
        permalink=row.get("permalink") or "",
        author_id=ig_user_id,
        author_name=row.get("username") or "",
        by_account=True,
        media=media,
    )


def parse_instagram_comment(row: dict, media_id: str, ig_user_id: str = "", parent_id: str = "") -> Item:
    author_id, author_name = _author(row)
    return Item(
        platform_id=str(row["id"]),
        kind=COMMENT,
        text=row.get("text") or "",
        published_at=parse_time(row.get("timestamp")),
        raw=row,
        author_id=author_id,
        author_name=author_name,
        by_account=bool(ig_user_id) and author_id == ig_user_id,
        parent_id=str(row.get("parent_id") or parent_id or media_id),
        thread_id=media_id,
        hidden=bool(row.get("hidden")),
    )


def parse_facebook_profile(data: dict) -> Profile:
    """A Page's profile (R4, R5). The Page's intro (`about`) is what a visitor reads first; the long
    `description` stands in where there is no intro. Graph does not show which accounts a Page
    follows, so `following` is None."""
    picture = ((data.get("picture") or {}).get("data") or {}).get("url") or ""
    followers = data.get("followers_count") if "followers_count" in data else data.get("fan_count")
    return Profile(
        name=data.get("name") or "",
        description=data.get("about") or data.get("description") or "",
        picture_url=picture,
        followers=count(followers),
        raw={"profile": data},
    )


def parse_instagram_profile(data: dict) -> Profile:
    """An Instagram professional account's profile: the Graph API gives how many accounts it
    follows (`follows_count`), never which (R9: the self-check says so)."""
    return Profile(
        name=data.get("name") or data.get("username") or "",
        description=data.get("biography") or "",
        picture_url=data.get("profile_picture_url") or "",
        followers=count(data.get("followers_count")),
        following_count=count(data.get("follows_count")),
        raw={"profile": data},
    )


def parse_usage(headers) -> tuple[float, float | None]:
    """(highest percentage of any quota, longest estimated wait in seconds or None) from Meta's
    usage headers. Each header's value is JSON: flat ({call_count, total_cputime, total_time}) or
    keyed by business object id with a list of such objects (X-Business-Use-Case-Usage)."""
    highest, wait = 0.0, None

    def read(block):
        nonlocal highest, wait
        if isinstance(block, list):
            for part in block:
                read(part)
        elif isinstance(block, dict):
            for key, value in block.items():
                if isinstance(value, dict | list):
                    read(value)
                elif key == "estimated_time_to_regain_access" and isinstance(value, int | float):
                    if value > 0:
                        wait = max(wait or 0.0, float(value) * 60)
                elif key in USAGE_KEYS and isinstance(value, int | float):
                    highest = max(highest, float(value))

    for name in USAGE_HEADERS:
        value = headers.get(name)
        if not value:
            continue
        try:
            read(json.loads(value))
        except ValueError:
            try:  # the legacy X-Page-Usage was seen with Python-style quotes
                read(json.loads(value.replace("'", '"')))
            except ValueError:
                continue
    return highest, wait


def classify(status: int, body, headers) -> ConnectorError | None:
    """Meta's error body ({"error": {"code", "error_subcode", "message", …}}) as a connector error,
    or None for the HTTP client to decide from the status code."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or "code" not in error:
        return None
    try:
        code = int(error["code"])
    except (TypeError, ValueError):
        return None
    subcode = error.get("error_subcode")
    message = str(error.get("message") or "")
    detail = f"Graph API code {code}" + (f"/{subcode}" if subcode else "")
    if code in TOKEN_CODES:
        return TokenRejected(detail=detail)
    if code in RATE_LIMIT_CODES:
        _, estimated = parse_usage(headers)
        if estimated is None:
            estimated = retry_after_seconds(headers.get("retry-after"), default=RATE_LIMIT_WAIT)
        return RateLimited(retry_after=estimated, detail=detail)
    if code == 100 and subcode == 33:  # "Object with ID … does not exist" (or may not be seen)
        return NotFound(detail=detail)
    if code in PERMISSION_CODES or (code == 100 and "permission" in message.lower()):
        return PermissionMissing(detail=detail)
    if code in TRANSIENT_CODES or error.get("is_transient"):
        return TemporaryFailure(detail=detail)
    if status >= 500:
        return None
    return ConnectorError(detail=detail)


class MetaConnector(Connector):
    fixed_base_url = GRAPH_URL
    needs_token = True
    volatile_keys = META_VOLATILE
    concurrency = 4
    page_limit = 50
    media_hosts = ("fbcdn.net", "cdninstagram.com", "facebook.com", "instagram.com")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.usage = 0.0  # highest percentage of any quota in the last answer
        self.usage_wait: float | None = None

    # HTTP ---------------------------------------------------------------------------------------

    def _get(self, path: str, params: dict | None = None) -> dict:
        pause = self.should_pause()
        if pause:
            raise RateLimited(retry_after=pause, detail=f"usage at {self.usage:.0f}%")
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
        try:
            data = self.client.get_json(path, params=params, headers=headers)
        finally:
            response = getattr(self.client, "last_response", None)
            if response is not None:
                self.usage, self.usage_wait = parse_usage(response.headers)
        if isinstance(data, dict) and "error" in data:  # Meta may answer 200 with an error body
            raise classify(200, data, {}) or ConnectorError(detail="Graph API error")
        return data

    def should_pause(self) -> float | None:
        """Seconds to wait before the next call when the last answer's usage headers said a quota
        is at HIGH_USAGE percent or more (Meta throttles at 100), else None."""
        if self.usage >= HIGH_USAGE:
            return self.usage_wait or RATE_LIMIT_WAIT
        return None

    def classify_error(self, response) -> ConnectorError | None:
        try:
            body = response.json()
        except ValueError:
            return None
        return classify(response.status_code, body, response.headers)

    def media_allowed(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        if host in ("127.0.0.1", "localhost"):
            return True
        return url.startswith("https://") and any(host == h or host.endswith("." + h) for h in self.media_hosts)

    def _params(self, fields: str, cursor: str | None = None, **extra) -> dict:
        return {"fields": fields, "limit": self.page_limit, **extra, **cursor_params(cursor)}

    def _node(self, handle: str = "") -> str:
        """The Page (or Instagram account) to read: a numeric id given, the connection's, or the
        token's own (`me`: a Page token answers as its Page). Usernames are not looked up: the
        Graph API no longer resolves them."""
        if handle.isdigit():
            return handle
        return self.external_id or "me"

    def _expiry(self) -> datetime.datetime | None:
        """When the token stops working, from `/debug_token` (the earlier of `expires_at` and
        `data_access_expires_at`; 0 is "never"). This is the one call that carries the token in
        its query string (`input_token`), as the Graph API requires: it goes to Meta's own host
        only (http.py refuses any other), and the portal logs no URL. None when Meta does not say."""
        try:
            data = self._get("debug_token", {"input_token": self.token})
        except (PermissionMissing, NotFound, NotSupported):
            return None
        except ConnectorError as error:
            if isinstance(error, TokenRejected | RateLimited | TemporaryFailure):
                raise
            return None
        info = data.get("data") or {}
        if info.get("is_valid") is False:
            raise TokenRejected(detail="debug_token: is_valid false")
        moments = [
            int(info[key])
            for key in ("expires_at", "data_access_expires_at")
            if str(info.get(key) or "0").isdigit() and int(info.get(key) or 0) > 0
        ]
        return datetime.datetime.fromtimestamp(min(moments), tz=datetime.UTC) if moments else None

    def _scopes(self) -> frozenset[str]:
        try:
            data = self._get("me/permissions")
        except (PermissionMissing, NotFound, NotSupported):
            return frozenset()
        except ConnectorError as error:
            if isinstance(error, TokenRejected | RateLimited | TemporaryFailure):
                raise
            return frozenset()
        return frozenset(
            row["permission"]
            for row in data.get("data") or []
            if row.get("status") == "granted" and row.get("permission")
        )


class FacebookConnector(MetaConnector):
    platform = "facebook"
    label = "Facebook"
    reads_messages = True
    post_fields = "id,message,story,created_time,updated_time,permalink_url,full_picture,status_type,from,is_hidden"
    comment_fields = (
        "id,message,created_time,from,permalink_url,parent{id},is_hidden,comment_count,like_count,attachment"
    )
    message_fields = "id,message,created_time,from,to,attachments"
    conversation_fields = "id,updated_time,link,participants,messages.limit(100){%s}"
    MESSAGE_SCOPES = frozenset({"pages_messaging", "read_page_mailboxes"})

    def verify(self, handle: str = "") -> Identity:
        data = self._get(self._node(handle), {"fields": "id,name,username,link"})
        scopes = self._scopes()
        return Identity(
            platform_id=str(data["id"]),
            name=data.get("name") or "",
            handle=data.get("username") or "",
            url=data.get("link") or "",
            scopes=scopes,
            expires_at=self._expiry(),
            can_read_messages=bool(scopes & self.MESSAGE_SCOPES),
        )

    profile_fields = "id,name,username,link,about,description,picture{url},followers_count,fan_count"

    def profile(self) -> Profile:
        return parse_facebook_profile(self._get(self._node(), {"fields": self.profile_fields}))

    def posts(self, cursor=None, since=None) -> Page:
        page_id = self._node()
        data = self._get(f"{page_id}/feed", self._params(self.post_fields, cursor))
        items = [parse_facebook_post(row, self.external_id) for row in data.get("data") or []]
        return Page(items, None if self.stop_at(items, since) else next_cursor(data))

    def replies(self, post: Item, cursor=None) -> Page:
        data = self._get(
            f"{post.platform_id}/comments",
            self._params(self.comment_fields, cursor, filter="stream", order="chronological"),
        )
        items = [parse_facebook_comment(row, post.platform_id, self.external_id) for row in data.get("data") or []]
        return Page(items, next_cursor(data))

    def messages(self, cursor=None, since=None) -> Page:
        data = self._get(
            f"{self._node()}/conversations",
            self._params(self.conversation_fields % self.message_fields, cursor),
        )
        items, reached = [], False
        for conversation in data.get("data") or []:
            updated = parse_time(conversation.get("updated_time"))
            if since is not None and updated is not None and updated < since:
                reached = True  # conversations come most recently updated first
                break
            items.extend(self._conversation_messages(conversation))
        return Page(items, None if reached else next_cursor(data))

    def _conversation_messages(self, conversation: dict) -> list[Item]:
        conversation_id = str(conversation["id"])
        block = conversation.get("messages") or {}
        items = [parse_facebook_message(row, conversation_id, self.external_id) for row in block.get("data") or []]
        cursor = next_cursor(block)
        while cursor:
            data = self._get(f"{conversation_id}/messages", self._params(self.message_fields, cursor))
            items.extend(
                parse_facebook_message(row, conversation_id, self.external_id) for row in data.get("data") or []
            )
            cursor = next_cursor(data)
        return items


class InstagramConnector(MetaConnector):
    platform = "instagram"
    label = "Instagram"
    media_fields = (
        "id,caption,media_type,media_url,thumbnail_url,permalink,timestamp,username,like_count,comments_count,"
        "children{id,media_type,media_url,thumbnail_url,permalink,timestamp}"
    )
    reply_fields = "id,text,timestamp,from,username,user,hidden,like_count,parent_id"
    comment_fields = f"{reply_fields},replies{{{reply_fields}}}"

    def verify(self, handle: str = "") -> Identity:
        """`handle` (optional, numeric) is the id of the Facebook Page the Instagram account is
        linked to; without it the Page token's own Page (`me`)."""
        node = handle if handle.isdigit() else "me"
        data = self._get(node, {"fields": "id,name,instagram_business_account{id,username,name}"})
        account = data.get("instagram_business_account") or {}
        if not account.get("id"):
            raise NotFound("The Facebook Page has no Instagram professional account linked to it.")
        return Identity(
            platform_id=str(account["id"]),
            name=account.get("name") or account.get("username") or data.get("name") or "",
            handle=account.get("username") or "",
            url=f"https://www.instagram.com/{account['username']}/" if account.get("username") else "",
            scopes=self._scopes(),
            expires_at=self._expiry(),
        )

    profile_fields = "id,username,name,biography,profile_picture_url,followers_count,follows_count"

    def profile(self) -> Profile:
        return parse_instagram_profile(self._get(self._node(), {"fields": self.profile_fields}))

    def posts(self, cursor=None, since=None) -> Page:
        data = self._get(f"{self._node()}/media", self._params(self.media_fields, cursor))
        items = [parse_instagram_media(row, self.external_id) for row in data.get("data") or []]
        return Page(items, None if self.stop_at(items, since) else next_cursor(data))

    def replies(self, post: Item, cursor=None) -> Page:
        data = self._get(f"{post.platform_id}/comments", self._params(self.comment_fields, cursor))
        return Page(self.parse_comments(data, post.platform_id), next_cursor(data))

    def parse_comments(self, data: dict, media_id: str) -> list[Item]:
        """A comments page with its nested replies, flattened (each reply after its comment); a
        nested list with more pages is read on from `/{comment-id}/replies`."""
        items = []
        for row in data.get("data") or []:
            comment = parse_instagram_comment(row, media_id, self.external_id)
            items.append(comment)
            block = row.get("replies") or {}
            rows = list(block.get("data") or [])
            cursor = next_cursor(block)
            while cursor:
                more = self._get(f"{comment.platform_id}/replies", self._params(self.reply_fields, cursor))
                rows.extend(more.get("data") or [])
                cursor = next_cursor(more)
            items.extend(
                parse_instagram_comment(reply, media_id, self.external_id, parent_id=comment.platform_id)
                for reply in rows
            )
        return items

    def messages(self, cursor=None, since=None) -> Page:
        raise NotSupported("Instagram messages are not read by the portal yet.")
