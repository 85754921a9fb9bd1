"""Re-encrypt every connection's token with the first key of PORTAL_CAPTURE_KEYS (capture/crypto.py).

Rotating a key: put the new key first in PORTAL_CAPTURE_KEYS and keep the old one after it, restart,
run `manage.py rotate_capture_keys`, then drop the old key (README, "Capturing the platforms"). Until
it is dropped the old key still decrypts, so the capture never stops while the command runs. Run
twice, it re-encrypts again and changes nothing else. A token that no configured key opens (its key
was dropped too early) is named and left as it is; the command then fails, so that a deploy notices.
"""

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from capture import crypto
from capture.models import Connection


class Command(BaseCommand):
    help = "Re-encrypts every platform connection's token with the first key of PORTAL_CAPTURE_KEYS."

    def handle(self, *args, **options):
        rotated, unreadable = 0, []
        pks = list(Connection.objects.exclude(token_encrypted="").order_by("pk").values_list("pk", flat=True))
        for pk in pks:
            # One row at a time, locked: a connection saved with a new token meanwhile is not overwritten.
            with transaction.atomic():
                stored = Connection.objects.select_for_update().filter(pk=pk).values_list("token_encrypted", flat=True)
                stored = stored.first()
                if not stored:
                    continue
                try:
                    fresh = crypto.rotate(stored)
                except (InvalidToken, crypto.TokenUnreadable):
                    unreadable.append(pk)
                    continue
                # update(): the token stays out of the audit trail (capture/apps.py), even encrypted.
                Connection.objects.filter(pk=pk).update(token_encrypted=fresh)
                rotated += 1
        self.stdout.write(f"Re-encrypted {rotated} token(s) with the first key of PORTAL_CAPTURE_KEYS.")
        if unreadable:
            raise CommandError(
                f"No key in PORTAL_CAPTURE_KEYS opens the token of connection(s) {', '.join(map(str, unreadable))}: "
                "put their old key back, or give those connections a new token."
            )
