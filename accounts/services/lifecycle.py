"""An account's life: requested by an employee, approved by the unit's manager and then by the
communications department (R11), created on the platform and activated by comms with its first
editor trained (R13, R14), closed by comms on request or for inactivity (R15).

Each step is one AccountDecision. Two people deciding the same step at once: the account row is
locked (select_for_update), so the second waits, then finds the step taken and is refused; the
database's one-decision-per-step constraint backs that up. R11's two approvals are two different
people's, neither of them the requester's (separation of duties): refused here with the reason,
and by the database's constraint decision_r11_different_people.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from falkoping_some.lib.errors import DomainError

from ..closing import requirements
from ..models import (
    AccountDecision,
    AccountStatus,
    ClosingReason,
    DecisionOutcome,
    DecisionRole,
    DecisionStep,
    Mandate,
    SocialAccount,
    Training,
    TrainingKind,
)
from ..notifications import notify
from ..rules import managed_paths

User = get_user_model()

# What a request carries (R2, R4, R5, R11); the rest of the account is filled in by comms.
REQUEST_FIELDS = (
    "platform", "platform_other", "name", "purposes", "target_audience", "justification",
    "graphic_profile", "special_profile_reference", "description",
)  # fmt: skip


def _comms_members():
    return User.objects.filter(groups__name=settings.COMMS_GROUP_NAME, is_active=True)


def _locked(account: SocialAccount, expected: str, step_label: str) -> SocialAccount:
    """The account, locked for this transaction, refused unless it is still in `expected`."""
    locked = SocialAccount.objects.select_for_update().get(pk=account.pk)
    if locked.status != expected:
        taken = locked.decisions.exclude(step=DecisionStep.REQUEST).order_by("-decided_at").first()
        if taken:
            raise DomainError(
                _("%(step)s is not possible: the account is already “%(status)s” (%(who)s, %(when)s).")
                % {
                    "step": step_label,
                    "status": locked.get_status_display(),
                    "who": taken.actor,
                    "when": formats.date_format(timezone.localtime(taken.decided_at), "SHORT_DATETIME_FORMAT"),
                }
            )
        raise DomainError(
            _("%(step)s is not possible while the account is “%(status)s”.")
            % {"step": step_label, "status": locked.get_status_display()}
        )
    return locked


# R11: the steps of a request that must each be a different person's.
SEPARATE_STEPS = (DecisionStep.REQUEST, DecisionStep.MANAGER, DecisionStep.COMMS)


def separation_refusal(user, account) -> str | None:
    """R11: why `user` may not take the next decision on this request, if they already took a step
    of it (they requested it, or gave the manager's approval); None when nothing stands in the way.
    A person who is both a manager and in comms gives one of the two approvals only."""
    taken = set(account.decisions.filter(actor=user, step__in=SEPARATE_STEPS).values_list("step", flat=True))
    if not taken and account.requested_by_id != user.pk:
        return None
    if DecisionStep.MANAGER in taken:
        return _(
            "You gave the manager's approval of this request. R11 wants two approvals given by two different "
            "people: another member of the communications department decides."
        )
    return _(
        "You requested this account yourself. R11 wants it approved by two other people, the manager and the "
        "communications department: someone else decides."
    )


def _decide(account, step, outcome, actor, role, comment="") -> AccountDecision:
    try:
        with transaction.atomic():
            return AccountDecision.objects.create(
                account=account, step=step, outcome=outcome, actor=actor, role=role, comment=comment.strip()
            )
    except IntegrityError as error:  # the constraint: this step was taken in the meantime
        raise DomainError(_("Someone else took this step at the same moment. Reload the page.")) from error


def _deciding_managers(unit, requester) -> list:
    """The managers who decide a request first (R11): those who answer for the unit, other than the
    requester; a manager who requested for their own unit leaves it to the nearest unit above
    with another manager."""
    for unit_id in unit.ancestor_ids():
        managers = list(User.objects.filter(managed_units=unit_id, is_active=True).exclude(pk=requester.pk))
        if managers:
            return managers
    return []


def request_account(actor, data: dict, proposed_editors=()) -> SocialAccount:
    """R11: any employee asks for a new account for their own unit."""
    if not actor.has_perm("account.request"):
        raise PermissionDenied
    if actor.unit_id is None:
        raise DomainError(
            _("You belong to no unit in the portal. Ask the communications department to add you to one.")
        )
    with transaction.atomic():
        account = SocialAccount(
            unit=actor.unit, status=AccountStatus.REQUESTED, requested_by=actor,
            **{field: data[field] for field in REQUEST_FIELDS if field in data},
        )  # fmt: skip
        account.full_clean()
        account.save()
        account.proposed_editors.set(proposed_editors)
        _decide(account, DecisionStep.REQUEST, DecisionOutcome.DONE, actor, DecisionRole.EMPLOYEE)
        notify(
            _deciding_managers(account.unit, actor),
            "account_requested",
            {"account": account, "requested_by": actor, "url": account.get_absolute_url()},
        )
    return account


def _decide_request(actor, account, approve, comment, *, perm, expected, step, label, role, approved_status):
    """One of R11's two approvals: the account locked, the step recorded once, the status moved on,
    and the requester told."""
    if not actor.has_perm(perm, account):
        raise PermissionDenied
    if not approve and not comment.strip():
        raise DomainError(_("Say why the request is rejected: the requester reads it."))
    with transaction.atomic():
        account = _locked(account, expected, label)
        refusal = separation_refusal(actor, account)  # R11, under the account's lock
        if refusal:
            raise DomainError(refusal)
        outcome = DecisionOutcome.APPROVED if approve else DecisionOutcome.REJECTED
        decision = _decide(account, step, outcome, actor, role, comment)
        account.status = approved_status if approve else AccountStatus.REJECTED
        account.save(update_fields=["status"])
        context = {"account": account, "decision": decision, "url": account.get_absolute_url()}
        if approve and step == DecisionStep.MANAGER:
            notify(_comms_members(), "account_manager_approved", context)
        notify([account.requested_by] if account.requested_by else [], "account_decided", context)
    return decision


def manager_decide(actor, account, approve: bool, comment: str = "") -> AccountDecision:
    """R11, first step: a manager of the account's unit approves or rejects the request; an
    approval goes on to the communications department."""
    return _decide_request(
        actor, account, approve, comment, perm="account.decide_as_manager", expected=AccountStatus.REQUESTED,
        step=DecisionStep.MANAGER, label=_("The manager's decision"), role=DecisionRole.MANAGER,
        approved_status=AccountStatus.MANAGER_APPROVED,
    )  # fmt: skip


def comms_decide(actor, account, approve: bool, comment: str = "") -> AccountDecision:
    """R11, second step: the communications department approves or rejects."""
    return _decide_request(
        actor, account, approve, comment, perm="account.decide_as_comms", expected=AccountStatus.MANAGER_APPROVED,
        step=DecisionStep.COMMS, label=_("The communications department's decision"),
        role=DecisionRole.COMMS, approved_status=AccountStatus.APPROVED,
    )  # fmt: skip


def has_startup_training(user, account) -> bool:
    return Training.objects.filter(trainee=user, account=account, kind=TrainingKind.STARTUP).exists()


def activate_account(
    actor, account, *, handle: str, url: str, login_holders, first_editor, record_training_on=None, comment: str = ""
) -> AccountDecision:
    """R13: comms has created the account on the platform and holds its login or admin rights;
    R14: its first editor holds a mandate and has had the start-up training, or comms records that
    training now (`record_training_on`, a date)."""
    if not actor.has_perm("account.activate", account):
        raise PermissionDenied
    today = timezone.localdate()
    with transaction.atomic():
        account = _locked(account, AccountStatus.APPROVED, _("Activation"))
        login_holders = list(login_holders)
        if not login_holders:
            raise DomainError(_("Name who in the communications department holds the login or admin rights (R13)."))
        # Granted for today; it takes effect with the training (R14), which may be recorded below.
        if not Mandate.objects.valid_on(today).filter(account=account, user=first_editor).exists():
            raise DomainError(
                _("%(editor)s has no mandate for this account today. A manager grants it first (R10).")
                % {"editor": first_editor}
            )
        if record_training_on:
            if record_training_on > today:
                raise DomainError(_("A training cannot be recorded for a day that has not come yet."))
            Training.objects.create(
                trainee=first_editor, trainer=actor, kind=TrainingKind.STARTUP, account=account,
                date=record_training_on, recorded_by=actor,
            )  # fmt: skip
        elif not has_startup_training(first_editor, account):
            raise DomainError(
                _(
                    "%(editor)s has not had the start-up training for this account (R14). "
                    "Record it now, or train them first."
                )
                % {"editor": first_editor}
            )
        account.handle = handle.strip()
        account.url = url.strip()
        account.status = AccountStatus.ACTIVE
        account.activated_on = today
        try:
            account.full_clean(exclude=["purposes"])
        except ValidationError as error:  # e.g. the address is another live account's (R12)
            raise DomainError(" ".join(error.messages)) from error
        account.save()
        account.login_holders.set(login_holders)
        decision = _decide(account, DecisionStep.ACTIVATION, DecisionOutcome.DONE, actor, DecisionRole.COMMS, comment)
        editors = User.objects.filter(pk__in=Mandate.objects.active_on(today).filter(account=account).values("user"))
        recipients = {*editors, *([account.requested_by] if account.requested_by else [])}
        notify(recipients, "account_activated", {"account": account, "url": account.get_absolute_url()})
    return decision


def close_account(actor, account, reason: str, note: str = "", *, waiver: str = "") -> AccountDecision:
    """R15: comms closes an account on the unit's request or when it has been inactive for more
    than six months. It leaves the public list (R16); its records stay (R3). Its mandates end:
    each one in force or still to start is revoked with its own save, so that the audit trail
    records every one of them (who, when, why).

    Nothing is closed unarchived (issue 19, R3, R25): while a closing requirement is unmet (the
    final archive, accounts/closing.py), the closing is refused unless comms gives `waiver`, why the
    account is closed without it (the platform account is already gone, say). The waiver is kept on
    the account and in the closing decision; a met requirement's message goes into the decision."""
    if not actor.has_perm("account.close", account):
        raise PermissionDenied
    if reason not in ClosingReason.values:
        raise DomainError(_("Choose why the account is closed."))
    if reason == ClosingReason.OTHER and not note.strip():
        raise DomainError(_("Describe the reason when it is “Other”."))
    waiver = waiver.strip()
    now = timezone.now()
    with transaction.atomic():
        account = _locked(account, AccountStatus.ACTIVE, _("Closing"))
        # Read under the account's lock: what the close page showed may have changed since.
        found = requirements(account)
        unmet = [requirement for requirement in found if not requirement.met]
        if unmet and not waiver:
            raise DomainError(
                _(
                    "The account was not closed: %(missing)s Run the final archive first, or write why the "
                    "account is closed without it."
                )
                % {"missing": " ".join(requirement.message for requirement in unmet)}
            )
        account.status = AccountStatus.CLOSED
        account.closed_on = timezone.localdate()
        account.closing_reason = reason
        account.closing_note = note.strip()
        account.closed_unarchived_reason = waiver if unmet else ""
        account.save(
            update_fields=["status", "closed_on", "closing_reason", "closing_note", "closed_unarchived_reason"]
        )
        comment = [f"{account.get_closing_reason_display()}. {note.strip()}".strip()]
        if unmet:
            comment.append(_("Closed without the final archive: %(reason)s") % {"reason": waiver})
        else:
            comment.extend(requirement.message for requirement in found)
        decision = _decide(
            account, DecisionStep.CLOSING, DecisionOutcome.DONE, actor, DecisionRole.COMMS, "\n".join(comment)
        )
        today = timezone.localdate()
        # Those awaiting training (R14) or starting later end too; ended ones stay as they were.
        ending = Mandate.objects.filter(account=account, revoked_at__isnull=True).exclude(valid_until__lt=today)
        editors = list(User.objects.filter(pk__in=ending.values("user")))
        for mandate in ending.select_for_update().order_by("pk"):
            mandate.revoked_at = now
            mandate.revoked_by = actor
            mandate.revoke_reason = _("The account was closed.")
            mandate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        notify(
            {*editors, *account.unit.responsible_managers()},
            "account_closed",
            {"account": account, "decision": decision, "url": account.get_absolute_url()},
        )
    return decision


def pending_for(user):
    """Requests waiting for this user's decision: managers see their units' requests, comms
    those approved by a manager and those approved but not yet activated."""
    waiting = SocialAccount.objects.none()
    # R11: a request this user already took a step of waits for someone else.
    took_a_step = Exists(AccountDecision.objects.filter(account=OuterRef("pk"), actor=user.pk, step__in=SEPARATE_STEPS))
    if user.has_perm("account.decide_as_comms"):
        waiting = SocialAccount.objects.filter(status=AccountStatus.MANAGER_APPROVED).exclude(
            took_a_step
        ) | SocialAccount.objects.filter(status=AccountStatus.APPROVED)
    if managed_paths(user):
        units = user.managed_units.all()
        waiting = waiting | SocialAccount.objects.for_units(units).filter(status=AccountStatus.REQUESTED).exclude(
            took_a_step
        )
    return waiting.select_related("unit", "requested_by").order_by("created_at")
