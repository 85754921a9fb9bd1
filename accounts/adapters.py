from allauth.account.adapter import DefaultAccountAdapter


class PortalAccountAdapter(DefaultAccountAdapter):
    """Staff accounts are created by comms in the admin; nobody signs up on their own."""

    def is_open_for_signup(self, request):
        return False
