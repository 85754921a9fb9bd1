"""How staff sign in: allauth's adapters and forms, bent to the portal's rules.

- Nobody signs up: comms creates staff users in the admin.
- Single sign-on (OpenID Connect, README "Signing in") matches a person by a VERIFIED email address to
  an existing active user, connects the identity to that user, and refuses everyone else with a
  message to contact comms. It never creates a user. The portal's own two-factor step still follows
  for those who have it (allauth's MFA stage runs after every kind of sign-in), unless the provider
  asserts its own in the ID token's `amr` claim (OIDC_MFA_AMR_VALUES): that is then this session's
  second step, which privileged users need (accounts/rules.py, passed_mfa).
- Comms may turn sign-in with a password off (SignInPolicy); password reset is off with it.
"""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.forms import LoginForm, ResetPasswordForm, ResetPasswordKeyForm
from allauth.account.internal.flows.login import record_authentication
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.stages import AuthenticateStage
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from .models import SignInPolicy, User

logger = logging.getLogger(__name__)

PASSWORD_SIGN_IN_OFF = _(
    "Sign-in with password is turned off. Sign in with the button for %(provider)s above, with the "
    "account you use at the municipality."
)
PASSWORD_RESET_OFF = _(
    "Password reset is turned off, as is sign-in with password: sign in with %(provider)s instead. "
    "Contact the communications department if you cannot."
)


MFA_STAGE = f"{AuthenticateStage.__module__}.{AuthenticateStage.__qualname__}"


class PortalAccountAdapter(DefaultAccountAdapter):
    """Staff accounts are created by comms in the admin; nobody signs up on their own."""

    def is_open_for_signup(self, request):
        return False

    def get_login_stages(self):
        return [PORTAL_MFA_STAGE if stage == MFA_STAGE else stage for stage in super().get_login_stages()]


def mfa_asserted_by_provider(sociallogin) -> list[str]:
    """The methods in the ID token's `amr` claim (RFC 8176: a list of the methods the person signed
    in with at the provider) that OIDC_MFA_AMR_VALUES accepts as a second factor; [] if none. Only
    the ID token's claim counts when there is an ID token: amr is an ID token claim (OIDC Core)."""
    data = sociallogin.account.extra_data or {}
    amr = (data.get("id_token") or identity_claims(sociallogin)).get("amr")
    if not isinstance(amr, list):
        return []
    return [method for method in amr if isinstance(method, str) and method in settings.OIDC_MFA_AMR_VALUES]


class PortalMFAStage(AuthenticateStage):
    """allauth's two-factor step at sign-in (the code from the app, for whoever has it active), not
    asked after single sign-on when the provider asserts its own second factor: that is recorded as
    this session's step ("mfa", of type "identity_provider") instead."""

    def handle(self):
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        methods = mfa_asserted_by_provider(sociallogin) if sociallogin is not None else []
        if not methods:
            return super().handle()
        record_authentication(
            self.request,
            self.login.user,
            "mfa",
            type="identity_provider",
            provider=sociallogin.account.provider,
            amr=methods,
        )
        return None, True


PORTAL_MFA_STAGE = f"{PortalMFAStage.__module__}.{PortalMFAStage.__qualname__}"


class Refusal:
    """Why a single sign-on was refused; each reason has its own page text (sso_refused.html)."""

    NO_EMAIL = "no_email"
    UNVERIFIED = "unverified"
    UNKNOWN = "unknown"
    INACTIVE = "inactive"
    OTHER_USER = "other_user"


def identity_claims(sociallogin) -> dict:
    """The claims about the person: the ID token's, overlaid with the userinfo endpoint's.

    allauth prefers userinfo and drops the ID token's claims when both are there, but Entra ID's
    userinfo lacks `preferred_username` and `upn`, which only its ID token carries.
    """
    data = sociallogin.account.extra_data or {}
    if "id_token" in data or "userinfo" in data:
        return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
    return dict(data)


def _is_true(value) -> bool:
    # Most providers send a JSON boolean; some (AWS Cognito among them) send the string "true".
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def verified_email(claims: dict) -> tuple[str | None, str | None]:
    """(the first verified address, the first address seen) from the claims in OIDC_EMAIL_CLAIMS.

    An address is verified when the provider says so (`email_verified: true`, which speaks for the
    `email` claim only), or when its domain is one of OIDC_TRUSTED_EMAIL_DOMAINS: domains verified
    in the municipality's own tenant, where only its IT department hands out addresses. An explicit
    `email_verified: false` is believed even then.
    """
    first_seen = None
    for claim in settings.OIDC_EMAIL_CLAIMS:
        value = claims.get(claim)
        if not isinstance(value, str) or "@" not in value:
            continue
        address = value.strip()
        first_seen = first_seen or address
        said_verified = claims.get("email_verified") if claim == "email" else None
        if claim == "email" and said_verified is not None and not _is_true(said_verified):
            continue
        if _is_true(said_verified):
            return address, first_seen
        if address.rsplit("@", 1)[1].lower() in settings.OIDC_TRUSTED_EMAIL_DOMAINS:
            return address, first_seen
    return None, first_seen


