from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import rules


class AdminRequiresMFAMiddleware:
    """The admin reaches everything, so with COMMS_REQUIRE_MFA on nobody enters it without
    two-step verification: a staff user without it is sent to activate it first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.COMMS_REQUIRE_MFA
            and user.is_authenticated
            and user.is_staff
            and request.path.startswith(reverse("admin:index"))
            and not rules.has_mfa(user)
        ):
            messages.warning(request, _("Activate two-step verification before you use the administration."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)
