"""Simulated feeds: one RSS 2.0, Atom or YouTube channel feed per account, in the shapes of the
recorded samples (capture/tests/samples/rss2_spec_sample.xml, youtube_channel_feed.xml): HTML
escaped in <description>, an item without a title, RFC 822 and RFC 3339 times, the YouTube feed's
channel id without its UC, yt:videoId, media:thumbnail and a view count that changes on its own.

A feed carries no comments: add_comment is accepted (the demo seeds every simulator alike) and
kept in `comments`, but no feed shows it. A feed shows its latest `page_size` entries, as real feeds
do (YouTube's 15).
"""

from __future__ import annotations

import datetime
import email.utils
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from .server import Request, Response, Simulator

FORMATS = ("rss", "atom", "youtube")


@dataclass
class Account:
    id: str
    name: str
    handle: str
    format: str
    description: str = ""


@dataclass
class Entry:
    id: str
    account_id: str
    title: str
    body: str
    published_at: datetime.datetime
    media_url: str | None = None
    updated_at: datetime.datetime | None = None
    views: int = 0
    deleted: bool = False
    guid: str | None = None  # the RSS <guid> when it is not the post id


def _rfc822(value: datetime.datetime) -> str:
    return email.utils.format_datetime(value.astimezone(datetime.UTC), usegmt=True)


