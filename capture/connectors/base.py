"""What every platform connector is: the shape the sync (capture/sync.py) reads through.

A connector is plain Python over HTTP (capture/connectors/http.py): it knows one platform's API,
turns its answers into `Item`s and its failures into the errors below. It stores nothing and knows
nothing of Django's models, so the same code runs against the real platform and against the
simulated one on loopback (simulators/, README "Capturing the platforms").

Paging: `posts`, `replies` and `messages` answer one `Page` at a time, newest first, with an opaque
`next_cursor` (None at the end). The sync saves that cursor after each page, so a failure resumes
where it stopped and nothing is fetched twice in a row.

Adding a platform (LinkedIn, TikTok, X and Threads have their place here, README): subclass
`Connector`, set `platform` to its accounts.Platform value, implement `verify` and `posts` (and
`replies`, `messages` where the API allows), and register the class in registry.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

POST = "post"
COMMENT = "comment"
MESSAGE = "message"
KINDS = (POST, COMMENT, MESSAGE)


class ConnectorError(Exception):
    """A failure talking to a platform. `message` is said to comms in plain words (the account page,
    /halsa); `detail` is for the log (never a token)."""

    default_message = "The platform did not answer as expected."

    def __init__(self, message: str = "", *, detail: str = ""):
        self.message = message or self.default_message
        self.detail = detail
        super().__init__(self.message + (f" ({detail})" if detail else ""))


class TokenRejected(ConnectorError):
    """The platform refuses the token (expired, revoked, wrong): the connection stops until comms
    gives it a new one."""

    default_message = "The platform refused the access token: it has expired or been revoked."


class PermissionMissing(ConnectorError):
    """The token is valid but lacks a permission (scope) this call needs."""

    default_message = "The access token lacks a permission the portal needs."


class RateLimited(ConnectorError):
    """The platform asks us to wait `retry_after` seconds (429 with Retry-After, Meta's usage
    headers and error codes 4/17/32/613, YouTube's quotaExceeded)."""

    default_message = "The platform asked the portal to wait (rate limit)."

    def __init__(self, message: str = "", *, retry_after: float = 60.0, detail: str = ""):
        self.retry_after = max(1.0, float(retry_after))
        super().__init__(message, detail=detail)


class TemporaryFailure(ConnectorError):
    """Timeout, connection refused, 5xx: tried again later from the saved cursor."""

    default_message = "The platform did not answer in time or had an error of its own."


class NotFound(ConnectorError):
    """The account, post or comment does not exist (or no longer) on the platform."""

    default_message = "The platform does not know this account or item."


class NotSupported(ConnectorError):
    """The connector does not read this (messages on a public API, say)."""

    default_message = "This platform's connector does not read this."


@dataclass(frozen=True)
class Identity:
    """Who a token (or a public handle) belongs to on the platform, as the platform says."""

    platform_id: str  # page id, Instagram user id, channel id (UC…), Mastodon account id, DID, feed URL
    name: str
    handle: str = ""
    url: str = ""
    scopes: frozenset[str] = frozenset()
    expires_at: datetime.datetime | None = None  # None: does not expire (or public access)
    can_read_messages: bool = False


@dataclass
class Item:
    """A post, comment or private message as the platform shows it."""

    platform_id: str
    kind: str  # POST, COMMENT or MESSAGE
    text: str
    published_at: datetime.datetime | None
    raw: dict
    permalink: str = ""
    author_id: str = ""
    author_name: str = ""
    by_account: bool = False  # written by the account itself
    parent_id: str = ""  # the post, comment or message this one answers ("" for a post)
    thread_id: str = ""  # the post (or conversation) this belongs to ("" for a post)
    media: list[str] = field(default_factory=list)  # image or thumbnail URLs on the platform's hosts
    hidden: bool = False  # hidden by the account (still on the platform, not shown)


@dataclass
class Page:
    items: list[Item]
    next_cursor: str | None = None  # None: this was the last page


# The most accounts of a "following" list read (R9): an official account that follows more than
# this is a finding of its own, and the snapshot says the list was cut (Profile.following_truncated).
MAX_FOLLOWING = 2000


@dataclass
class Profile:
    """The account's profile as the platform shows it (R4, R5, R9): what a profile snapshot keeps.

    `following` is the list of accounts it follows, each {"id", "name", "handle", "url"}, or None
    where the platform's API does not show it (Facebook Pages, Instagram, a feed, a Mastodon account
    that hides its follows). `raw` holds the platform's answers as they came ({"profile": …,
    "following": [page, …]})."""

    name: str
    description: str
    picture_url: str = ""
    followers: int | None = None
    following: list[dict] | None = None
    following_count: int | None = None
    following_truncated: bool = False
    raw: dict = field(default_factory=dict)


def followed(id: str, name: str = "", handle: str = "", url: str = "") -> dict:  # noqa: A002 (the platform's word)
    """One followed account. Its address is shown as a link: only http(s), never javascript: or data:."""
    url = url or ""
    if not url.startswith(("https://", "http://")):
        url = ""
    return {"id": str(id), "name": name or "", "handle": handle or "", "url": url}


def count(value) -> int | None:
    """A platform's counter (a number, or a string of digits as YouTube's) as an int, or None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class Connector:
    """One platform's API, for one connection. Subclasses set the class attributes."""

    platform: str = ""  # accounts.Platform value, or "feed"
    label: str = ""
    # The real API's base address. None where it is per account (a Mastodon instance, a feed URL).
    fixed_base_url: str | None = None
    needs_token = False
    reads_messages = False
    # Keys whose values change without the item changing (counters, positions): left out of the
    # hash that tells an edit (capture/hashing.py), wherever they are in the raw answer.
    volatile_keys: frozenset[str] = frozenset()
    # How many of this platform's calls may run at once across all workers (capture/limits.py).
    concurrency = 4
    # Whether the last page of `posts` is the start of the account's history. A feed shows only its
    # latest entries: an entry that falls off its end has not been deleted, so the sync marks items
    # missing only back to the oldest one the walk saw (capture/sync.py).
    complete_history = True

    def __init__(self, *, base_url: str, token: str = "", external_id: str = "", client=None):
        from .http import PlatformClient

        self.base_url = base_url.rstrip("/")
        self.token = token
        self.external_id = external_id  # the platform id verify() found, once connected
        self.client = client or PlatformClient(self.base_url, classify=self.classify_error)

    # What a connector must answer ---------------------------------------------------------------

    def verify(self, handle: str = "") -> Identity:
        """Who the token (or the handle, for public APIs) is on the platform. Raises TokenRejected,
        PermissionMissing or NotFound."""
        raise NotImplementedError

    def posts(self, cursor: str | None = None, since: datetime.datetime | None = None) -> Page:
        """The account's own posts, newest first. A connector may stop early (next_cursor None)
        once its posts are older than `since`; the sync stops at `since` anyway."""
        raise NotImplementedError

    def replies(self, post: Item, cursor: str | None = None) -> Page:
        """Every comment and reply under `post` (threads flattened, `parent_id` kept)."""
        return Page([])

    def messages(self, cursor: str | None = None, since: datetime.datetime | None = None) -> Page:
        """Private messages to and from the account, where the API and the granted scopes allow."""
        raise NotSupported

    def profile(self) -> Profile:
        """The account's profile (R4, R5, R9): name, description, picture, followers and, where the
        API shows it, the accounts it follows (capture/profiles.py stores it as a ProfileSnapshot)."""
        raise NotSupported

    def media_allowed(self, url: str) -> bool:
        """Whether `url` is a media address this platform serves (the sync downloads only those)."""
        return url.startswith(("https://", "http://127.0.0.1", "http://localhost"))

    # Helpers ------------------------------------------------------------------------------------

    def classify_error(self, response) -> ConnectorError | None:
        """The platform's own error for an httpx response that is not 2xx, or None to let the client
        decide from the status code (http.py). Meta and YouTube override this."""
        return None

    @staticmethod
    def stop_at(items: Iterable[Item], since: datetime.datetime | None) -> bool:
        """Whether a newest-first page reached `since`."""
        if since is None:
            return False
        return any(item.published_at is not None and item.published_at < since for item in items)
