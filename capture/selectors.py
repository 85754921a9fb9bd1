"""What the archive pages read (capture/views.py) and the benchmarks measure (bench/).

`archive(account, …)`: an account's captured posts newest first (comments come with each post's
thread, `threads`). `search(text, …)`: all captured text, with PostgreSQL's full-text search in the
Swedish configuration over a GIN index (migration 0003); SQLite falls back to a plain contains
search, which is exact but reads every row. `SearchHits` is what the search page pages through.
"""

import contextlib
import datetime

from django.db import connection as db
from django.db import transaction
from django.db.models import Q

from accounts.models import AccountStatus
from accounts.public_checks import PublishedPost

from .models import CapturedItem, ItemKind
from .permalinks import bluesky_uri, permalink_key

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


# A search's page, newest first, is cheap one of two ways (bench/README.md, "Capture"):
# words in few items: read every match through the GIN index and sort them (cost ∝ matches);
# words in many: walk the newest-first index (migration 0004) testing each row until a page is
# full (cost ∝ 1 / share of rows that match). PostgreSQL cannot tell the two apart (it has no
# statistics for a tsquery on an expression and guesses a fixed share), and a wrong guess costs
# seconds: the walk of a million rows for a word in none. So the hits are first counted through
# the GIN index, up to COMMON_MATCHES (cheap either way), and each page is then read with the plan
# that fits, the other one switched off for that query. 10,000 is where the two cost about the
# same over a million items.
COMMON_MATCHES = 10_000
GIN_ONLY = {"enable_indexscan": "off", "enable_seqscan": "off"}
WALK_ONLY = {"enable_bitmapscan": "off"}


@contextlib.contextmanager
def _planner(settings: dict[str, str]):
    """PostgreSQL's planner settings for the queries in the block (SET LOCAL, reset after)."""
    if not full_text_available():
        yield
        return
    with transaction.atomic(), db.cursor() as cursor:
        for name, value in settings.items():
            cursor.execute(f"SET LOCAL {name} = {value}")
        try:
            yield
        finally:
            for name in settings:
                cursor.execute(f"RESET {name}")


class SearchHits:
    """The hits of `search()`, for django's Paginator: counted up to COMMON_MATCHES + 1 (a page says
    "more than 10,000" rather than counting them all), and each page read with the plan that fits."""

    ordered = True

    def __init__(self, text: str, *, accounts=None, kind: str | None = None):
        self.queryset = search(text, accounts=accounts, kind=kind)
        self._count = None

    def count(self) -> int:
        if self._count is None:
            with _planner(GIN_ONLY):
                self._count = self.queryset.order_by().values("pk")[: COMMON_MATCHES + 1].count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    @property
    def more_than_counted(self) -> bool:
        return self.count() > COMMON_MATCHES

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        with _planner(WALK_ONLY if self.more_than_counted else GIN_ONLY):
            return list(self.queryset[index])


def public_post(link: str) -> PublishedPost | None:
    """R16: the post or video a pasted link leads to, when the archive holds it as one the account
    itself published (not a visitor's post on its page, not one it hid), of an account the public
    may know (active, or closed by the municipality). Only what the public may see of it: whose,
    when, where, and whether it is still on the platform. No query for a link that names no post.
    Registered with the citizen's check in CaptureConfig.ready (accounts/public_checks.py)."""
    key, uri = permalink_key(link), bluesky_uri(link)
    # One indexed look-up each (an OR of the two would read the whole partial index): by the key,
    # then, for a Bluesky link that names its author by DID, by the post's at:// id.
    lookups = ([Q(permalink_key=key)] if key else []) + ([Q(platform="bluesky", platform_id=uri)] if uri else [])
    item = None
    for condition in lookups:
        item = (
            CapturedItem.objects.filter(condition, kind=ItemKind.POST, by_account=True, hidden=False)
            .filter(account__status__in=[AccountStatus.ACTIVE, AccountStatus.CLOSED])
            .select_related("account__unit")
            .order_by("published_at", "pk")
            .first()
        )
        if item is not None:
            break
    if item is None:
        return None
    return PublishedPost(
        account=item.account,
        published_at=item.published_at,
        permalink=item.permalink,
        on_platform=item.missing_since is None,
        is_video=_is_video(item),
    )


def _is_video(item: CapturedItem) -> bool:
    """A YouTube video, or an Instagram video or reel (Meta's media_type), is a video to the public."""
    if item.permalink_key.startswith("youtube.com/"):
        return True
    return isinstance(item.raw, dict) and item.raw.get("media_type") == "VIDEO"