def _rfc3339(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat()


class FeedSimulator(Simulator):
    name = "feed"
    base_path = ""

    def __init__(self, page_size: int = 25, default_format: str = "rss"):
        super().__init__()
        self.page_size = page_size
        self.default_format = default_format
        self.accounts: dict[str, Account] = {}
        self.entries: dict[str, Entry] = {}
        self.comments: list[dict] = []

    def feed_path(self, account_id: str) -> str:
        return f"/feeds/{account_id}.xml"

    # The uniform interface -------------------------------------------------------------------------

    def add_account(
        self, account_id: str, name: str, handle: str = "", token: str | None = None, format: str | None = None
    ) -> None:
        """`format`: "rss", "atom" or "youtube" (default: the simulator's `default_format`). A feed
        needs no token."""
        chosen = format or self.default_format
        if chosen not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}")
        with self.lock:
            self.accounts[account_id] = Account(account_id, name, handle, chosen)

    def add_post(
        self, account_id: str, post_id: str, text: str, published_at: datetime.datetime, media_url: str | None = None
    ) -> None:
        title, _, body = text.partition("\n")
        with self.lock:
            self.entries[post_id] = Entry(post_id, account_id, title.strip(), body.strip(), published_at, media_url)

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
            self.comments.append({"post_id": post_id, "id": comment_id, "text": text, "author": author_name})

    def edit(self, item_id: str, text: str) -> None:
        title, _, body = text.partition("\n")
        with self.lock:
            entry = self.entries[item_id]
            entry.title, entry.body = title.strip(), body.strip()
            entry.updated_at = (entry.updated_at or entry.published_at) + datetime.timedelta(minutes=1)

    def delete(self, item_id: str) -> None:
        with self.lock:
            self.entries[item_id].deleted = True

    def hide(self, item_id: str) -> None:
        """A feed has no hiding: a hidden entry is simply not in it."""
        self.delete(item_id)

    def set_profile(
        self, account_id: str, description: str = "", followers: int | None = None, following: list | None = None
    ) -> None:
        """The feed's own description (RSS <description>, Atom <subtitle>); a feed has no followers."""
        with self.lock:
            self.accounts[account_id].description = description

    def view(self, item_id: str, views: int) -> None:
        """The YouTube feed's media:statistics views (changes without the video changing)."""
        with self.lock:
            self.entries[item_id].views = views

    # Errors as a web server gives them ---------------------------------------------------------------

    def error(self, status: int, request: Request) -> Response:
        return Response.text(f"<html><body><h1>{status}</h1></body></html>", "text/html; charset=utf-8", status)

    def rate_limited(self, retry_after: float, request: Request) -> Response:
        response = self.error(429, request)
        response.headers.append(("Retry-After", str(int(retry_after))))
        return response

    def expired_token(self, request: Request) -> Response:
        return self.error(403, request)

    # Routes ------------------------------------------------------------------------------------------

    def routes(self):
        return [
            ("GET", r"/feeds/(?P<account_id>[^/]+)\.xml", self.feed),
            ("GET", r"/(?P<account_id>[^/]+)/?", self.html_page),
            ("GET", r"/images/(?P<entry_id>[^/]+)\.jpg", self.image),
        ]

    def _latest(self, account_id: str) -> list[Entry]:
        entries = [e for e in self.entries.values() if e.account_id == account_id and not e.deleted]
        entries.sort(key=lambda entry: (entry.published_at, entry.id), reverse=True)
        return entries[: self.page_size]

    def feed(self, request: Request, account_id: str) -> Response:
        account = self.accounts.get(account_id)
        if account is None:
            return self.error(404, request)
        entries = self._latest(account_id)
        if account.format == "rss":
            return Response.text(self.rss(account, entries), "application/rss+xml; charset=utf-8")
        if account.format == "atom":
            return Response.text(self.atom(account, entries), "application/atom+xml; charset=utf-8")
        return Response.text(self.youtube(account, entries), "text/xml; charset=utf-8")

    def html_page(self, request: Request, account_id: str) -> Response:
        """The account's web page: HTML, not a feed (what comms may paste by mistake)."""
        account = self.accounts.get(account_id)
        if account is None:
            return self.error(404, request)
        page = f"<!doctype html><html><head><title>{escape(account.name)}</title></head><body></body></html>"
        return Response.text(page, "text/html; charset=utf-8")

    def image(self, request: Request, entry_id: str) -> Response:
        if entry_id not in self.entries:
            return self.error(404, request)
        return Response(200, b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\xff\xd9", [("Content-Type", "image/jpeg")])

    def _image_url(self, entry: Entry) -> str:
        return entry.media_url or f"{self.url}/images/{entry.id}.jpg"

    def rss(self, account: Account, entries: list[Entry]) -> str:
        site = f"{self.url}/{account.id}"
        items = []
        for entry in entries:
            parts = ["        <item>"]
            if entry.title:
                parts.append(f"            <title>{escape(entry.title)}</title>")
            parts.append(f"            <link>{escape(site)}/{escape(entry.id)}\n            </link>")
            if entry.body:
                # Entity-escaped HTML, wrapped over lines, like the sample.
                body = "<p>" + escape(entry.body).replace("\n", "<br />\n                ") + "</p>"
                parts.append(f"            <description>{escape(body)}\n            </description>")
            if entry.media_url:
                parts.append(f'            <enclosure url={quoteattr(entry.media_url)} length="0" type="image/jpeg"/>')
            parts.append(f"            <pubDate>{_rfc822(entry.published_at)}</pubDate>")
            parts.append(f'            <guid isPermaLink="false">{escape(entry.guid or entry.id)}</guid>')
            parts.append("        </item>")
            items.append("\n".join(parts))
        newest = entries[0].published_at if entries else datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
        return (
            '<?xml version="1.0"?>\n<rss version="2.0">\n    <channel>\n'
            f"        <title>{escape(account.name)}</title>\n"
            f"        <link>{escape(site)}</link>\n"
            f"        <description>{escape(account.description or account.name)}</description>\n"
            "        <language>sv-se</language>\n"
            f"        <lastBuildDate>{_rfc822(newest)}</lastBuildDate>\n\n"
            + "\n\n".join(items)
            + "\n    </channel>\n</rss>\n"
        )

    def atom(self, account: Account, entries: list[Entry]) -> str:
        site = f"{self.url}/{account.id}"
        rows = []
        for entry in entries:
            body = "<p>" + escape(entry.body).replace("\n", "<br />") + "</p>" if entry.body else ""
            rows.append(
                "  <entry>\n"
                f"    <id>tag:{escape(account.id)},2026:{escape(entry.id)}</id>\n"
                f"    <title>{escape(entry.title)}</title>\n"
                f'    <link rel="alternate" href={quoteattr(f"{site}/{entry.id}")}/>\n'
                f"    <published>{_rfc3339(entry.published_at)}</published>\n"
                f"    <updated>{_rfc3339(entry.updated_at or entry.published_at)}</updated>\n"
                f'    <summary type="html">{escape(body)}</summary>\n'
                f"    <author><name>{escape(account.name)}</name></author>\n"
                "  </entry>"
            )
        updated = entries[0].published_at if entries else datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
            f"  <id>tag:{escape(account.id)},2026:feed</id>\n"
            f"  <title>{escape(account.name)}</title>\n"
            + (f"  <subtitle>{escape(account.description)}</subtitle>\n" if account.description else "")
            + f'  <link rel="alternate" href={quoteattr(site)}/>\n'
            f'  <link rel="self" href={quoteattr(self.url + self.feed_path(account.id))}/>\n'
            f"  <updated>{_rfc3339(updated)}</updated>\n" + "\n".join(rows) + "\n</feed>\n"
        )

    def youtube(self, account: Account, entries: list[Entry]) -> str:
        channel = account.id
        bare = channel.removeprefix("UC")  # the feed-level quirk of the sample
        channel_url = f"https://www.youtube.com/channel/{channel}"
        rows = []
        for entry in entries:
            rows.append(
                "    <entry>\n"
                f"        <id>yt:video:{escape(entry.id)}</id>\n"
                f"        <yt:videoId>{escape(entry.id)}</yt:videoId>\n"
                f"        <yt:channelId>{escape(channel)}</yt:channelId>\n"
                f"        <title>{escape(entry.title)}</title>\n"
                f'        <link rel="alternate" href="https://www.youtube.com/watch?v={escape(entry.id)}"/>\n'
                f"        <author>\n            <name>{escape(account.name)}</name>\n"
                f"            <uri>{channel_url}</uri>\n        </author>\n"
                f"        <published>{_rfc3339(entry.published_at)}</published>\n"
                # YouTube moves <updated> on its own; the simulator with each new view count.
                f"        <updated>{_rfc3339(entry.published_at + datetime.timedelta(seconds=entry.views))}</updated>\n"
                "        <media:group>\n"
                f"            <media:title>{escape(entry.title)}</media:title>\n"
                f'            <media:thumbnail url={quoteattr(self._image_url(entry))} width="480" height="360"/>\n'
                f"            <media:description>{escape(entry.body)}</media:description>\n"
                "            <media:community>\n"
                '                <media:starRating count="0" average="0.00" min="1" max="5"/>\n'
                f'                <media:statistics views="{entry.views}"/>\n'
                "            </media:community>\n"
                "        </media:group>\n"
                "    </entry>"
            )
        return (
            '<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" '
            'xmlns="http://www.w3.org/2005/Atom">\n'
            f'    <link rel="self" href={quoteattr(self.url + self.feed_path(channel))}/>\n'
            f"    <id>yt:channel:{escape(bare)}</id>\n"
            f"    <yt:channelId>{escape(bare)}</yt:channelId>\n"
            f"    <title>{escape(account.name)}</title>\n"
            f'    <link rel="alternate" href="{channel_url}"/>\n'
            f"    <author>\n        <name>{escape(account.name)}</name>\n"
            f"        <uri>{channel_url}</uri>\n    </author>\n"
            "    <published>2012-03-01T09:00:00+00:00</published>\n" + "\n".join(rows) + "\n</feed>\n"
        )
