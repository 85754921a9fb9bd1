"""The toy platform (toy.py) served for a test, and a connection of the library's account to it."""

import pytest

from accounts.tests.factories import UserFactory
from capture import crypto
from capture.models import Connection

from .toy import served


@pytest.fixture
def toy(monkeypatch):
    with served(monkeypatch) as platform:
        yield platform


@pytest.fixture
def connection(toy, library_account):
    return Connection.objects.create(
        account=library_account, kind="toy", base_url=toy.url, external_id="toy-1",
        token_encrypted=crypto.encrypt("good-token"), created_by=UserFactory(),
    )  # fmt: skip
