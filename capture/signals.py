"""What capture tells the apps above it (review raises the flag and the notice to comms; capture
imports nothing of theirs, pyproject.toml's layers)."""

from django.dispatch import Signal

# A connection stopped because the platform refused its token or no longer knows the account.
# Sent with `connection` after the state is saved.
connection_stopped = Signal()

# A profile snapshot was stored (capture/profiles.py): review compares its description with the
# registry's (R5). Sent with `snapshot` once the transaction commits.
profile_snapshot_taken = Signal()

# A sync of a connection finished and committed what it captured (moderation finds the questions
# among the new comments and messages, R20). Sent with `connection` and `account`.
items_captured = Signal()
