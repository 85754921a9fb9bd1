"""Which API address a connection may use. In production: the platform's real one (Meta's Graph
API, YouTube's Data API, Bluesky's public AppView), the account's own Mastodon instance over
https, a feed over https. With CAPTURE_ALLOW_SIMULATORS (debug, demo, tests) a loopback address
is allowed too, where the simulated platforms answer (simulators/)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from .connectors.registry import FEED, connector_class

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOOPBACK


def address_problem(kind: str, base_url: str, account_url: str = "") -> str | None:
    """Why `base_url` may not be used for a `kind` connection, or None."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return _("The address must be a web address (https://…).")
    if is_loopback(base_url):
        if settings.CAPTURE_ALLOW_SIMULATORS:
            return None
        return _("A loopback address is only for the simulated platforms of the tests and the demo.")
    if parts.scheme != "https":
        return _("The platform's address must use https.")
    fixed = connector_class(kind).fixed_base_url
    if fixed and base_url.rstrip("/") != fixed.rstrip("/"):
        return _("The address of %(platform)s's API is %(address)s.") % {
            "platform": connector_class(kind).label,
            "address": fixed,
        }
    if kind == "mastodon" and account_url:
        account_host = (urlsplit(account_url).hostname or "").lower()
        if account_host and parts.hostname.lower() != account_host:
            return _("The Mastodon server must be the account's own (%(host)s).") % {"host": account_host}
    if kind == FEED:
        return None
    return None
