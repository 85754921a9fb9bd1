"""What the archive pages read (capture/views.py) and the benchmarks measure (bench/).

`archive(account, …)`: an account's captured posts newest first (comments come with each post's
thread, `threads`). `search(text, …)`: all captured text, with PostgreSQL's full-text search in the
Swedish configuration over a GIN index (migration 0003); SQLite falls back to a plain contains
search, which is exact but reads every row.
"""

import datetime

from django.db import connection as db
from django.db.models import Q

from .models import CapturedItem, ItemKind

TSVECTOR = 'to_tsvector(\'swedish\'::regconfig, "capture_captureditem"."text")'


def archive(
    account,
    *,
    kind: str | None = ItemKind.POST,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    missing: bool | None = None,
    edited: bool | None = None,
):
    """The account's items (posts by default), newest first. `start`/`end` are dates in local
    time, both included."""
    items = CapturedItem.objects.filter(account=account)
    if kind:
        items = items.filter(kind=kind)
    items = _filtered(items, start=start, end=end, missing=missing, edited=edited)
    return items.order_by("-published_at", "-pk")


def _filtered(items, *, start=None, end=None, missing=None, edited=None):
    if start:
        items = items.filter(published_at__date__gte=start)
    if end:
        items = items.filter(published_at__date__lte=end)
    if missing is True:
        items = items.filter(missing_since__isnull=False)
    elif missing is False:
        items = items.filter(missing_since__isnull=True)
    if edited is True:
        items = items.filter(version_count__gt=1)
    elif edited is False:
        items = items.filter(version_count=1)
    return items


def threads(posts) -> dict[int, list[CapturedItem]]:
    """The comments and replies of `posts` (a page of them), by post pk, oldest first: one query."""
    by_post: dict[int, list[CapturedItem]] = {post.pk: [] for post in posts}
    if not by_post:
        return by_post
    for item in CapturedItem.objects.filter(thread_id__in=list(by_post)).order_by("published_at", "pk"):
        by_post[item.thread_id].append(item)
    return by_post


def full_text_available() -> bool:
    return db.vendor == "postgresql"


def search(text: str, *, accounts=None, kind: str | None = None):
    """Every captured item whose text matches `text` (words, "a phrase", -not, or), newest first."""
    text = (text or "").strip()
    items = CapturedItem.objects.select_related("account")
    if accounts is not None:
        items = items.filter(account__in=accounts)
    if kind:
        items = items.filter(kind=kind)
    if not text:
        return items.none()
    if full_text_available():
        items = items.extra(where=[f"{TSVECTOR} @@ websearch_to_tsquery('swedish'::regconfig, %s)"], params=[text])  # noqa: S610 (a constant with a parameter)
    else:
        condition = Q()
        for word in text.split():
            condition &= Q(text__icontains=word.strip('"'))
        items = items.filter(condition)
    return items.order_by("-published_at", "-pk")
