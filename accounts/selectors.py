"""Reads that pages, exports and checks share."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

from .links import (
    link_is_unattributable,
    looks_like_url,
    normalize_handle,
    normalize_url,
    platform_id_in_link,
    unwrap_redirect,
    url_candidates,
    youtube_handle_in_link,
)
from .models import AccountStatus, OrgUnit, SocialAccount
from .public_checks import PublishedPost, published_post
from .public_page_cache import keep, new_generation, page_generation


def public_list_cache_key(generation: str) -> str:
    """The list's rows, read under this generation of the public page (public_page_cache.py)."""
    return f"public-accounts:v2:{generation}"


def _drop_public_caches():
    # A new generation (public_page_cache.py): the pages and the rows read before it are deleted,
    # and no render that read the old list can store it any more.
    old = new_generation()
    if old is not None:
        cache.delete(public_list_cache_key(old))


def invalidate_public_accounts():
    # At once, for what this transaction reads next; and again when the change is committed,
    # because until then other requests still read the old list and store it under the new
    # generation. The commit's new generation makes those copies unreachable and deletes them.
    _drop_public_caches()
    transaction.on_commit(_drop_public_caches)


# Swedish alphabetical order: å, ä, ö come after z, in that order (code points put ä before å),
# é is an e and ü a y.
_SWEDISH_ORDER = str.maketrans(
    {"å": "\U000f0001", "ä": "\U000f0002", "æ": "\U000f0002", "ö": "\U000f0003", "ø": "\U000f0003"}
    | {"é": "e", "è": "e", "ü": "y"}
)


def swedish_sort_key(value: str) -> str:
    return value.casefold().translate(_SWEDISH_ORDER)


def _public_row(account: SocialAccount, units: dict[int, OrgUnit]) -> dict:
    """What the public may know of an account (R16): nothing about staff."""
    unit = account.unit
    root = units.get(unit.root_id, unit)
    return {
        "name": account.name,
        "platform": account.platform,
        "platform_name": account.platform_name,
        "url": account.url,
        "handle": account.handle,
        "description": account.description,
        "unit": unit.name,
        "unit_path": [units[int(pk)].name for pk in unit.path.strip("/").split("/") if int(pk) in units],
        "administration": root.name,
    }


def public_accounts() -> list[dict]:
    """Every active account, ordered by unit in tree order then by name (R16).

    Two queries whatever the number of accounts (the accounts with their units, and all units for
    the path names), and none at all while the cache holds the list. The generation is taken before
    the list is read, and the rows are kept only if no change came meanwhile (`keep`).
    """
    generation = page_generation()
    key = public_list_cache_key(generation)
    rows = cache.get(key)
    if rows is None:
        units = {u.pk: u for u in OrgUnit.objects.only("pk", "name", "path", "parent_id")}
        accounts = (
            SocialAccount.objects.active()
            .select_related("unit")
            .only("name", "platform", "platform_other", "url", "handle", "description", "unit__name", "unit__path")
        )
        rows = sorted(
            (_public_row(a, units) for a in accounts),
            key=lambda r: (
                [swedish_sort_key(p) for p in r["unit_path"]],
                swedish_sort_key(r["name"]),
                r["platform_name"],
            ),
        )
        keep(key, rows, generation)
    return rows


@dataclass
class PublicGroup:
    """An administration (förvaltning) with its accounts, split by the unit below it."""

    name: str
    units: list[tuple[str, list[dict]]]

    @property
    def count(self):
        return sum(len(accounts) for _, accounts in self.units)


def group_public_accounts(rows: list[dict]) -> list[PublicGroup]:
    """Rows as `public_accounts()` orders them, grouped by administration and then by the unit
    below it ("" for accounts of the administration itself). A unit deeper down is named with
    its path below the administration, so that two units of the same name stay apart."""
    groups: dict[str, PublicGroup] = {}
    for row in rows:
        group = groups.setdefault(row["administration"], PublicGroup(row["administration"], []))
        unit_name = " – ".join(row["unit_path"][1:])
        if not group.units or group.units[-1][0] != unit_name:
            group.units.append((unit_name, []))
        group.units[-1][1].append(row)
    return list(groups.values())


@dataclass
class Verification:
    """The answer to "is this account really the municipality's?"."""

    query: str
    official: list[SocialAccount]
    closed: list[SocialAccount]
    by_handle: bool
    # The link inside a redirect page (l.facebook.com/l.php?u=…), when the query was one.
    unwrapped: str = ""
    # The link leads to a post or video without naming whose it is (youtu.be/…): neither yes nor no.
    unattributable: bool = False
    # The post or video the link leads to, when the municipality published it (public_checks.py).
    post: PublishedPost | None = None

    @property
    def outcome(self) -> str:
        if self.official:
            return "official"
        if self.closed:
            return "closed"
        if self.unattributable:
            return "undetermined"
        return "unknown"


def verify_account(value: str) -> Verification | None:
    """Match a pasted link or handle against the registry.

    A link matches an account whose link it equals or lies under, or that it names by the
    platform's own id (a Facebook page's number, a YouTube channel's id or @handle); a redirect page
    around a link (l.facebook.com/l.php?u=…) is judged by the link inside it. A link that names no
    account (a video at youtu.be/…) and matches none cannot be judged from the link alone: it is
    neither the municipality's nor called fake. A bare handle matches accounts with that handle, on
    whatever platform (the page then names the platform, so the citizen can compare). Requested,
    approved and rejected accounts are never revealed: only active ones and those the
    municipality has closed. One query, whatever the form.

    A link to a post or video that the archive holds (R3) is answered by it: the account that
    published it, active or closed, and the post (`post`; public_checks.py). A link that looks
    like a post's costs one query more when the archive does not know it.
    """
    value = (value or "").strip()[:500]
    if not value:
        return None
    qs = SocialAccount.objects.filter(status__in=[AccountStatus.ACTIVE, AccountStatus.CLOSED]).select_related("unit")
    unwrapped, unattributable = "", False
    if looks_like_url(value):
        link = unwrap_redirect(value)
        unwrapped = link if link != value else ""
        post = published_post(link)
        if post is not None:
            # The archive knows the post, and so whose it is: that account is the answer, whatever
            # account the link's address otherwise names (one query instead of two).
            account = post.account
            return Verification(
                query=value,
                official=[account] if account.status == AccountStatus.ACTIVE else [],
                closed=[account] if account.status == AccountStatus.CLOSED else [],
                by_handle=False,
                unwrapped=unwrapped,
                post=post,
            )
        normalized = normalize_url(link)
        candidates = url_candidates(normalized) if normalized else []
        condition = Q(normalized_url__in=candidates) if candidates else Q(pk__in=[])
        named = platform_id_in_link(link)
        if named:
            condition |= Q(platform=named[0], platform_id=named[1])
        youtube_handle = youtube_handle_in_link(link)
        if youtube_handle:
            condition |= Q(platform="youtube", normalized_handle=youtube_handle)
        matches = list(qs.filter(condition)) if candidates or named or youtube_handle else []
        # A link that names an account by id names that account, ours or not: only a link that
        # names none cannot be judged.
        unattributable = not named and not youtube_handle and link_is_unattributable(link)
        by_handle = False
    else:
        handle = normalize_handle(value)
        matches = list(qs.filter(normalized_handle=handle)) if handle else []
        by_handle = True
    return Verification(
        query=value,
        official=[a for a in matches if a.status == AccountStatus.ACTIVE],
        closed=[a for a in matches if a.status == AccountStatus.CLOSED],
        by_handle=by_handle,
        unwrapped=unwrapped,
        unattributable=unattributable,
    )
