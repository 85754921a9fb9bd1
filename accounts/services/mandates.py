"""Mandates (uppdrag, R10): an employee works with the municipality's social media only with a
mandate from their manager. The editor's own manager (a manager of their unit or of a unit above
it) who also answers for the account grants it, or the communications department registers it on
that manager's behalf, naming them; for one account, from a day and optionally until one. It may
be revoked at any time with a reason; the editor's rights end at once (rules.edits_account asks
Mandate.objects.active_on(today)). They begin once the editor's training in social media is
recorded (R14): until then the mandate is "awaiting training".

Permission is refused with PermissionDenied (the view answers 403), a refused state with
DomainError (the view shows its message).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from falkoping_some.lib.errors import DomainError

from ..models import AccountStatus, Mandate, SocialAccount, User
from ..notifications import notify
from ..rules import manages_unit

# A closed account's mandates ended with it (R15); a rejected request never became an account.
NO_MANDATES_FOR = (AccountStatus.CLOSED, AccountStatus.REJECTED)


def overlapping(mandates, valid_from, valid_until):
    """Mandates not revoked that are in force on at least one day of [valid_from, valid_until]
    (an open end runs for ever)."""
    mandates = mandates.filter(revoked_at__isnull=True).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from)
    )
    return mandates if valid_until is None else mandates.filter(valid_from__lte=valid_until)


def revocable(mandate, today) -> bool:
    """Not revoked and not ended: in force today, or starting later."""
    return mandate.revoked_at is None and (mandate.valid_until is None or mandate.valid_until >= today)


def describe_period(mandate) -> str:
    """The mandate's period in words: from 2026-03-02 until 2026-06-30, or until further notice."""
    start = formats.date_format(mandate.valid_from, "SHORT_DATE_FORMAT")
    if mandate.valid_until is None:
        return _("from %(start)s until further notice") % {"start": start}
    end = formats.date_format(mandate.valid_until, "SHORT_DATE_FORMAT")
    return _("from %(start)s until %(end)s") % {"start": start, "end": end}


def managers_of(user):
    """R10: who may give `user` a mandate: the active managers of their unit and of every unit
    above it, never the user themselves."""
    if user.unit_id is None:
        return User.objects.none()
    return (
        User.objects.filter(managed_units__in=user.unit.ancestor_ids(), is_active=True)
        .exclude(pk=user.pk)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def _giver(actor, user, on_behalf_of):
    """R10: the manager who gives `user` the mandate: the actor, or the manager comms names."""
    if on_behalf_of is not None and on_behalf_of.pk != actor.pk:
        if not actor.has_perm("mandate.grant_on_behalf"):
            raise DomainError(_("Only the communications department registers a mandate on a manager's behalf (R10)."))
        giver = on_behalf_of
    else:
        giver = actor
    if user.pk == giver.pk:
        # R10: the mandate comes from one's manager (the database refuses it too).
        raise DomainError(_("Nobody can grant a mandate to themselves. Your own manager grants yours (R10)."))
    if user.unit_id is None:
        raise DomainError(
            _("%(user)s belongs to no unit, so no manager of theirs can give the mandate (R10). Add them to one first.")
            % {"user": user}
        )
    if giver.is_active and manages_unit(giver, user.unit):
        return giver
    if giver.pk == actor.pk and actor.has_perm("mandate.grant_on_behalf"):
        raise DomainError(
            _("Name the manager of %(user)s on whose behalf you register the mandate (R10).") % {"user": user}
        )
    managers = ", ".join(str(manager) for manager in managers_of(user)) or _("nobody is named yet")
    raise DomainError(
        _(
            "A mandate is given by the editor's own manager: a manager of %(unit)s or of a unit above it "
            "(R10). %(giver)s is not. The managers of %(user)s: %(managers)s."
        )
        % {"unit": user.unit, "giver": giver, "user": user, "managers": managers}
    )


def grant_mandate(actor, account, user, valid_from, valid_until=None, on_behalf_of=None) -> Mandate:
    """R10: make `user` editor of `account` from `valid_from`, until `valid_until` or further notice.
    The mandate is given by the editor's own manager: the actor, or, when comms registers it,
    `on_behalf_of`. R14: it takes effect once the editor's training is recorded."""
    if not actor.has_perm("mandate.grant", account):
        raise PermissionDenied
    if user.pk == actor.pk:
        # R10: the mandate comes from one's manager (the database refuses it too).
        raise DomainError(_("Nobody can grant a mandate to themselves. Your own manager grants yours (R10)."))
    if not user.is_active:
        raise DomainError(_("%(user)s can no longer sign in to the portal: choose someone else.") % {"user": user})
    giver = _giver(actor, user, on_behalf_of)
    if valid_until is not None and valid_until < valid_from:
        raise DomainError(_("A mandate cannot end before it starts."))
    with transaction.atomic():
        # Locking the account makes two grants for it (and its closing) wait for each other, so
        # two overlapping mandates cannot both pass the check below.
        account = SocialAccount.objects.lock_unless(
            account, NO_MANDATES_FOR.__contains__, _("No mandate can be granted for an account that is “%(status)s”.")
        )
        existing = overlapping(Mandate.objects.filter(account=account, user=user), valid_from, valid_until).first()
        if existing is not None:
            raise DomainError(
                _(
                    "%(user)s already holds a mandate for this account %(period)s. "
                    "Revoke it first, or choose a period that does not overlap it."
                )
                % {"user": user, "period": describe_period(existing)}
            )
        mandate = Mandate.objects.create(
            user=user, account=account, valid_from=valid_from, valid_until=valid_until, granted_by=actor,
            on_behalf_of=giver if giver.pk != actor.pk else None,
        )  # fmt: skip
        notify([user], "mandate_granted", {"mandate": mandate, "url": reverse("accounts:person", args=[user.pk])})
    return mandate


def revoke_mandate(actor, mandate, reason) -> Mandate:
    """R10: end a mandate now, with the reason; the editor loses the account's rights at once."""
    if not actor.has_perm("mandate.revoke", mandate):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for revoking the mandate."))
    with transaction.atomic():
        mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
        if mandate.revoked_at is not None:
            raise DomainError(
                _("The mandate was already revoked by %(who)s on %(when)s.")
                % {
                    "who": mandate.revoked_by or _("someone"),
                    "when": formats.date_format(timezone.localtime(mandate.revoked_at), "SHORT_DATE_FORMAT"),
                }
            )
        if not revocable(mandate, timezone.localdate()):
            raise DomainError(_("The mandate has already ended: there is nothing to revoke."))
        mandate.revoked_at = timezone.now()
        mandate.revoked_by = actor
        mandate.revoke_reason = reason
        mandate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        notify(
            [mandate.user],
            "mandate_revoked",
            {"mandate": mandate, "url": reverse("accounts:person", args=[mandate.user_id])},
        )
    return mandate
