"""What the apps built on this one add to the citizen's check (R16: "is this really the
municipality's?"): a pasted link to a post or video, recognised as one the municipality published.

This app knows the accounts, not what they published; the platforms' record (capture, R3) does, and
this app never imports it. It registers a function instead, from its AppConfig.ready():

    @register_link_check
    def public_post(link) -> PublishedPost | None: ...

A check gets the link as pasted (a redirect page already unwrapped) and answers only with a post of
the account itself, of an account that is active or closed: never a draft, a comment, a message or
anything of an account the public list does not show.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from .models import SocialAccount


@dataclass(frozen=True)
class PublishedPost:
    """A post or video the municipality published, as the public may know it: whose, when, where."""

    account: SocialAccount  # active or closed; with its unit
    published_at: datetime.datetime | None
    permalink: str
    # Still on the platform when the archive last looked (a removed post stays a record, R3).
    on_platform: bool
    is_video: bool = False


LINK_CHECKS: list[Callable[[str], PublishedPost | None]] = []


def register_link_check(check: Callable[[str], PublishedPost | None]) -> Callable:
    if check not in LINK_CHECKS:
        LINK_CHECKS.append(check)
    return check


def published_post(link: str) -> PublishedPost | None:
    """The post that `link` leads to, from the first check that knows it, or None."""
    for check in LINK_CHECKS:
        found = check(link)
        if found is not None:
            return found
    return None
