"""Connecting an account to its platform, renewing the token and removing the connection (R3).

Every change goes through here: the address is checked (capture/addresses.py), the token is asked
of the platform (`Connector.verify`) before anything is saved, and a token or page that is not the
account's is refused with what the platform answered. The token is stored encrypted
(capture/crypto.py) and never shown again; the audit trail records who connected, renewed or
removed (auditlog, capture/apps.py). Nothing is ever deleted: a removed connection and its items
are kept.
"""

import logging
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.links import normalize_handle, normalize_url
from accounts.models import AccountStatus
from falkoping_some.lib.errors import DomainError

from . import crypto
from .addresses import address_problem
from .connectors import registry
from .connectors.base import (
    ConnectorError,
    Identity,
    NotFound,
    NotSupported,
    PermissionMissing,
    RateLimited,
    TemporaryFailure,
    TokenRejected,
)
from .models import Connection, ConnectionState

logger = logging.getLogger(__name__)

# What comms reads when the platform refuses (the connectors' own messages are English and for
# the log; these are said in the user's language).
ERROR_MESSAGES = {
    TokenRejected: gettext_noop("The platform refused the access token: it has expired or been revoked."),
    PermissionMissing: gettext_noop("The access token lacks a permission the portal needs."),
    RateLimited: gettext_noop("The platform asked the portal to wait (rate limit)."),
    TemporaryFailure: gettext_noop("The platform did not answer in time or had an error of its own."),
    NotFound: gettext_noop("The platform does not know this account or item."),
    NotSupported: gettext_noop("This platform's connector does not read this."),
    ConnectorError: gettext_noop("The platform did not answer as expected."),
}
# The same sentences as the connectors' defaults (capture/connectors/base.py), which the sync keeps
# in Connection.last_error: translated where they are shown (templates, `{% translate %}`).
KNOWN_ERRORS = frozenset(ERROR_MESSAGES.values())


def error_message(error: ConnectorError) -> str:
    """The error in plain words, in the user's language."""
    for cls in type(error).__mro__:
        if cls in ERROR_MESSAGES:
            return _(ERROR_MESSAGES[cls])
    return _(ERROR_MESSAGES[ConnectorError])


def plain_error(stored: str) -> str:
    """A connection's stored last error in the user's language where it is one of the known ones."""
    return _(stored) if stored in KNOWN_ERRORS else stored


def connector_label(kind: str) -> str:
    if kind == registry.FEED:
        return _("RSS or Atom feed")
    try:
        return registry.connector_class(kind).label or kind
    except (LookupError, ImportError, AttributeError):
        return kind


def connectable_kinds(account) -> list[str]:
    """The connectors that can read this account and whose code is there."""
    kinds = []
    for kind in registry.kinds_for(account.platform):
        try:
            registry.connector_class(kind)
        except (LookupError, ImportError, AttributeError):
            continue
        kinds.append(kind)
    return kinds


def default_address(kind: str, account) -> str:
    """The address the form offers: the connector's fixed one; a Mastodon account's own server;
    for a feed, nothing (the feed's own URL is not the account's page)."""
    try:
        fixed = registry.connector_class(kind).fixed_base_url
    except (LookupError, ImportError, AttributeError):
        return ""
    if fixed:
        return fixed
    if kind == "mastodon" and account.url:
        parts = urlsplit(account.url)
        if parts.hostname:
            return f"https://{parts.hostname}"
    return ""


def _verify(kind: str, base_url: str, token: str, handle: str, account) -> Identity:
    problem = address_problem(kind, base_url, account.url)
    if problem:
        raise DomainError(problem)
    try:
        cls = registry.connector_class(kind)
    except (LookupError, ImportError, AttributeError) as error:
        raise DomainError(_("This account cannot be connected that way.")) from error
    if cls.needs_token and not token:
        raise DomainError(_("%(platform)s needs an access token.") % {"platform": connector_label(kind)})
    connector = cls(base_url=base_url, token=token)
    try:
        identity = connector.verify(handle)
    except ConnectorError as error:
        raise DomainError(error_message(error)) from error
    except (KeyError, ValueError, TypeError) as error:
        # An answer the connector could not read: said as the platform answering unexpectedly.
        logger.exception("Verifying a %s connection: unreadable answer", kind)
        raise DomainError(error_message(ConnectorError())) from error
    finally:
        close = getattr(connector.client, "close", None)
        if close:
            close()
    if identity.expires_at is not None and identity.expires_at <= timezone.now():
        raise DomainError(
            _("The platform says the token expired on %(date)s. Create a new one.")
            % {"date": timezone.localtime(identity.expires_at).strftime("%Y-%m-%d %H:%M")}
        )
    return identity


def _who(identity: Identity) -> str:
    parts = [identity.name or identity.platform_id]
    if identity.handle:
        parts.append(f"@{normalize_handle(identity.handle)}")
    parts.append(f"id {identity.platform_id}")
    return ", ".join(parts)


