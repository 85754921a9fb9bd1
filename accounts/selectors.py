"""Reads that pages, exports and checks share."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from .links import looks_like_url, normalize_handle, normalize_url, url_candidates
from .models import AccountStatus, OrgUnit, SocialAccount
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

    @property
    def outcome(self) -> str:
        if self.official:
            return "official"
        if self.closed:
            return "closed"
        return "unknown"


def verify_account(value: str) -> Verification | None:
    """Match a pasted link or handle against the registry.

    A link matches an account whose link it equals or lies under; a bare handle matches accounts
    with that handle, on whatever platform (the page then names the platform, so the citizen can
    compare). Requested, approved and rejected accounts are never revealed: only active ones and
    those the municipality has closed.
    """
    value = (value or "").strip()[:500]
    if not value:
        return None
    qs = SocialAccount.objects.filter(status__in=[AccountStatus.ACTIVE, AccountStatus.CLOSED]).select_related("unit")
    if looks_like_url(value):
        normalized = normalize_url(value)
        candidates = url_candidates(normalized) if normalized else []
        matches = list(qs.filter(normalized_url__in=candidates)) if candidates else []
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
    )
