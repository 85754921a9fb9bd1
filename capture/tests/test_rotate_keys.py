"""`manage.py rotate_capture_keys`: every token re-encrypted with the first key of
PORTAL_CAPTURE_KEYS; the old key decrypts until it is dropped, and not after."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from accounts.tests.factories import UserFactory
from capture import crypto
from capture.models import Connection, ConnectionState

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def connect(account, token, kind="facebook", state=ConnectionState.ACTIVE):
    return Connection.objects.create(
        account=account, kind=kind, base_url="https://graph.facebook.com", external_id=f"page-{kind}",
        token_encrypted=crypto.encrypt(token), state=state, created_by=UserFactory(),
    )  # fmt: skip


def stored(connection):
    connection.refresh_from_db()
    return connection.token_encrypted


def rotate():
    out = io.StringIO()
    call_command("rotate_capture_keys", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_rotation_reencrypts_with_the_new_key_and_the_old_one_decrypts_until_dropped(settings, library_account):
    settings.CAPTURE_KEYS = [OLD]
    facebook = connect(library_account, "page-token-facebook")
    removed = connect(library_account, "page-token-instagram", kind="instagram", state=ConnectionState.REMOVED)
    public = Connection.objects.create(
        account=library_account, kind="mastodon", base_url="https://mastodon.social", external_id="1",
        created_by=facebook.created_by,
    )  # fmt: skip
    before = stored(facebook)

    settings.CAPTURE_KEYS = [NEW, OLD]  # the new key first, the old one kept
    assert crypto.decrypt(before) == "page-token-facebook"  # the old key still opens it
    assert "Re-encrypted 2 token(s)" in rotate()

    after = stored(facebook)
    assert after != before
    assert Fernet(NEW.encode()).decrypt(after.encode()) == b"page-token-facebook"
    assert Fernet(NEW.encode()).decrypt(stored(removed).encode()) == b"page-token-instagram"
    assert stored(public) == ""  # a public API's connection has no token

    settings.CAPTURE_KEYS = [NEW]  # the old key dropped: the rotated tokens still open
    assert crypto.decrypt(stored(facebook)) == "page-token-facebook"
    with pytest.raises(crypto.TokenUnreadable):
        crypto.decrypt(before)  # what was encrypted with the old key alone does not


@pytest.mark.django_db
def test_a_token_no_key_opens_is_named_and_left_as_it_is(settings, library_account, social_account):
    settings.CAPTURE_KEYS = [OLD]
    lost = connect(library_account, "lost-token")
    settings.CAPTURE_KEYS = [NEW]
    kept = connect(social_account, "kept-token")
    lost_before = stored(lost)

    with pytest.raises(CommandError, match=f"connection\\(s\\) {lost.pk}:"):
        rotate()

    assert stored(lost) == lost_before
    assert crypto.decrypt(stored(kept)) == "kept-token"


@pytest.mark.django_db
def test_rotating_twice_changes_nothing_it_should_not(settings, library_account):
    settings.CAPTURE_KEYS = [NEW, OLD]
    connection = connect(library_account, "page-token")
    rotate()
    rotate()
    assert crypto.decrypt(stored(connection)) == "page-token"