def mismatch(account, kind: str, identity: Identity) -> str | None:
    """Why what the platform answered is not this account, or None. The registry's platform id is
    compared when it is known, else the handle, else the address."""
    if kind == registry.FEED:
        return None
    answered = _who(identity)
    if account.platform_id:
        if identity.platform_id != account.platform_id:
            return _(
                "The platform answered for %(answered)s, but the account's platform id in the registry is %(id)s."
            ) % {"answered": answered, "id": account.platform_id}
        return None
    if account.handle and identity.handle:
        if normalize_handle(identity.handle) != normalize_handle(account.handle):
            return _(
                "The platform answered for %(answered)s, but the account's handle in the registry is @%(handle)s."
            ) % {"answered": answered, "handle": normalize_handle(account.handle)}
        return None
    if account.url and identity.url and normalize_url(identity.url) != normalize_url(account.url):
        return _("The platform answered for %(answered)s, but the account's address in the registry is %(url)s.") % {
            "answered": answered,
            "url": account.url,
        }
    return None


def _apply_identity(connection: Connection, identity: Identity, token: str) -> None:
    connection.token_encrypted = crypto.encrypt(token)
    connection.token_hint = crypto.hint(token)
    connection.scopes = sorted(identity.scopes)
    connection.token_expires_at = identity.expires_at
    reads = registry.connector_class(connection.kind).reads_messages
    connection.reads_messages = bool(identity.can_read_messages and reads)
    connection.external_name = identity.name[:300]
    connection.external_handle = identity.handle[:300]


def connect(actor, account, kind: str, base_url: str, token: str = "", handle: str = "") -> Connection:
    """Connect `account` through the `kind` connector, after the platform has said who the token
    (or handle) is and that it is the account's."""
    if not actor.has_perm("capture.connect", account):
        raise DomainError(_("Only the communications department connects accounts to their platforms."))
    if account.status != AccountStatus.ACTIVE:
        raise DomainError(_("Only an active account can be connected to its platform."))
    if kind not in connectable_kinds(account):
        raise DomainError(_("This account cannot be connected that way."))
    base_url = (base_url or "").strip() or default_address(kind, account)
    if not base_url:
        raise DomainError(_("Give the address to read."))
    token, handle = (token or "").strip(), (handle or "").strip()
    identity = _verify(kind, base_url, token, handle or account.handle, account)
    problem = mismatch(account, kind, identity)
    if problem:
        raise DomainError(problem)
    with transaction.atomic():
        live = Connection.objects.live().select_for_update()
        if live.filter(account=account, kind=kind).exists():
            raise DomainError(_("The account is already connected this way. Renew its token or remove it first."))
        other = live.filter(kind=kind, external_id=identity.platform_id).exclude(account=account).first()
        if other is not None:
            raise DomainError(
                _("%(answered)s is already connected to the account %(account)s.")
                % {"answered": _who(identity), "account": other.account.name}
            )
        connection = Connection(
            account=account, kind=kind, base_url=base_url, external_id=identity.platform_id, created_by=actor
        )
        _apply_identity(connection, identity, token)
        connection.save()
    return connection


def renew(actor, connection: Connection, token: str) -> Connection:
    """A new token for the same page or channel: the connection and its cursor are kept, and a
    stopped connection captures again from where it stopped."""
    if not actor.has_perm("capture.connect", connection.account):
        raise DomainError(_("Only the communications department connects accounts to their platforms."))
    if connection.state == ConnectionState.REMOVED:
        raise DomainError(_("The connection is removed. Connect the account again instead."))
    token = (token or "").strip()
    handle = connection.external_handle or connection.account.handle
    identity = _verify(connection.kind, connection.base_url, token, handle, connection.account)
    if identity.platform_id != connection.external_id:
        raise DomainError(
            _("The new token is for %(answered)s, not for %(name)s (id %(id)s) that this connection reads.")
            % {"answered": _who(identity), "name": connection.external_name, "id": connection.external_id}
        )
    with transaction.atomic():
        connection = Connection.objects.select_for_update().get(pk=connection.pk)
        _apply_identity(connection, identity, token)
        if connection.state == ConnectionState.BROKEN:
            connection.state = ConnectionState.ACTIVE
        connection.failures = 0
        connection.next_attempt_at = None
        connection.last_error = ""
        connection.last_error_at = None
        connection.save()
    return connection


def remove(actor, connection: Connection) -> Connection:
    """Stop capturing: the connection is kept as removed (who, when), its items stay in the archive."""
    if not actor.has_perm("capture.connect", connection.account):
        raise DomainError(_("Only the communications department connects accounts to their platforms."))
    with transaction.atomic():
        connection = Connection.objects.select_for_update().get(pk=connection.pk)
        if connection.state == ConnectionState.REMOVED:
            raise DomainError(_("The connection is already removed."))
        connection.state = ConnectionState.REMOVED
        connection.removed_by = actor
        connection.removed_at = timezone.now()
        connection.next_attempt_at = None
        connection.save()
    return connection
