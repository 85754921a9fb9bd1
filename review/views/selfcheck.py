"""The yearly self-check (R4, R5, R7, R8, R9) of one account: its editors answer the checklist;
they, the managers of its unit and comms read the earlier self-checks and when the next is due."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import AccountStatus, SocialAccount
from capture.profiles import latest_snapshot
from capture.services import connector_label
from falkoping_some.lib.access import get_object_for_user
from falkoping_some.lib.errors import DomainError
from review.forms import SelfCheckForm
from review.scheduled_checks import normalised_description
from review.selfcheck import questions, record_self_check, self_check_history, self_check_status


@login_required
@require_http_methods(["GET", "POST"])
def self_check(request, pk):
    account = get_object_for_user(request, SocialAccount.objects.select_related("unit"), "selfcheck.view", pk=pk)
    can_answer = account.status == AccountStatus.ACTIVE and request.user.has_perm("selfcheck.answer", account)
    form = None
    if request.method == "POST":
        if not request.user.has_perm("selfcheck.answer", account):
            raise PermissionDenied
        form = SelfCheckForm(request.POST)
        if form.is_valid():
            try:
                check = record_self_check(request.user, account, form.answers, form.cleaned_data["comment"])
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _success_message(account, check))
                return redirect(reverse("review:self_check", args=[account.pk]))
        else:
            messages.error(request, _("The self-check was not saved. Correct the fields marked below."))
    elif can_answer:
        form = SelfCheckForm()
    return render(
        request,
        "review/self_check.html",
        {
            "account": account,
            "form": form if can_answer else None,
            "questions": questions(),
            "status": self_check_status(account, timezone.localdate()),
            "history": _history_rows(account),
            "profile": _profile_facts(account),
        },
        status=400 if form is not None and form.is_bound else 200,
    )


def _profile_facts(account):
    """The latest profile snapshot (capture), so that R5 and R9 are answered from what the platform
    shows: its description beside the registry's, and the accounts it follows."""
    snapshot = latest_snapshot(account)
    if snapshot is None:
        return None
    snapshot.label = connector_label(snapshot.connection.kind)
    snapshot.agrees = normalised_description(snapshot.description) == normalised_description(account.description)
    return snapshot


def _history_rows(account):
    """Each earlier self-check with its answers beside their questions (a row per check; on a
    phone each answer is labelled by its question)."""
    asked = questions()
    return [(check, [(q, getattr(check, q.name)) for q in asked]) for check in self_check_history(account)]


def _success_message(account, check) -> str:
    status = self_check_status(account)
    values = {"account": account.name, "date": formats.date_format(status.due, "SHORT_DATE_FORMAT")}
    if check.answers_no:
        values["rules"] = ", ".join(check.answers_no)
        return (
            _(
                "The self-check of %(account)s is saved. You answered no on %(rules)s: the communications "
                "department has been told and sees it in its review queue. The next self-check is due by %(date)s."
            )
            % values
        )
    return _("The self-check of %(account)s is saved. The next self-check is due by %(date)s.") % values
