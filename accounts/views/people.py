"""A person's page (their mandates, R10, and trainings, R14) and recording a training."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms.mandates import TrainingForm
from falkoping_some.lib.access import get_object_for_user
from falkoping_some.lib.errors import DomainError

from ..access import comms_required
from ..models import TrainingKind, User
from ..sections import PERSON_PAGE, sections_context
from ..services.training import record_training
from .mandates import may_revoke


@login_required
def person_detail(request, pk):
    """An editor's page: who they are, the accounts they are (or were) editor of, their trainings."""
    person = get_object_for_user(request, User.objects.select_related("unit"), "person.view", pk=pk)
    viewer = request.user
    today = timezone.localdate()
    mandates = list(person.mandates.with_training().select_related("account__unit", "granted_by", "revoked_by"))
    for mandate in mandates:
        mandate.can_revoke = may_revoke(viewer, mandate, today)
        # Why a mandate was revoked concerns the editor and those who answer for the account,
        # not every colleague who opens the page.
        mandate.show_reason = viewer.pk == person.pk or viewer.has_perm("mandate.revoke", mandate)
    # In force first, then the rest, each the latest start first.
    mandates.sort(key=lambda m: (not m.is_active_on(today), -m.valid_from.toordinal(), -m.pk))
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "mandates": mandates,
            "trainings": person.trainings.select_related("trainee", "trainer", "account"),
            # The council's attendance (R24) and whatever else other apps add (sections.py).
            **sections_context(PERSON_PAGE, request, person),
            "can_record_training": viewer.has_perm("training.record"),
        },
    )


def _prefill(query) -> dict:
    """?person=<id>&account=<id> from a person's or an account's page, &kind= from the review
    queue's editors awaiting training (R14); anything else ignored."""
    initial = {}
    if query.get("person", "").isdigit():
        initial["trainee"] = int(query["person"])
    if query.get("kind") in TrainingKind.values:
        initial["kind"] = query["kind"]
    if query.get("account", "").isdigit():
        initial["account"] = int(query["account"])
        initial["kind"] = TrainingKind.STARTUP  # R14: from an account's page, its start-up training
    return initial


@comms_required
@require_http_methods(["GET", "POST"])
def training_create(request):
    """R14: comms records a training it gave."""
    if request.method == "POST":
        form = TrainingForm(request.POST)
        if form.is_valid():
            try:
                training = record_training(request.user, **form.cleaned_data)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("The training of %(person)s on %(date)s is recorded.")
                    % {"person": training.trainee, "date": formats.date_format(training.date, "SHORT_DATE_FORMAT")},
                )
                return redirect("accounts:person", training.trainee_id)
        else:
            messages.error(request, _("The training was not recorded. Correct the fields marked below."))
    else:
        form = TrainingForm(initial=_prefill(request.GET))
    # The form posts to its own address, query included: cancelling leads back where it came from.
    person = request.GET.get("person", "")
    cancel = reverse("accounts:person", args=[person]) if person.isdigit() else reverse("dashboard")
    return render(request, "accounts/training_form.html", {"form": form, "cancel": cancel})
