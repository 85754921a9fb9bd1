"""Trainings (utbildning, R14): the communications department trains the editors who will run an
account when it starts, and trains communicators and editors in social media. Each training given
is recorded here by comms, for the editor's record. Every editor has one recorded before their
first mandate takes effect (Mandate.objects.active_on): recording it is what starts their rights."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from falkoping_some.lib.errors import DomainError

from ..models import Mandate, Training, TrainingKind, User


def record_training(actor, trainee, kind, date, trainer=None, account=None, note="") -> Training:
    """R14: record that `trainee` had a training of `kind` on `date`, given by `trainer` (by
    default the comms member who records it). A start-up training names its new account."""
    if not actor.has_perm("training.record"):
        raise PermissionDenied
    if kind not in TrainingKind.values:
        raise DomainError(_("Choose the kind of training."))
    if kind == TrainingKind.STARTUP and account is None:
        raise DomainError(_("A start-up training is for one account: choose it."))
    if date > timezone.localdate():
        raise DomainError(_("A training cannot be recorded for a day that has not come yet."))
    with transaction.atomic():
        return Training.objects.create(
            trainee=trainee,
            trainer=trainer or actor,
            kind=kind,
            account=account,
            date=date,
            note=(note or "").strip(),
            recorded_by=actor,
        )


# The review queue lists at most this many people awaiting training, with the total.
UNTRAINED_SHOWN = 50


def untrained_editors(unit=None, limit=UNTRAINED_SHOWN):
    """R14: the people whose mandate waits for their training in social media (not revoked, not
    ended, no training recorded), by name, each with those mandates (`waiting`); `unit` narrows
    them to the accounts of that unit and the units below it. Returns (people, how many in all)."""
    waiting = Mandate.objects.awaiting_training().select_related("account").order_by("valid_from", "pk")
    if unit is not None:
        waiting = waiting.filter(account__unit__path__startswith=unit.path)
    people = (
        User.objects.filter(Exists(waiting.filter(user=OuterRef("pk"))))
        .select_related("unit")
        .order_by("first_name", "last_name", "email", "pk")
    )
    shown = list(people[:limit])
    by_person = {person.pk: person for person in shown}
    for person in shown:
        person.waiting = []
    for mandate in waiting.filter(user__in=shown):
        by_person[mandate.user_id].waiting.append(mandate)
    return shown, people.count() if len(shown) == limit else len(shown)
