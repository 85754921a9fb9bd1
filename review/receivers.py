"""What review does when capture tells it something (capture/signals.py; connected in ReviewConfig.ready,
so that capture imports nothing of review: pyproject.toml's layers)."""

from django.db import transaction
from django.utils import timezone

from capture.models import Connection
from review.models import FlagKind, ReviewFlag
from review.scheduled_checks import align_connection_flags, align_profile_flags, notify_comms_of_connection_flags


def connection_stopped(sender, connection: Connection, **kwargs):
    """The platform refused a connection's token or no longer knows its account (R3): raise the
    CONNECTION_BROKEN flag of its account at once, as the next check would (a standing dismissal
    holds), and tell comms now, not at the next check."""
    with transaction.atomic():
        align_connection_flags([connection.account_id], today=timezone.localdate())
        flag = ReviewFlag(
            account=connection.account,
            kind=FlagKind.CONNECTION_BROKEN,
            evidence={
                "connections": [
                    {
                        "connection": connection.pk,
                        "connector": connection.kind,
                        "name": connection.external_name or connection.external_id,
                        "error": connection.last_error,
                    }
                ]
            },
        )
        notify_comms_of_connection_flags([flag])


def profile_snapshot_taken(sender, snapshot, **kwargs):
    """R5: a new profile snapshot is compared with the registry's description at once, for its
    account only: a difference raises the flag, agreement again resolves it."""
    with transaction.atomic():
        align_profile_flags([snapshot.account_id])
