"""Objects fetched for the user asking: every view that shows or changes one object goes through
here, so that a guessed URL gets the same answer as a forbidden one would from the page."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404


def get_object_for_user(request, queryset, perm, **lookup):
    """The object, if this user may `perm` it: 404 when it does not exist, 403 when it does but
    the user may not. A privileged user lacking the MFA step gets the same 403 (views that are
    comms-only use comms_required, which sends them to take it)."""
    obj = get_object_or_404(queryset, **lookup)
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied
    return obj
