"""One connection's incremental capture (R3): what capture.tasks.sync_connection runs.

A sync walks the account's posts newest first, page by page, back to `until`:
- the first sync reads everything the platform gives;
- later syncs read back to the newest post already captured (`high_water`), or further, to the
  start of the re-read window (CAPTURE_REREAD_DAYS, 30 by default), whichever is older. Every post in
  that walk gets its comments and replies read too, to the end of their paging.

What the walk sees is stored (`store_page`): a new item once; a known item whose canonical hash
changed keeps its earlier form as an ItemVersion; every item seen gets `last_seen_at`. When the walk
has finished, an item of the walked period that was not seen is marked missing (`missing_since`,
kept once, the first time its absence is seen). Messages are walked the same way where the
connection reads them.

The walk's place is saved after every page (`Connection.cursor`), in the same transaction as the
page's items: a timeout, a 5xx or a rate limit stops the sync with nothing lost, and the next
attempt goes on from that page. A token the platform refuses stops the connection (state BROKEN)
until comms gives it a new one; the walk then resumes where it stopped.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from . import signals
from .addresses import address_problem
from .connectors.base import (
    COMMENT,
    MESSAGE,
    POST,
    Connector,
    ConnectorError,
    Item,
    NotFound,
    NotSupported,
    PermissionMissing,
    TokenRejected,
)
from .connectors.http import PlatformClient
from .connectors.registry import connector_class
from .crypto import decrypt
from .hashing import raw_sha256
from .models import CapturedItem, CapturedMedia, Connection, ConnectionState, ItemVersion
from .permalinks import post_key

logger = logging.getLogger(__name__)


@dataclass
class SyncResult:
    pages: int = 0
    new: int = 0
    edited: int = 0
    missing: int = 0
    media: int = 0
    calls: int = 0
    notes: list[str] = field(default_factory=list)


def connector_for(connection: Connection, client=None) -> Connector:
    problem = address_problem(connection.kind, connection.base_url, connection.account.url)
    if problem:
        raise ConnectorError(problem)
    cls = connector_class(connection.kind)
    return cls(
        base_url=connection.base_url,
        token=decrypt(connection.token_encrypted),
        external_id=connection.external_id,
        client=client,
    )


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def walk_until(connection: Connection, now: datetime.datetime) -> datetime.datetime | None:
    if connection.high_water is None:
        return None  # the first sync: everything
    window_start = now - datetime.timedelta(days=settings.CAPTURE_REREAD_DAYS)
    return min(connection.high_water, window_start)


class Sync:
    def __init__(self, connection: Connection, connector: Connector | None = None, now=None):
        self.connection = connection
        self.connector = connector or connector_for(connection)
        self.now = now or timezone.now()
        self.result = SyncResult()

    # The walk -----------------------------------------------------------------------------------

    def run(self) -> SyncResult:
        connection = self.connection
        walk = dict(connection.cursor or {})
        if not walk.get("phase"):
            walk = {
                "phase": "posts",
                "page": None,
                "started": _iso(self.now),
                "until": _iso(walk_until(connection, self.now)),
            }
            self._save_cursor(walk)
        started, until = _parse(walk["started"]), _parse(walk["until"])
        try:
            if walk["phase"] == "posts":
                self._walk_posts(walk, until)
                walk.update(phase="messages", page=None)
                self._save_cursor(walk)
            if walk["phase"] == "messages":
                if connection.reads_messages:
                    self._walk_messages(walk, until)
                walk.update(phase="done", page=None)
                self._save_cursor(walk)
        except (TokenRejected, NotFound) as error:
            # A refused token, or the account itself gone (or renamed away): nothing more to read
            # until comms looks.
            self._stop(error)
            raise
        if not self.connector.complete_history:
            # Only back to the oldest item the walk saw (none: nothing): what is older has left the
            # feed's window.
            oldest = _parse(walk.get("oldest")) or self.now
            until = oldest if until is None else max(until, oldest)
        self._finish(started, until)
        self.result.calls = getattr(self.connector.client, "calls", 0)
        return self.result

    def _walk_posts(self, walk, until):
        while True:
            page = self.connector.posts(cursor=walk["page"], since=until)
            self.result.pages += 1
            times = [item.published_at for item in page.items if item.published_at is not None]
            if times and (walk.get("oldest") is None or min(times) < _parse(walk["oldest"])):
                walk["oldest"] = _iso(min(times))
            posts = [
                item for item in page.items if until is None or item.published_at is None or item.published_at >= until
            ]
            replies: list[Item] = []
            for post in posts:
                replies.extend(self._all_replies(post))
            next_page = None if self.connector.stop_at(page.items, until) else page.next_cursor
            with transaction.atomic():
                stored = self.store_page(posts)
                self.store_page(replies, threads=stored)
                walk["page"] = next_page
                self._save_cursor(walk)
            if next_page is None:
                return

    def _all_replies(self, post: Item) -> list[Item]:
        replies, cursor = [], None
        while True:
            try:
                page = self.connector.replies(post, cursor=cursor)
            except NotFound:
                return replies  # the post went between the two calls: the walk's end marks it
            replies.extend(page.items)
            if not page.next_cursor:
                return replies
            cursor = page.next_cursor

    def _walk_messages(self, walk, until):
        while True:
            try:
                page = self.connector.messages(cursor=walk["page"], since=until)
            except (NotSupported, PermissionMissing) as error:
                # Messages need a permission the token lacks: the posts and comments are captured
                # all the same, and the account page says why messages are not.
                self.result.notes.append(error.message)
                return
            self.result.pages += 1
            with transaction.atomic():
                self.store_page(page.items)
                walk["page"] = page.next_cursor
                self._save_cursor(walk)
            if not page.next_cursor:
                return

    def _save_cursor(self, walk):
        self.connection.cursor = walk
        Connection.objects.filter(pk=self.connection.pk).update(cursor=walk)

    def _stop(self, error: ConnectorError):
        connection = self.connection
        connection.state = ConnectionState.BROKEN
        connection.last_error = error.message
        connection.last_error_at = self.now
        Connection.objects.filter(pk=connection.pk).update(
            state=connection.state, last_error=connection.last_error, last_error_at=self.now
        )

    def _finish(self, started, until):
        connection = self.connection
        with transaction.atomic():
            walked = CapturedItem.objects.filter(
                connection=connection, missing_since__isnull=True, last_seen_at__lt=started
            )
            if until is not None:
                walked = walked.filter(published_at__gte=until)
            # Comments belong to the walk through their post: those of posts the walk did not reach
            # (older than `until`) are not looked for.
            if until is not None:
                walked = walked.exclude(kind=COMMENT, thread__published_at__lt=until)
            if not connection.reads_messages:
                walked = walked.exclude(kind=MESSAGE)
            self.result.missing = walked.update(missing_since=self.now)
            newest = (
                CapturedItem.objects.filter(connection=connection, kind=POST, published_at__isnull=False)
                .order_by("-published_at")
                .values_list("published_at", flat=True)
                .first()
            )
            connection.cursor = {}
            connection.high_water = newest
            connection.last_success_at = self.now
            connection.last_error = ""
            connection.failures = 0
            connection.next_attempt_at = None
            if self.result.notes:
                connection.last_error = " ".join(dict.fromkeys(self.result.notes))
            connection.save(
                update_fields=["cursor", "high_water", "last_success_at", "last_error", "failures", "next_attempt_at"]
            )

    # Storing --------------------------------------------------------------------------------------

    def store_page(self, items: list[Item], threads: dict[str, CapturedItem] | None = None) -> dict[str, CapturedItem]:
        """Stores a page's items in a constant number of queries (plus one per edited item, and one
        INSERT per level of nesting among new replies to new replies), and answers them by platform
        id."""
        if not items:
            return {}
        connection, volatile = self.connection, self.connector.volatile_keys
        kind = connection.kind
        by_id = {item.platform_id: item for item in items}  # a page may repeat an item: the last wins
        existing = {
            obj.platform_id: obj for obj in CapturedItem.objects.filter(platform=kind, platform_id__in=list(by_id))
        }
        related_ids = {item.thread_id for item in by_id.values() if item.thread_id} | {
            item.parent_id for item in by_id.values() if item.parent_id
        }
        known = dict(threads or {})
        missing_related = related_ids - set(known) - set(by_id)
        if missing_related:
            known.update(
                (obj.platform_id, obj)
                for obj in CapturedItem.objects.filter(platform=kind, platform_id__in=list(missing_related))
            )
        new, seen, stored = [], [], {}
        for platform_id, item in by_id.items():
            sha = raw_sha256(item.raw, volatile)
            obj = existing.get(platform_id)
            if obj is None:
                obj = CapturedItem(
                    connection=connection, account_id=connection.account_id, platform=kind,
                    platform_id=platform_id, kind=item.kind, raw=item.raw, raw_sha256=sha,
                    captured_at=self.now, changed_at=self.now, last_seen_at=self.now,
                )  # fmt: skip
                self._fill(obj, item)
                new.append(obj)
            elif obj.raw_sha256 != sha:
                ItemVersion.objects.create(
                    item=obj, text=obj.text, raw=obj.raw, raw_sha256=obj.raw_sha256, captured_at=obj.changed_at,
                    superseded_at=self.now,
                )  # fmt: skip
                self._fill(obj, item)
                obj.raw, obj.raw_sha256, obj.changed_at, obj.last_seen_at = item.raw, sha, self.now, self.now
                obj.version_count += 1
                obj.missing_since = None
                obj.save()
                self.result.edited += 1
            else:
                seen.append(obj.pk)
            stored[platform_id] = obj
        if new:
            self._insert(new, by_id, {**known, **existing})
            self.result.new += len(new)
        if seen:
            CapturedItem.objects.filter(pk__in=seen).update(last_seen_at=self.now, missing_since=None)
        self._link(by_id, stored, {**known, **stored})
        self._media(by_id, stored, new)
        return stored

    @staticmethod
    def _insert(new: list[CapturedItem], by_id: dict[str, Item], links: dict[str, CapturedItem]):
        """Inserts the page's new items with their thread and parent already set, so that _link has
        nothing left to do for them: one INSERT for the items whose thread and parent are stored
        already (or unknown), then one for the replies to those, and so on down the reply chains
        within the page (a query per level of nesting, not one UPDATE per reply)."""
        pending = {obj.platform_id: obj for obj in new}
        while pending:
            ready = [
                obj
                for platform_id, obj in pending.items()
                if by_id[platform_id].thread_id not in pending and by_id[platform_id].parent_id not in pending
            ]
            if not ready:  # a reply chain that loops (a platform's bug): _link sets what it can
                ready = list(pending.values())
            for obj in ready:
                item = by_id[obj.platform_id]
                thread = links.get(item.thread_id) if item.thread_id else None
                parent = links.get(item.parent_id) if item.parent_id else None
                if thread is not None and thread.pk is not None:
                    obj.thread_id = thread.pk
                if parent is not None and parent.pk is not None:
                    obj.parent_id = parent.pk
            CapturedItem.objects.bulk_create(ready)
            for obj in ready:
                links[obj.platform_id] = obj
                del pending[obj.platform_id]

    @staticmethod
    def _fill(obj: CapturedItem, item: Item):
        obj.kind = item.kind
        obj.text = item.text or ""
        obj.author_id = item.author_id or ""
        obj.author_name = (item.author_name or "")[:300]
        obj.by_account = item.by_account
        obj.permalink = (item.permalink or "")[:1000]
        # R16: what a pasted link to the post is looked up by (capture/permalinks.py).
        obj.permalink_key = post_key(obj.platform, obj.platform_id, obj.permalink) if item.kind == POST else ""
        obj.published_at = item.published_at
        obj.hidden = item.hidden
        obj.thread_platform_id = item.thread_id or ""
        obj.parent_platform_id = item.parent_id or ""

    @staticmethod
    def _link(by_id, stored, known):
        """Sets thread and parent on the rows that lack them, in one UPDATE per changed row group."""
        for platform_id, item in by_id.items():
            obj = stored[platform_id]
            thread = known.get(item.thread_id) if item.thread_id else None
            parent = known.get(item.parent_id) if item.parent_id else None
            changes = {}
            if thread is not None and obj.thread_id != thread.pk:
                changes["thread_id"] = thread.pk
            if parent is not None and obj.parent_id != parent.pk:
                changes["parent_id"] = parent.pk
            if changes:
                CapturedItem.objects.filter(pk=obj.pk).update(**changes)
                for key, value in changes.items():
                    setattr(obj, key, value)

    def _media(self, by_id, stored, new):
        """Images and thumbnails of new items, into the private storage (CAPTURE_MEDIA_MAX_BYTES)."""
        if not settings.CAPTURE_MEDIA_ENABLED:
            return
        for obj in new:
            for url in by_id[obj.platform_id].media[: settings.CAPTURE_MEDIA_PER_ITEM]:
                if not self.connector.media_allowed(url):
                    continue
                client = PlatformClient(url)
                try:
                    data, content_type = client.get_bytes(url, settings.CAPTURE_MEDIA_MAX_BYTES)
                except ConnectorError as error:
                    # The item is kept without it; the media's address stays in the raw answer.
                    logger.info("Media of %s not captured: %s", obj.platform_id, error.message)
                    continue
                finally:
                    client.close()
                sha = hashlib.sha256(data).hexdigest()
                media = CapturedMedia(
                    item=obj, source_url=url[:2000], sha256=sha, size=len(data), content_type=content_type[:100]
                )
                media.file.save(sha, ContentFile(data), save=False)
                media.save()
                self.result.media += 1


def sync_connection(connection: Connection, connector: Connector | None = None, now=None) -> SyncResult:
    """Runs one sync of `connection` and records the attempt. Errors propagate to the task, which
    decides when to try again (capture/tasks.py)."""
    now = now or timezone.now()
    Connection.objects.filter(pk=connection.pk).update(last_attempt_at=now)
    connection.last_attempt_at = now
    result = Sync(connection, connector=connector, now=now).run()
    # The apps above read what was captured once it is committed (moderation: R20's questions).
    transaction.on_commit(
        lambda: signals.items_captured.send(sender=Connection, connection=connection, account=connection.account)
    )
    return result