def _refuse(request, reason: str, email: str | None = None):
    logger.warning("Single sign-on refused (%s) for %s", reason, email or "no email address")
    response = render(
        request,
        "socialaccount/sso_refused.html",
        {
            "reason": reason,
            "email": email,
            "provider_name": settings.OIDC_PROVIDER_NAME,
            "contact_email": settings.COMMS_CONTACT_EMAIL,
        },
        status=403,
    )
    raise ImmediateHttpResponse(response)


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on for existing staff only: matched by verified email, never signed up."""

    def is_open_for_signup(self, request, sociallogin):
        return False

    def is_auto_signup_allowed(self, request, sociallogin):
        return False

    def pre_social_login(self, request, sociallogin):
        """Runs after the provider vouched for the person and before anyone is signed in."""
        connecting = sociallogin.state.get("process") == AuthProcess.CONNECT
        if sociallogin.is_existing:
            # Connected before: the provider's stable subject id decides, so a later change of
            # the address at the provider does not lock the person out.
            user = sociallogin.user
            if not user.is_active:
                _refuse(request, Refusal.INACTIVE, user.email)
            if connecting and user != request.user:
                _refuse(request, Refusal.OTHER_USER, user.email)
            return
        email, seen = verified_email(identity_claims(sociallogin))
        if email is None:
            _refuse(request, Refusal.UNVERIFIED if seen else Refusal.NO_EMAIL, seen)
        matches = list(User.objects.filter(email__iexact=email)[:2])
        if len(matches) != 1:
            # None, or (addresses differing only in case, made by hand) more than one: never guess.
            _refuse(request, Refusal.UNKNOWN, email)
        user = matches[0]
        if not user.is_active:
            _refuse(request, Refusal.INACTIVE, email)
        if connecting and user != request.user:
            _refuse(request, Refusal.OTHER_USER, email)
        logger.info("Single sign-on identity %s connected to %s", sociallogin.account.uid, user.email)
        sociallogin.connect(request, user)


def _provider_name():
    return {"provider": settings.OIDC_PROVIDER_NAME}


# allauth's Swedish spells "Epost-adress": these of its messages that staff meet at sign-in are in
# the portal's own catalogue too (which wins over allauth's), spelled "e-postadress".
ALLAUTH_MESSAGES = (
    gettext_noop("The email address and/or password you specified are not correct."),
    gettext_noop("The email address is not assigned to any user account."),
)


def _without_placeholder(form, name):
    """The field's label says what to type: a placeholder repeating it only vanishes on typing
    (and allauth's Swedish one was misspelled)."""
    if name in form.fields:
        form.fields[name].widget.attrs.pop("placeholder", None)


class PortalLoginForm(LoginForm):
    """allauth's sign-in form, closed when comms turned password sign-in off.

    Then a POST is refused before any password is checked, so the form tells nothing about a
    password. With the server's break-glass PORTAL_SUPERUSER_PASSWORD_SIGN_IN on, superusers get
    through; anyone else is told what a wrong password is told.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.password_sign_in_open = SignInPolicy.password_sign_in_open()
        self.superusers_only = not self.password_sign_in_open and settings.PORTAL_SUPERUSER_PASSWORD_SIGN_IN
        if not self.password_sign_in_open and "password" in self.fields:
            self.fields["password"].help_text = ""  # its link leads to the password reset, off too
        _without_placeholder(self, "login")
        _without_placeholder(self, "password")

    def clean(self):
        if self.password_sign_in_open:
            return super().clean()
        if not self.superusers_only:
            raise forms.ValidationError(PASSWORD_SIGN_IN_OFF, code="password_sign_in_off", params=_provider_name())
        cleaned_data = super().clean()
        if self.user is not None and not SignInPolicy.password_sign_in_open_to(self.user):
            self.user = None
            raise get_account_adapter(self.request).validation_error("email_password_mismatch")
        return cleaned_data


class PortalResetPasswordForm(ResetPasswordForm):
    """Asking for a reset link: refused while password sign-in is off."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.password_sign_in_open = SignInPolicy.password_sign_in_open()
        _without_placeholder(self, "email")

    def clean(self):
        if not self.password_sign_in_open:
            raise forms.ValidationError(PASSWORD_RESET_OFF, code="password_reset_off", params=_provider_name())
        return super().clean()


class PortalResetPasswordKeyForm(ResetPasswordKeyForm):
    """Setting a new password from a link mailed before password sign-in was turned off: refused."""

    def clean(self):
        if not SignInPolicy.password_sign_in_open():
            raise forms.ValidationError(PASSWORD_RESET_OFF, code="password_reset_off", params=_provider_name())
        return super().clean()
