"""View-side access control for the roles of accounts/rules.py: comms' pages and the MFA step.
Objects are fetched for the user asking with falkoping_some.lib.access.get_object_for_user."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import rules


def mfa_redirect(request):
    """Send a privileged user who still needs the MFA step (rules.needs_mfa_step) to activate MFA,
    or, when it is active, to give its code (allauth's mfa_reauthenticate), then back to the page."""
    if not rules.has_mfa(request.user):
        messages.warning(request, _("Activate two-factor authentication to use the pages of your role."))
        return redirect("mfa_activate_totp")
    messages.warning(request, _("Give the code from your authenticator app to use the pages of your role."))
    url = reverse("mfa_reauthenticate")
    if request.method == "GET":
        url += "?" + urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
    return redirect(url)


def comms_required(view):
    """Comms pages. A privileged user who still needs the MFA step is sent to take it; anyone else
    gets 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if rules.needs_mfa_step(request.user):
            return mfa_redirect(request)
        if not request.user.has_perm("portal.comms"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
