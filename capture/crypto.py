"""Tokens at rest: encrypted with Fernet keys from the environment (PORTAL_CAPTURE_KEYS).

The first key encrypts; every key decrypts (MultiFernet), so keys rotate without downtime: put the
new key first, keep the old one after it, run `manage.py rotate_capture_keys` (re-encrypts every
token with the first key), then drop the old one (README, "Capturing the platforms"). In debug,
demo and test runs without the variable, a key is derived from SECRET_KEY; production refuses to
start without one (capture/checks.py).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class TokenUnreadable(Exception):
    """No configured key opens the stored token (a key was dropped before rotating)."""


def _keys() -> list[bytes]:
    keys = [key.strip().encode() for key in settings.CAPTURE_KEYS if key.strip()]
    if not keys:
        digest = hashlib.sha256(b"capture-token-key:" + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(digest)]
    return keys


def fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys()])


def encrypt(token: str) -> str:
    return fernet().encrypt(token.encode()).decode() if token else ""


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    try:
        return fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        raise TokenUnreadable("No key in PORTAL_CAPTURE_KEYS opens this token.") from None


def rotate(stored: str) -> str:
    return fernet().rotate(stored.encode()).decode() if stored else ""


def hint(token: str) -> str:
    """The last four characters, to tell tokens apart in the UI without showing one."""
    return token[-4:] if len(token) >= 12 else ""
