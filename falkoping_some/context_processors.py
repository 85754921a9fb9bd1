from django.conf import settings

from accounts import rules


def portal(request):
    """What every page needs: demo mode, whether a privileged user must still activate MFA
    ("activate") or give its code in this session ("confirm") before the pages of their role, and
    the messages a page shows beside what they are about instead of at the top (none, unless the
    page's view says: the start page's weekly activity)."""
    user = getattr(request, "user", None)
    needs_mfa = ""
    if user is not None and rules.needs_mfa_step(user):
        needs_mfa = "confirm" if rules.has_mfa(user) else "activate"
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "COMMS_REQUIRE_MFA": settings.COMMS_REQUIRE_MFA,
        "needs_mfa": needs_mfa,
        "messages_in_place": (),
    }
