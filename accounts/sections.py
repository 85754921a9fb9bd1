"""Sections that the apps built on this one add to an account's page and to a person's page.

The account's page shows what every part of the routine knows of the account (its moderation,
R20–R23; its yearly self-check, R4–R9), and a person's page their council attendance (R24); but
this app is below those apps and never imports them. Each registers a function instead, from its
AppConfig.ready():

    @account_page_section
    def moderation(request, account, today) -> dict: ...

The dicts they return are added to the page's template context, in the order registered.
"""

from collections.abc import Callable

ACCOUNT_PAGE: list[Callable] = []
PERSON_PAGE: list[Callable] = []


def account_page_section(section: Callable) -> Callable:
    """Register section(request, account, today) -> dict for the account's page."""
    if section not in ACCOUNT_PAGE:
        ACCOUNT_PAGE.append(section)
    return section


def person_page_section(section: Callable) -> Callable:
    """Register section(request, person) -> dict for a person's page."""
    if section not in PERSON_PAGE:
        PERSON_PAGE.append(section)
    return section


def sections_context(sections: list[Callable], *args) -> dict:
    context = {}
    for section in sections:
        context.update(section(*args))
    return context
