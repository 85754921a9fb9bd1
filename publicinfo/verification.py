"""R16 as open data: the citizen's check of a link ("is this really the municipality's?") as JSON,
for other websites, apps and fact-checkers: `/socialamedier/verify?url=…`.

The answer is the check of the public page (accounts.selectors.verify_account, with the archive's
posts through accounts/public_checks.py), in the same words for the same link, and shows no more:
- an active account: its name, platform, link and unit; a post of it: when it was published, its
  link and whether it is still on the platform;
- a closed account: its name, platform and closing date (and a post's publication date), no link:
  the address may belong to someone else now;
- anything else (an account not in use, someone else's, a link nobody can judge): official false.

Answers are kept in the shared cache by the link's normalised forms, under the public list's
generation (accounts/public_page_cache.py): a change to an account or a unit drops them at once.
A post captured meanwhile is known within PUBLIC_VERIFY_CACHE_SECONDS.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

from accounts.links import normalize_url, platform_id_in_link, unwrap_redirect
from accounts.public_page_cache import keep, page_generation
from accounts.selectors import Verification, verify_account
from capture.permalinks import bluesky_uri, permalink_key

# The longest link the check takes: the page's form takes as much (VerifyAccountForm).
MAX_URL_LENGTH = 500


def _cache_key(generation: str, link: str) -> str:
    # Everything the check reads of a link: the account's address (host and path, as the registry
    # compares them), the platform's own id in it (case-sensitive), the post's key and at:// id.
    forms = (normalize_url(link), repr(platform_id_in_link(link)), permalink_key(link), bluesky_uri(link))
    digest = hashlib.sha256("\n".join(forms).encode()).hexdigest()
    return f"public-verify:v1:{generation}:{digest}"


def _account(account, *, closed: bool) -> dict:
    data = {"name": account.name, "platform": account.platform, "platform_name": account.platform_name}
    if closed:
        # As the page: name, platform and closing date, no link (it may be someone else's now).
        return {**data, "url": None, "unit": None}
    return {**data, "url": account.url, "unit": account.unit.name}


def answer(verification: Verification | None) -> dict:
    """The JSON answer (without the asked `url`) of a check."""
    outcome = verification.outcome if verification else "unknown"
    post = verification.post if verification else None
    account, closed_on = None, None
    if outcome == "official":
        account = _account(verification.official[0], closed=False)
    elif outcome == "closed":
        closed_account = verification.closed[0]
        account = _account(closed_account, closed=True)
        closed_on = closed_account.closed_on.isoformat() if closed_account.closed_on else None
    if post is not None and account is not None:
        kind = "post"
        post_data = {
            "published_at": post.published_at.isoformat() if post.published_at else None,
            "permalink": (post.permalink or None) if outcome == "official" else None,
            "on_platform": post.on_platform,
            "video": post.is_video,
        }
    else:
        kind, post_data = ("account" if account is not None else None), None
    return {
        "official": outcome == "official",
        "outcome": outcome,
        "kind": kind,
        "account": account,
        "post": post_data,
        "closed_on": closed_on,
    }


def check_link(url: str) -> dict:
    """The answer for `url`, from the cache when a visitor asked for the same link meanwhile."""
    generation = page_generation()  # before reading: a change meanwhile is never stored as current
    key = _cache_key(generation, unwrap_redirect(url))
    cached = cache.get(key)
    if cached is not None:
        return cached
    result = answer(verify_account(url))
    keep(key, result, generation, timeout=settings.PUBLIC_VERIFY_CACHE_SECONDS)
    return result
