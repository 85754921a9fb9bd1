"""Shared fixtures: one user per role, as in the routine (DESIGN.md, "Who uses it").

alice-style naming from healthchecks, in the portal's own words: `kommunikator` is comms,
`chef` manages the culture administration, `redaktor` edits the library's account,
`medarbetare` is a plain employee of the library, and `annan_chef`/`annan_redaktor` belong to
another administration and must see their own things only.
"""

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.http import HttpRequest
from django.test import Client

from accounts.tests.factories import MandateFactory, OrgUnitFactory, SocialAccountFactory, UserFactory

pytest_plugins = ["devtools.pytest_services"]

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
def youtube_account(biblioteket):
    return SocialAccountFactory(
        name="Biblioteket på YouTube",
        platform="youtube",
        handle="@falkopingsbibliotek",
        url="https://www.youtube.com/@falkopingsbibliotek",
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


def record_sign_in(client, user):
    """Write in the client's session how `user` signed in, as allauth's sign-in records it: a
    password, then, for someone with two-step verification active, its code ("mfa"). Privileged
    users need the second (accounts/rules.py, passed_mfa)."""
    session = client.session
    request = HttpRequest()
    request.session = session
    record_authentication(request, user, "password", email=user.email)
    totp = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()
    if totp is not None:
        record_authentication(request, user, "mfa", id=totp.pk, type=totp.type)
    session.save()


@pytest.fixture(autouse=True)
def _signed_in_as_the_portal_signs_in(monkeypatch):
    """client.force_login() and client.login() give the session what the portal's one sign-in door
    would: with allauth, a person with two-step verification active is signed in only after its
    code. sign_in_without_mfa_step() makes a session that did not pass it."""
    login = Client._login  # what both force_login and login call

    def _login(self, user, backend=None):
        login(self, user, backend)
        record_sign_in(self, user)

    monkeypatch.setattr(Client, "_login", _login)


def sign_in_without_mfa_step(client, user):
    """A session signed in with a password alone: one from before its user activated two-step
    verification, or from a sign-in door that did not ask for the code."""
    client.force_login(user)
    session = client.session
    records = session.get(AUTHENTICATION_METHODS_SESSION_KEY, [])
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [r for r in records if r.get("method") != "mfa"]
    session.save()


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
    # A name no generated person has: tests look for it being absent from pages.
    user = UserFactory(
        email="annan.redaktor@example.falkoping.se", unit=social, first_name="Annan", last_name="Redaktörsson"
    )
    MandateFactory(user=user, account=social_account)
    return user


@pytest.fixture
def medarbetare(biblioteket):
    return UserFactory(email="medarbetare@example.falkoping.se", unit=biblioteket)


@pytest.fixture
def superuser(db, kultur):
    return UserFactory(email="admin@example.falkoping.se", unit=kultur, is_staff=True, is_superuser=True)
