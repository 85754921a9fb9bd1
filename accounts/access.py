"""View-side access control: every view states what it needs, and objects are fetched for the
user asking. The rules themselves live in accounts/rules.py."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from . import rules


def mfa_redirect(request):
    """Send a comms member who lacks required MFA to activate it, with a message."""
    messages.warning(request, _("Activate two-factor authentication to use the communications department's pages."))
    return redirect("mfa_activate_totp")


def comms_required(view):
    """Comms pages. A comms member who still lacks required MFA is sent to activate it;
    anyone else gets 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if rules.comms_lacks_mfa(request.user):
            return mfa_redirect(request)
        if not request.user.has_perm("portal.comms"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def get_object_for_user(request, queryset, perm, **lookup):
    """The object, if this user may `perm` it: 404 when it does not exist, 403 when it does but
    the user may not. A comms member lacking MFA gets the same 403 (views that are comms-only use
    comms_required, which sends them to activate it)."""
    obj = get_object_or_404(queryset, **lookup)
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied
    return obj
