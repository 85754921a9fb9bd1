"""Who may do what with the platforms' record (R3)."""

import rules

from accounts.rules import edits_account, is_comms

# Comms connects accounts to their platforms, renews tokens and removes connections (obj: the account).
rules.add_perm("capture.connect", is_comms)
# The archive of an account: comments are citizens' personal data, so its editors (R10) and comms
# only (obj: the account).
rules.add_perm("capture.archive", edits_account | is_comms)
# Searching everything captured, across accounts.
rules.add_perm("capture.search", is_comms)
# Taking a snapshot of the account's profile now (R4, R5, R9): comms, who keeps the registry's
# description and answers for the accounts (R12) (obj: the account).
rules.add_perm("capture.snapshot", is_comms)
