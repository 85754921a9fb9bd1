"""Who may do what in the SoMe council (R17, R24)."""

import rules

from accounts.rules import is_comms, is_staff_member, manages_unit

# Comms convenes and drives the council (R17): plans, publishes, moves and cancels meetings,
# records attendance and the minutes.
rules.add_perm("council.manage", is_comms)
# Every staff member may read the council's page, meetings and minutes.
rules.add_perm("council.view", is_staff_member)


@rules.predicate
def is_invitee(user, invitation):
    """R24: taking part is each editor's own; nobody answers an invitation on another's behalf.
    The services and views ask this predicate itself, not has_perm("council.respond"): has_perm
    grants a superuser everything."""
    return invitation is not None and user.is_authenticated and invitation.user_id == user.pk


rules.add_perm("council.respond", is_invitee)  # obj: the invitation


@rules.predicate
def is_that_person(user, person):
    return person is not None and user.is_authenticated and person.pk == user.pk


@rules.predicate
def manages_person(user, person):
    """A manager of the person's unit or of a unit above it."""
    return person is not None and manages_unit(user, person.unit)


# R24: how often one person came to the council is theirs, their manager's and comms' to see, not
# every colleague's (obj: the person).
rules.add_perm("council.view_attendance", is_that_person | manages_person | is_comms)
