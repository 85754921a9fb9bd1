"""What the portal reads from the platforms (R3): connections to them and the captured items.

A `Connection` ties a registry account (accounts.SocialAccount) to its platform through a
connector (capture/connectors). Its token is stored encrypted (capture/crypto.py) and never shown
again. A connection is never deleted: removing one stops it and keeps who did it (the audit trail).

A `CapturedItem` is a post, comment, reply or private message as the platform showed it, stored
once per platform and platform id, with its raw answer and a SHA-256 of a canonical form of it
(capture/hashing.py). An edit keeps the earlier form as an `ItemVersion`; an item that disappears
from the platform is kept and marked with when its absence was first seen (`missing_since`).
Captured items, their versions and media are public records (R3): never deleted through the UI,
only by a confirmed disposal under a retention rule (R25, records/guard.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import SocialAccount
from falkoping_some.lib.private_files import private_storage


class ConnectorKind(models.TextChoices):
    """The connectors (capture/connectors/registry.py); the feed reads any platform's RSS or Atom."""

    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    YOUTUBE = "youtube", "YouTube"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    FEED = "feed", _("RSS or Atom feed")


class ConnectionState(models.TextChoices):
    ACTIVE = "active", _("Capturing")
    # The platform refused the token (or the account is gone): no sync until comms fixes it.
    BROKEN = "broken", _("Stopped: needs a new token")
    REMOVED = "removed", _("Removed")


class ConnectionQuerySet(models.QuerySet):
    def live(self):
        return self.exclude(state=ConnectionState.REMOVED)

    def due(self, now=None):
        now = now or timezone.now()
        return self.filter(state=ConnectionState.ACTIVE).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        )


