"""Mastodon: an account's public statuses and the replies under them, through the instance's own
REST API (no token needed for public accounts; README "Capturing the platforms").

Why httpx and not Mastodon.py: the connector makes three GET calls (lookup, statuses, context) and
must go through the portal's one client (http.py: timeouts, same-origin only, errors mapped). The
library would add its own session, retries and rate-limit sleeping that the task queue already does.

- verify: GET /api/v1/accounts/lookup?acct=… (404 {"error": "Record not found"} → NotFound).
- posts: GET /api/v1/accounts/:id/statuses?exclude_reblogs=true&limit=40, paged by `max_id` from the
  Link header's rel="next" (the header's URL is read for its max_id only; the request is built from
  the connection's base address again, so a Link pointing elsewhere is never followed). Only the
  account's own top-level statuses are posts: a status with `in_reply_to_id` is a reply, captured
  under its thread's post through the context (so it is stored once, as a comment). The account's
  replies under other accounts' posts are therefore not captured (README).
- replies: GET /api/v1/statuses/:id/context → `descendants`, flattened; `in_reply_to_id` is the
  parent, the post is the thread. The context does not contain the status itself (sample), and a
  public context is capped by the server (60 descendants without a token).
- Text: the HTML `content` as plain text (paragraphs and line breaks kept, links as their full
  address); a content warning (`spoiler_text`) comes first. The raw status is kept as it came.
- Errors: 404/410 → NotFound; 429 → RateLimited for as long as Retry-After, or else
  X-RateLimit-Reset (an ISO time, not an epoch), says; 401/403 without a token → the server does
  not show the account publicly (PermissionMissing); with a token → TokenRejected.
"""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, urlsplit

from .base import (
    COMMENT,
    MAX_FOLLOWING,
    POST,
    Connector,
    Identity,
    Item,
    Page,
    PermissionMissing,
    Profile,
    RateLimited,
    TokenRejected,
    count,
    followed,
)
from .http import retry_after_seconds

PAGE_SIZE = 40  # the API's maximum for account statuses
FOLLOWING_PAGE_SIZE = 80  # the API's maximum for an account's following

# Counters and the requesting user's own state (favourited, bookmarked… only with a token): they
# change without the status changing (capture/hashing.py).
VOLATILE_KEYS = frozenset(
    {
        "replies_count",
        "reblogs_count",
        "favourites_count",
        "quotes_count",
        "followers_count",
        "following_count",
        "statuses_count",
        "last_status_at",
        "favourited",
        "reblogged",
        "muted",
        "bookmarked",
        "pinned",
        "filtered",
    }
)


