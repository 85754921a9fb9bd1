"""Trainings (utbildning, R14): the communications department trains the editors who will run an
account when it starts, and trains communicators and editors in social media. Each training given
is recorded here by comms, for the editor's record."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Training, TrainingKind
from . import DomainError


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