class Connection(models.Model):
    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="capture_connections"
    )
    kind = models.CharField(_("connector"), max_length=20, choices=ConnectorKind.choices)
    # The API's address: the real platform's in production (checked, capture/checks.py), a simulator's
    # on loopback in the tests and the demo; a Mastodon instance; the feed's own URL.
    base_url = models.URLField(_("address"), max_length=500)
    # Who the platform says the connection reads (verify()): page id, channel id, DID, account id.
    external_id = models.CharField(_("platform id"), max_length=200)
    external_name = models.CharField(_("name on the platform"), max_length=300, blank=True)
    external_handle = models.CharField(_("handle on the platform"), max_length=300, blank=True)
    # Fernet token (capture/crypto.py); empty for public APIs. Never shown again after saving.
    token_encrypted = models.TextField(blank=True, editable=False)
    token_hint = models.CharField(_("token ends with"), max_length=8, blank=True, editable=False)
    scopes = models.JSONField(_("permissions"), default=list, blank=True)
    token_expires_at = models.DateTimeField(_("token expires"), null=True, blank=True)
    reads_messages = models.BooleanField(_("reads private messages"), default=False)

    state = models.CharField(_("state"), max_length=20, choices=ConnectionState.choices, default=ConnectionState.ACTIVE)
    # Where an interrupted walk resumes (capture/sync.py): {"phase", "page", "started", "until"}.
    cursor = models.JSONField(default=dict, blank=True, editable=False)
    # The publication time of the newest post captured: the next sync reads back at least to here.
    high_water = models.DateTimeField(null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last successful capture"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    # Not before this (a rate limit's wait, a backoff after failures).
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("connected by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("connected"), default=timezone.now)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("removed by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("platform connection")
        verbose_name_plural = _("platform connections")
        ordering = ["account__name", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind"], condition=~Q(state="removed"), name="capture_one_live_connection_per_kind"
            ),
        ]

    def __str__(self):
        return f"{self.account} – {self.get_kind_display()}"

    @property
    def has_token(self) -> bool:
        return bool(self.token_encrypted)


class ItemKind(models.TextChoices):
    POST = "post", pgettext_lazy("captured item", "Post")
    COMMENT = "comment", pgettext_lazy("captured item", "Comment")
    MESSAGE = "message", pgettext_lazy("captured item", "Message")


class CapturedItemQuerySet(models.QuerySet):
    def posts(self):
        return self.filter(kind=ItemKind.POST)

    def missing(self):
        return self.filter(missing_since__isnull=False)

    def edited(self):
        return self.filter(version_count__gt=1)

    def gone(self):
        """Removed from the platform (its absence seen by a sync) or hidden by the account."""
        return self.filter(Q(missing_since__isnull=False) | Q(hidden=True))


class CapturedItem(models.Model):
    connection = models.ForeignKey(
        Connection, verbose_name=_("connection"), on_delete=models.PROTECT, related_name="items"
    )
    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="captured_items"
    )
    platform = models.CharField(_("connector"), max_length=20, choices=ConnectorKind.choices)
    platform_id = models.CharField(_("platform id"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    # The post (or conversation) it belongs to, and what it answers, by the platform's ids (always
    # kept) and as rows (once captured).
    thread_platform_id = models.CharField(max_length=300, blank=True)
    parent_platform_id = models.CharField(max_length=300, blank=True)
    thread = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="thread_items")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    text = models.TextField(_("text"), blank=True)
    author_id = models.CharField(_("author's platform id"), max_length=300, blank=True)
    author_name = models.CharField(_("author"), max_length=300, blank=True)
    by_account = models.BooleanField(_("by the account itself"), default=False)
    permalink = models.URLField(_("link"), max_length=1000, blank=True)
    # A post's key among all the links that lead to it (capture/permalinks.py), for the public
    # check of a pasted link (R16); "" for comments and messages, and for a link that names none.
    permalink_key = models.CharField(max_length=600, blank=True, default="", editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    hidden = models.BooleanField(_("hidden by the account"), default=False)

    raw = models.JSONField(_("raw answer"))
    raw_sha256 = models.CharField(_("SHA-256"), max_length=64)

    captured_at = models.DateTimeField(_("first captured"), default=timezone.now)
    changed_at = models.DateTimeField(_("last change captured"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen on the platform"), default=timezone.now)
    missing_since = models.DateTimeField(_("missing from the platform since"), null=True, blank=True)
    version_count = models.PositiveIntegerField(_("versions"), default=1)

    objects = CapturedItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("captured item")
        verbose_name_plural = _("captured items")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "platform_id"], name="capture_item_once_per_platform"),
        ]
        indexes = [
            models.Index(fields=["account", "kind", "-published_at"], name="capture_item_account_kind"),
            models.Index(fields=["connection", "kind", "-published_at"], name="capture_item_connection_kind"),
            models.Index(fields=["thread"], name="capture_item_thread"),
            # A common word's search walks this newest first (capture/selectors.py, SearchHits).
            models.Index(fields=["-published_at", "-id"], name="capture_item_newest_first"),
            # The public check of a post's link (capture/selectors.py, public_post): posts only.
            models.Index(fields=["permalink_key"], condition=Q(kind="post"), name="capture_item_permalink_key"),
            # The few items gone from the platform or hidden, among all captured: the editors' list
            # "removed on the platform" and its count on the start page (moderation/selectors.py).
            models.Index(
                fields=["account", "-missing_since"],
                condition=Q(missing_since__isnull=False) | Q(hidden=True),
                name="capture_item_gone",
            ),
            # The account's own posts by publication time: what R6's and R19's checks and the weekly
            # figures read (activity/sources.py), a backward scan for the newest, a range for a window.
            models.Index(
                fields=["account", "published_at"],
                name="capture_item_own_posts",
                condition=Q(kind="post", by_account=True),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.platform_id}"


class ItemVersion(models.Model):
    """An earlier form of an edited item, as it was captured before the edit was seen."""

    item = models.ForeignKey(CapturedItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="versions")
    text = models.TextField(_("text"), blank=True)
    raw = models.JSONField(_("raw answer"))
    raw_sha256 = models.CharField(_("SHA-256"), max_length=64)
    captured_at = models.DateTimeField(_("captured"))
    superseded_at = models.DateTimeField(_("replaced"), default=timezone.now)

    class Meta:
        verbose_name = _("earlier version")
        verbose_name_plural = _("earlier versions")
        ordering = ["item", "captured_at", "pk"]

    def __str__(self):
        return f"{self.item} ({self.raw_sha256[:12]}…)"


def media_path(instance, filename):
    return f"capture/{timezone.now():%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class CapturedMedia(models.Model):
    """An image or video thumbnail of an item, kept in the private storage (size-capped,
    CAPTURE_MEDIA_MAX_BYTES) with its SHA-256."""

    item = models.ForeignKey(CapturedItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="media")
    source_url = models.URLField(_("address on the platform"), max_length=2000)
    file = models.FileField(_("file"), storage=private_storage, upload_to=media_path, max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    captured_at = models.DateTimeField(_("captured"), default=timezone.now)

    class Meta:
        verbose_name = _("captured media")
        verbose_name_plural = _("captured media")
        constraints = [models.UniqueConstraint(fields=["item", "source_url"], name="capture_media_once_per_item")]

    def __str__(self):
        return f"{self.item} {self.sha256[:12]}…"


class ProfileSnapshotQuerySet(models.QuerySet):
    def latest_per_account(self):
        """The newest snapshot of each account (no later one: a tie on the time goes to the higher pk)."""
        later = ProfileSnapshot.objects.filter(account=models.OuterRef("account")).filter(
            Q(taken_at__gt=models.OuterRef("taken_at"))
            | Q(taken_at=models.OuterRef("taken_at"), pk__gt=models.OuterRef("pk"))
        )
        return self.filter(~models.Exists(later))


class ProfileSnapshot(models.Model):
    """The account's profile as the platform showed it at one moment (R4, R5, R9): twice a year and
    on demand (capture/profiles.py). Its description is compared with the registry's (R5, review's
    check), its list of followed accounts answers the yearly self-check's R9 question from facts.
    A public record (R3): never deleted through the UI (records/guard.py)."""

    connection = models.ForeignKey(
        Connection, verbose_name=_("connection"), on_delete=models.PROTECT, related_name="profile_snapshots"
    )
    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="profile_snapshots"
    )
    taken_at = models.DateTimeField(_("taken"), default=timezone.now, db_index=True)
    name = models.CharField(_("name on the platform"), max_length=300, blank=True)
    description = models.TextField(_("profile description"), blank=True)
    picture_url = models.URLField(_("profile picture's address"), max_length=2000, blank=True)
    # Of the bytes fetched (CAPTURE_MEDIA_ENABLED, at most CAPTURE_MEDIA_MAX_BYTES): a new picture is
    # a new hash (R4: the graphic profile). Empty when it was not fetched.
    picture_sha256 = models.CharField(_("profile picture's SHA-256"), max_length=64, blank=True)
    followers = models.PositiveBigIntegerField(_("followers"), null=True, blank=True)
    # [{"id", "name", "handle", "url"}], or null where the platform's API does not show it (R9).
    following = models.JSONField(_("follows"), null=True, blank=True)
    following_count = models.PositiveBigIntegerField(_("number of accounts followed"), null=True, blank=True)
    following_truncated = models.BooleanField(_("list of followed accounts cut short"), default=False)
    raw = models.JSONField(_("raw answer"))
    raw_sha256 = models.CharField(_("SHA-256"), max_length=64)
    # Who asked for it; null for the scheduled snapshot.
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("taken by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    objects = ProfileSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("profile snapshot")
        verbose_name_plural = _("profile snapshots")
        ordering = ["-taken_at", "-pk"]
        indexes = [models.Index(fields=["account", "-taken_at"], name="capture_profile_account_newest")]

    def __str__(self):
        return f"{self.account} {self.taken_at:%Y-%m-%d}"
