from django.conf import settings

from accounts import rules


def portal(request):
    """What every page needs: demo mode, and whether a comms member must still activate MFA."""
    user = getattr(request, "user", None)
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "COMMS_REQUIRE_MFA": settings.COMMS_REQUIRE_MFA,
        "needs_mfa": bool(user and rules.comms_lacks_mfa(user)),
    }
