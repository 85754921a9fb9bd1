"""What must be done before an account is closed (R15), as the apps above this one know it.

Issue 19: nothing is closed unarchived. Before comms closes an account, the portal captures the
platform one last time and exports the account's whole history (R3, R25); the records app knows how,
but this app is below it and never imports it. The records app registers a requirement instead,
from its AppConfig.ready():

    @closing_requirement
    def final_archive(account) -> Requirement: ...

close_account (services/lifecycle.py) refuses while a requirement is unmet, unless comms writes why
the account is closed without it (the platform account is already gone, say); the close page shows
each requirement with the way to meet it.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Requirement:
    """One thing a closing needs. `message` says in the user's words what stands (or, met, what
    was done: it goes into the closing decision); `url` shows it; `action_url` (a POST) and
    `action_label` start what meets it."""

    met: bool
    message: str
    url: str = ""
    url_label: str = ""
    action_url: str = ""
    action_label: str = ""


CLOSING_REQUIREMENTS: list[Callable] = []


def closing_requirement(requirement: Callable) -> Callable:
    """Register requirement(account) -> Requirement."""
    if requirement not in CLOSING_REQUIREMENTS:
        CLOSING_REQUIREMENTS.append(requirement)
    return requirement


def requirements(account) -> list[Requirement]:
    """Every registered requirement for closing this account, in the order registered."""
    return [requirement(account) for requirement in CLOSING_REQUIREMENTS]
