"""Any account that publishes an RSS or Atom feed (a blog, a news page, a YouTube channel's
videos.xml): the feed is fetched through PlatformClient (timeouts, the connection's own origin only,
no redirects followed) and its bytes are given to feedparser, which never fetches anything itself.

A feed has no paging and no comments: `posts` answers every entry in it, newest first, as one page.
A feed shows only its latest entries (YouTube's 15, a blog's 10 or 20); what falls off the end is
not gone from the site, and the re-read window (CAPTURE_REREAD_DAYS) should be shorter than the
period a feed covers for accounts that post often.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
import html
import re
import time

import feedparser
from django.utils.html import strip_tags

from .base import POST, Connector, ConnectorError, Identity, Item, NotFound, Page, Profile

ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
MAX_FEED_BYTES = 10 * 1024 * 1024
NOT_A_FEED = "The address does not give an RSS or Atom feed."
YOUTUBE_CHANNEL = "yt:channel:"

_BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|tr)>", re.IGNORECASE)


def html_to_text(value: str) -> str:
    """Text of an HTML fragment: tags out, entities decoded, the source's line wrapping folded, a
    paragraph or <br> a line of its own."""
    folded = " ".join(value.split())
    marked = _BLOCK_END.sub("\n", folded)
    lines = (" ".join(line.split()) for line in html.unescape(strip_tags(marked)).split("\n"))
    return "\n".join(line for line in lines if line)


def detail_text(entry, key: str, plain: bool = False) -> str:
    """An entry's title or summary as plain text, whatever its type (feedparser's *_detail)."""
    value = entry.get(key) or ""
    if not value:
        return ""
    kind = "text/plain" if plain else (entry.get(f"{key}_detail") or {}).get("type", "text/html")
    if kind == "text/plain":
        return "\n".join(line.strip() for line in value.strip().splitlines())
    return html_to_text(value)


def as_json(value):
    """feedparser's answer as plain JSON: struct_time as ISO 8601, every dict a dict."""
    if isinstance(value, time.struct_time):
        return struct_to_datetime(value).isoformat()
    if isinstance(value, dict):
        return {str(key): as_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def struct_to_datetime(value: time.struct_time) -> datetime.datetime:
    """feedparser's *_parsed times are UTC."""
    return datetime.datetime.fromtimestamp(calendar.timegm(value), tz=datetime.UTC)


def entry_time(entry) -> datetime.datetime | None:
    # Published first: YouTube changes <updated> long after a video came out (samples README).
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        if entry.get(key):
            return struct_to_datetime(entry[key])
    return None


def entry_media(entry) -> list[str]:
    urls = [thumb.get("url") for thumb in entry.get("media_thumbnail") or []]
    urls += [
        content.get("url")
        for content in entry.get("media_content") or []
        if content.get("medium") == "image" or (content.get("type") or "").startswith("image/")
    ]
    urls += [link.get("href") for link in entry.get("links") or [] if (link.get("type") or "").startswith("image/")]
    return [url for url in dict.fromkeys(urls) if url]


def parse_feed_profile(feed, feed_url: str = "") -> Profile:
    image = feed.get("image") or {}
    return Profile(
        name=detail_text(feed, "title") or feed_url,
        description=detail_text(feed, "subtitle"),
        picture_url=image.get("href") or image.get("url") or "",
        raw={"profile": as_json(dict(feed))},
    )


class FeedConnector(Connector):
    complete_history = False  # a feed shows its latest entries only
    platform = "feed"
    label = "RSS/Atom"
    fixed_base_url = None  # the connection's base address is the feed's own
    needs_token = False
    concurrency = 8
    # What changes in an entry without the entry changing: YouTube's views and ratings, a blog's
    # comment count, and <updated> (YouTube moves it without an edit; a real edit changes the text).
    volatile_keys = frozenset({
        "media_statistics", "media_starrating", "media_community", "slash_comments", "thr_total",
        "updated", "updated_parsed",
    })  # fmt: skip

    def __init__(self, *, base_url: str, **kwargs):
        super().__init__(base_url=base_url, **kwargs)
        self.feed_url = base_url.strip()  # as given: a trailing slash can matter to the server

    def classify_error(self, response) -> ConnectorError | None:
        if 300 <= response.status_code < 400:
            return ConnectorError(
                "The feed has moved to another address; connect the new one.",
                detail=f"HTTP {response.status_code}",
            )
        return None

    def fetch(self):
        response = self.client.get(self.feed_url, headers={"Accept": ACCEPT})
        content = response.content
        if len(content) > MAX_FEED_BYTES:
            raise ConnectorError("The feed is larger than the portal reads.", detail=f"{len(content)} bytes")
        # Not sanitised: the raw entry is kept as the platform gave it (the record); the text is made
        # plain here, and the archive shows the raw answer escaped, never as HTML.
        parsed = feedparser.parse(
            content,
            sanitize_html=False,
            response_headers={
                "content-type": response.headers.get("content-type", "application/xml"),
                "content-location": self.feed_url,
            },
        )
        if not parsed.get("version") and not parsed.get("entries"):
            raise NotFound(NOT_A_FEED, detail=type(parsed.get("bozo_exception")).__name__)
        return parsed

    def verify(self, handle: str = "") -> Identity:
        feed = self.fetch().feed
        platform_id = feed.get("id") or self.feed_url
        if platform_id.startswith(YOUTUBE_CHANNEL):
            # The feed-level id lacks the UC of the channel id (samples README).
            channel = platform_id.removeprefix(YOUTUBE_CHANNEL)
            platform_id = channel if channel.startswith("UC") else f"UC{channel}"
        return Identity(
            platform_id=platform_id,
            name=detail_text(feed, "title") or self.feed_url,
            url=feed.get("link") or self.feed_url,
        )

    def profile(self) -> Profile:
        """The feed's own title and description (RSS <description>, Atom <subtitle>) and image; a
        feed has no followers and follows nobody."""
        return parse_feed_profile(self.fetch().feed, self.feed_url)

    def entry_id(self, entry) -> str:
        """The entry's id (guid), or its link; an id that is not an address or a URN is made unique
        to this feed, as the archive keys items per platform and every feed is the platform "feed"."""
        value = (entry.get("id") or entry.get("link") or "").strip()
        if not value:
            basis = "\n".join([entry.get("title", ""), entry.get("published", ""), entry.get("summary", "")])
            value = "sha256:" + hashlib.sha256(basis.encode()).hexdigest()
            return f"{self.feed_url}#{value}"
        if ":" in value:  # http(s)://…, tag:…, urn:…, yt:video:…
            return value
        return f"{self.feed_url}#{value}"

    def item(self, entry, feed) -> Item:
        # A YouTube video's description (media:description) is plain text with its own line breaks,
        # though feedparser calls it HTML.
        title, summary = detail_text(entry, "title"), detail_text(entry, "summary", plain="yt_videoid" in entry)
        text = summary if not title else title if not summary or summary == title else f"{title}\n\n{summary}"
        return Item(
            platform_id=self.entry_id(entry),
            kind=POST,
            text=text,
            published_at=entry_time(entry),
            raw=as_json(dict(entry)),
            permalink=(entry.get("link") or "").strip(),
            author_id=entry.get("yt_channelid") or (entry.get("author_detail") or {}).get("href") or "",
            author_name=entry.get("author") or detail_text(feed, "title"),
            by_account=True,  # the account's own feed
            media=entry_media(entry),
        )

    def posts(self, cursor: str | None = None, since: datetime.datetime | None = None) -> Page:
        parsed = self.fetch()
        items = [self.item(entry, parsed.feed) for entry in parsed.entries]
        oldest = datetime.datetime.min.replace(tzinfo=datetime.UTC)
        items.sort(key=lambda item: item.published_at or oldest, reverse=True)
        return Page(items, None)
