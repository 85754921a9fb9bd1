"""Who may do what: the one place that answers "may this user do X to this object".

Roles come from data (DESIGN.md): comms is membership of the comms group (with MFA passed when
COMMS_REQUIRE_MFA is on), a manager is listed on an org unit (and manages every unit below it),
an editor holds a mandate in force today (R10). Views, templates and tests all ask
`user.has_perm("account.edit", account)`; django-rules evaluates the predicates below.

Permission names are deliberately not Django model permissions (`app.change_model`): those are
granted by groups through ModelBackend. While a privileged user still needs the MFA step
(needs_mfa_step), User.has_perm answers from these rules alone: no superuser's everything, no
group's model permissions (accounts/models.py).
"""

import rules
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.utils import timezone


def _cached(user, name, compute):
    """Role facts are asked many times per request; remember them on the user object."""
    cache = user.__dict__.setdefault("_portal_roles", {})
    if name not in cache:
        cache[name] = compute()
    return cache[name]


def in_comms_group(user) -> bool:
    if not user.is_authenticated:
        return False
    return _cached(user, "comms_group", lambda: user.groups.filter(name=settings.COMMS_GROUP_NAME).exists())


def has_mfa(user) -> bool:
    return user.is_authenticated and _cached(user, "mfa", lambda: is_mfa_enabled(user, types=["totp"]))


def is_privileged(user) -> bool:
    """Superusers, staff (the admin's flag) and comms: whoever can reach more than their own work."""
    return user.is_authenticated and (user.is_superuser or user.is_staff or in_comms_group(user))


def passed_mfa(user) -> bool:
    """MFA (TOTP) is active and, in a request of the user's own, was passed in this session.

    allauth records each step of a sign-in in the session; a step of method "mfa" is the portal's
    code, at sign-in or asked again (allauth's mfa_reauthenticate), or the identity provider's MFA
    as its ID token asserts it (accounts/adapters.py). allauth's AccountMiddleware makes the request
    known here. Outside a request of theirs (a task, a command) there is no session: the request
    that started the work was checked, and MFA active is what counts.
    """
    if not has_mfa(user):
        return False
    request = context.request
    signed_in = getattr(request, "user", None)
    if signed_in is None or not signed_in.is_authenticated or signed_in.pk != user.pk:
        return True
    return any(step.get("method") == "mfa" for step in get_authentication_records(request, user))


def needs_mfa_step(user) -> bool:
    """A privileged user who must activate MFA, or pass it in this session, before any privileged
    page or action (COMMS_REQUIRE_MFA, on unless in the demo). Until then they are what their
    other roles make them: an employee, a manager, an editor."""
    return settings.COMMS_REQUIRE_MFA and is_privileged(user) and not passed_mfa(user)


def managed_paths(user) -> tuple[str, ...]:
    """The tree paths of the units this user manages (each covers its whole subtree)."""
    if not user.is_authenticated:
        return ()
    return _cached(user, "managed_paths", lambda: tuple(user.managed_units.values_list("path", flat=True)))


def mandate_account_ids(user) -> frozenset[int]:
    """Accounts for which this user holds a mandate in force today (R10)."""
    if not user.is_authenticated:
        return frozenset()
    return _cached(
        user,
        "mandates",
        lambda: frozenset(user.mandates.active_on(timezone.localdate()).values_list("account_id", flat=True)),
    )


@rules.predicate
def is_staff_member(user):
    return user.is_authenticated and user.is_active


@rules.predicate
def is_comms(user):
    return is_staff_member(user) and in_comms_group(user) and not needs_mfa_step(user)


@rules.predicate
def is_manager(user):
    return bool(managed_paths(user))


@rules.predicate
def is_editor(user):
    return bool(mandate_account_ids(user))


@rules.predicate
def manages_unit(user, unit):
    return unit is not None and any(unit.path.startswith(p) for p in managed_paths(user))


@rules.predicate
def manages_account(user, account):
    return account is not None and manages_unit(user, account.unit)


@rules.predicate
def edits_account(user, account):
    """R10: the user holds a mandate for this account in force today."""
    return account is not None and account.pk in mandate_account_ids(user)


# The account registry (R12, R13, R16).
rules.add_perm("account.list", is_staff_member)
rules.add_perm("account.view", is_staff_member)
rules.add_perm("account.edit", is_comms)
# Comms pages (review queue, registry administration) and the comms dashboard.
rules.add_perm("portal.comms", is_comms)

# The lifecycle of an account (R11, R13, R14, R15), mandates (R10) and trainings (R14).
rules.add_perm("account.request", is_staff_member)
rules.add_perm("account.decide_as_manager", manages_account)
rules.add_perm("account.decide_as_comms", is_comms)
rules.add_perm("account.activate", is_comms)
rules.add_perm("account.close", is_comms)
rules.add_perm("account.audit", is_comms)
rules.add_perm("mandate.list", is_manager | is_comms)
rules.add_perm("mandate.grant", manages_account | is_comms)  # obj: the account


@rules.predicate
def manages_mandate(user, mandate):
    return mandate is not None and manages_account(user, mandate.account)


rules.add_perm("mandate.revoke", manages_mandate | is_comms)  # obj: the mandate
rules.add_perm("training.record", is_comms)
rules.add_perm("person.view", is_staff_member)

# Weekly activity (R19) and the review queue of the scheduled checks (R6, R15, R19).
rules.add_perm("activity.log", edits_account)  # obj: the account; R10: only with a mandate in force today
rules.add_perm("activity.import", is_comms)
rules.add_perm("flag.review", is_comms)

# Public records (R3), retention and disposal (R25), the yearly self-check (R4, R5, R7–R9).
rules.add_perm("records.export", is_comms)
rules.add_perm("records.dispose", is_comms)
rules.add_perm("selfcheck.answer", edits_account)  # obj: the account; its editors answer it
rules.add_perm("selfcheck.view", edits_account | manages_account | is_comms)  # obj: the account

# R10: comms registers a mandate on behalf of the editor's own manager, naming them (obj: the account).
rules.add_perm("mandate.grant_on_behalf", is_comms)
