"""Who may do what in the SoMe council (R17, R24)."""

import rules

from accounts.rules import is_comms, is_staff_member

# Comms convenes and drives the council (R17): plans, publishes, moves and cancels meetings,
# records attendance and the minutes.
rules.add_perm("council.manage", is_comms)
# Every staff member may read the council's page, meetings and minutes.
rules.add_perm("council.view", is_staff_member)


@rules.predicate
def is_invitee(user, invitation):
    return invitation is not None and user.is_authenticated and invitation.user_id == user.pk


rules.add_perm("council.respond", is_invitee)  # obj: the invitation
