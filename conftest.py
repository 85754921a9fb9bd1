"""Shared fixtures: one user per role, as in the routine (DESIGN.md, "Who uses it").

alice-style naming from healthchecks, in the portal's own words: `kommunikator` is comms,
`chef` manages the culture administration, `redaktor` edits the library's account,
`medarbetare` is a plain employee of the library, and `annan_chef`/`annan_redaktor` belong to
another administration and must see their own things only.
"""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time

from accounts.tests.factories import MandateFactory, OrgUnitFactory, SocialAccountFactory, UserFactory

pytest_plugins = ["falkoping_some.pytest_services"]

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # a test-only base32 secret


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from accounts.public_page_cache import forget_generation

    cache.clear()
    forget_generation()  # what this process trusted of the cleared cache
    yield
    cache.clear()
    forget_generation()


@pytest.fixture
def kultur(db):
    return OrgUnitFactory(name="Kultur- och fritidsförvaltningen")


@pytest.fixture
def biblioteket(kultur):
    return OrgUnitFactory(name="Biblioteket", parent=kultur)


@pytest.fixture
def social(db):
    return OrgUnitFactory(name="Socialförvaltningen")


@pytest.fixture
def library_account(biblioteket):
    return SocialAccountFactory(
        name="Falköpings bibliotek",
        handle="falkopingsbibliotek",
        url="https://www.facebook.com/falkopingsbibliotek",
        unit=biblioteket,
    )


@pytest.fixture
def social_account(social):
    return SocialAccountFactory(
        name="Socialförvaltningen informerar",
        handle="falkopingsocial",
        url="https://www.facebook.com/falkopingsocial",
        unit=social,
    )


def give_mfa(user):
    """An active TOTP authenticator with a known secret (TOTP_SECRET), stored as allauth
    stores one after activation, so that tests can compute real codes with totp_code()."""
    TOTP.activate(user, TOTP_SECRET)
    user.__dict__.pop("_portal_roles", None)
    return user


def totp_code(secret=TOTP_SECRET):
    """The code an authenticator app shows right now."""
    counters = list(yield_hotp_counters_from_time())  # the current one sits in the middle
    counter = counters[len(counters) // 2]
    return format_hotp_value(hotp_value(secret, counter))


@pytest.fixture
def kommunikator(db, kultur):
    user = UserFactory(email="kommunikator@example.falkoping.se", unit=kultur, is_staff=True, comms=True)
    return give_mfa(user)


@pytest.fixture
def kommunikator_utan_mfa(db, kultur):
    return UserFactory(email="kommunikator2@example.falkoping.se", unit=kultur, is_staff=True, comms=True)


@pytest.fixture
def chef(kultur):
    user = UserFactory(email="chef@example.falkoping.se", unit=kultur)
    kultur.managers.add(user)
    return user


@pytest.fixture
def annan_chef(social):
    user = UserFactory(email="annan.chef@example.falkoping.se", unit=social)
    social.managers.add(user)
    return user


@pytest.fixture
def redaktor(biblioteket, library_account):
    user = UserFactory(email="redaktor@example.falkoping.se", unit=biblioteket)
    MandateFactory(user=user, account=library_account)
    return user


@pytest.fixture
def annan_redaktor(social, social_account):
    user = UserFactory(email="annan.redaktor@example.falkoping.se", unit=social)
    MandateFactory(user=user, account=social_account)
    return user


@pytest.fixture
def medarbetare(biblioteket):
    return UserFactory(email="medarbetare@example.falkoping.se", unit=biblioteket)


@pytest.fixture
def superuser(db, kultur):
    return UserFactory(email="admin@example.falkoping.se", unit=kultur, is_staff=True, is_superuser=True)
