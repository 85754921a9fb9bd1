from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.cache import cc_delim_re, patch_vary_headers

from accounts import rules
from accounts.access import mfa_redirect


class AdminRequiresMFAMiddleware:
    """The admin reaches everything, so with COMMS_REQUIRE_MFA on no privileged user enters it
    without having passed two-factor authentication in this session: they are sent to activate it,
    or to give its code, first (accounts/rules.py, needs_mfa_step)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(reverse("admin:index")) and rules.needs_mfa_step(request.user):
            return mfa_redirect(request)
        return self.get_response(request)


def portal_language(request) -> str:
    """The language of the portal for this request: the one picked with the switch (the language
    cookie), otherwise Swedish."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class PortalLocaleMiddleware:
    """The portal speaks Swedish unless the user picked English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language header, which shows a
    municipal employee with an English-language browser an English portal they never asked for.
    Only the language cookie (set by the switch in the header) changes the language here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = portal_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])  # the language cookie decides the page
        return response


class SignedInNotStoredMiddleware:
    """Nothing a signed-in person was shown is kept by the browser or by a proxy: staff share
    computers, and neither the back button nor the browser's cache may show the next person the
    last one's pages. Every response to a signed-in user says `Cache-Control: private, no-store`,
    whatever the view said (the public list's `max-age`, the open data's `public`); what else it
    asked for (`no-cache`, `must-revalidate`) stays."""

    REPLACED = {"public", "private", "no-store", "max-age", "s-maxage"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self._signed_in(request):
            kept = [
                directive
                for directive in cc_delim_re.split(response.get("Cache-Control", ""))
                if directive and directive.split("=", 1)[0].strip().lower() not in self.REPLACED
            ]
            response["Cache-Control"] = ", ".join(["private", "no-store", *kept])
        return response

    @staticmethod
    def _signed_in(request) -> bool:
        # Without a session key nobody is signed in; asking the user then would read the session
        # and add `Vary: Cookie` to what anonymous visitors get (the open data).
        session = getattr(request, "session", None)
        return session is not None and session.session_key is not None and request.user.is_authenticated