class _TextExtractor(HTMLParser):
    BLOCKS = {"p", "blockquote", "pre", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(value: str) -> str:
    """Mastodon's status HTML as plain text: paragraphs apart by a blank line, <br> a line break,
    links as their whole address (the `invisible` spans that shorten them are text too)."""
    if not value:
        return ""
    parser = _TextExtractor()
    parser.feed(value)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def parse_time(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    when = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return when


def link_next_max_id(link_header: str | None) -> str | None:
    """The `max_id` of the Link header's rel="next" URL, or None (the last page)."""
    if not link_header:
        return None
    for part in link_header.split(","):
        match = re.match(r"\s*<([^>]*)>\s*;(.*)", part)
        if not match:
            continue
        url, params = match.groups()
        if re.search(r'rel\s*=\s*"?next"?', params):
            values = parse_qs(urlsplit(url).query).get("max_id")
            return values[0] if values else None
    return None


def rate_limit_wait(headers, now: datetime.datetime | None = None) -> float:
    """Seconds to wait after a 429: Retry-After if given, else until X-RateLimit-Reset (ISO time)."""
    if headers.get("Retry-After"):
        return retry_after_seconds(headers.get("Retry-After"))
    reset = headers.get("X-RateLimit-Reset")
    if reset:
        try:
            when = parse_time(reset.strip())
        except ValueError:
            when = None
        if when is not None:
            now = now or datetime.datetime.now(datetime.UTC)
            return max(1.0, (when - now).total_seconds())
    return 300.0  # Mastodon's rate-limit window is five minutes


def acct_of(handle: str) -> str:
    """What the lookup takes: `name` or `name@instance`, from a handle as comms may type it
    (`@name@instance`, `name`, or the profile's address https://instance/@name)."""
    handle = handle.strip()
    if handle.startswith(("https://", "http://")):
        path = urlsplit(handle).path.rstrip("/")
        handle = path.rsplit("/", 1)[-1]
    return handle.lstrip("@")


def media_urls(status: dict) -> list[str]:
    urls = []
    for attachment in status.get("media_attachments") or []:
        if attachment.get("type") == "image":
            url = attachment.get("url") or attachment.get("preview_url")
        else:  # video, gifv, audio: the still image that stands for it
            url = attachment.get("preview_url") or ""
        if url:
            urls.append(url)
    return urls


def parse_account_profile(data: dict) -> Profile:
    """An account's profile (R4, R5): the note (HTML) as plain text. `following` is filled by
    MastodonConnector.profile(), unless the account hides its follows (`hide_collections`)."""
    return Profile(
        name=data.get("display_name") or data.get("username") or data.get("acct") or "",
        description=html_to_text(data.get("note") or ""),
        picture_url=data.get("avatar") or data.get("avatar_static") or "",
        followers=count(data.get("followers_count")),
        following_count=count(data.get("following_count")),
        raw={"profile": data},
    )


def parse_following(data: list) -> list[dict]:
    """/api/v1/accounts/:id/following as followed accounts (R9)."""
    return [
        followed(row.get("id", ""), row.get("display_name") or row.get("username") or "", row.get("acct") or "",
                 row.get("url") or "")
        for row in data or []
        if isinstance(row, dict) and row.get("id")
    ]  # fmt: skip


class MastodonConnector(Connector):
    platform = "mastodon"
    label = "Mastodon"
    fixed_base_url = None  # the account's own instance
    needs_token = False
    volatile_keys = VOLATILE_KEYS
    concurrency = 2

    def _get(self, path, params=None):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
        return self.client.get_json(path, params=params, headers=headers)

    def classify_error(self, response):
        status = response.status_code
        if status == 429:
            return RateLimited(retry_after=rate_limit_wait(response.headers), detail="HTTP 429")
        if status in (401, 403):
            if self.token:
                return TokenRejected(detail=f"HTTP {status}")
            return PermissionMissing(
                "The Mastodon server does not show this account's posts to the public.", detail=f"HTTP {status}"
            )
        return None

    # What the sync reads -------------------------------------------------------------------------

    def verify(self, handle: str = "") -> Identity:
        data = self._get("/api/v1/accounts/lookup", {"acct": acct_of(handle)})
        return self.identity(data)

    @staticmethod
    def identity(data: dict) -> Identity:
        return Identity(
            platform_id=str(data["id"]),
            name=data.get("display_name") or data.get("username") or data.get("acct", ""),
            handle=data.get("acct", ""),
            url=data.get("url") or "",
        )

    def profile(self) -> Profile:
        account_id = quote(self.external_id, safe="")
        data = self._get(f"/api/v1/accounts/{account_id}")
        profile = parse_account_profile(data)
        if data.get("hide_collections"):
            return profile  # the account does not show whom it follows: the list stays None
        rows, pages, max_id = [], [], None
        while True:
            params = {"limit": str(FOLLOWING_PAGE_SIZE)}
            if max_id:
                params["max_id"] = max_id
            page = self._get(f"/api/v1/accounts/{account_id}/following", params)
            pages.append(page)
            rows.extend(parse_following(page))
            response = self.client.last_response
            max_id = link_next_max_id(response.headers.get("Link") if response is not None else None) if page else None
            if len(rows) >= MAX_FOLLOWING:
                rows, profile.following_truncated = rows[:MAX_FOLLOWING], True
                break
            if not max_id:
                break
        if not rows and profile.following_count:
            return profile  # it follows some but shows none: hidden, not "follows nobody"
        profile.following = rows
        profile.raw["following"] = pages
        return profile

    def posts(self, cursor: str | None = None, since: datetime.datetime | None = None) -> Page:
        params = {"exclude_reblogs": "true", "limit": str(PAGE_SIZE)}
        if cursor:
            params["max_id"] = cursor
        data = self._get(f"/api/v1/accounts/{quote(self.external_id, safe='')}/statuses", params)
        response = self.client.last_response
        return self.parse_statuses(data, response.headers.get("Link") if response is not None else None)

    def parse_statuses(self, data: list, link_header: str | None = None) -> Page:
        items = [
            self.item(status, POST) for status in data if not status.get("reblog") and not status.get("in_reply_to_id")
        ]
        next_cursor = link_next_max_id(link_header) if data else None
        return Page(items, next_cursor)

    def replies(self, post: Item, cursor: str | None = None) -> Page:
        data = self._get(f"/api/v1/statuses/{quote(post.platform_id, safe='')}/context")
        return self.parse_context(data, post.platform_id)

    def parse_context(self, data: dict, post_id: str) -> Page:
        items = [
            self.item(status, COMMENT, thread_id=post_id)
            for status in data.get("descendants") or []
            if str(status.get("id")) != post_id
        ]
        return Page(items)

    def item(self, status: dict, kind: str, thread_id: str = "") -> Item:
        account = status.get("account") or {}
        text = html_to_text(status.get("content") or "")
        if status.get("spoiler_text"):
            text = f"{status['spoiler_text']}\n\n{text}".strip()
        return Item(
            platform_id=str(status["id"]),
            kind=kind,
            text=text,
            published_at=parse_time(status.get("created_at")),
            raw=status,
            permalink=status.get("url") or status.get("uri") or "",
            author_id=str(account.get("id", "")),
            author_name=account.get("display_name") or account.get("acct") or "",
            by_account=bool(self.external_id) and str(account.get("id", "")) == self.external_id,
            parent_id=str(status.get("in_reply_to_id") or "") if kind == COMMENT else "",
            thread_id=thread_id,
            media=media_urls(status),
        )
