"""Who may do what with the public information."""

import rules

from accounts.rules import is_comms

# R16: comms keeps the public list, and so what the public page says about itself.
rules.add_perm("publicinfo.edit", is_comms)
